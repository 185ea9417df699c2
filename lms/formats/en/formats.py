"""The site's English: international English read in Finland, not American English.

Django's ``en`` writes 11/30/2026 and 2:05 p.m. Kyky's English readers are mostly exchange and
degree students and staff in Finland, from everywhere: a numeric date is read one way by half of
them and the other way by the rest whenever the day is 12 or less (1/3/2026), so dates name the
month, day first as British English writes them: 30 November 2026, and 30 Nov 2026 where space
is short (tables, the certificate). Times use the 24-hour clock, as everything else in
Finland: 14:05. Numbers keep the decimal point: 2.5.
"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
FIRST_DAY_OF_WEEK = 1  # Monday, as in Finland

# ISO first (what <input type="date"> sends); day before month, never the US month-first order.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y %H:%M",
]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S", "%H.%M"]
