"""Swedish as it is written in Finland, not in Sweden.

Django's ``sv`` is Sweden's: 2026-11-30 and 14:05. Finland-Swedish writes numeric dates day first
with full stops and the 24-hour time with a full stop, as Finnish does: 30.11.2026, kl. 14.05
(Institutet för de inhemska språken). Month names and number separators come from Django's ``sv``
(30 november 2026; 2,5).
"""

TIME_FORMAT = "G.i"
DATETIME_FORMAT = r"j F Y \k\l. G.i"
SHORT_DATE_FORMAT = "j.n.Y"
SHORT_DATETIME_FORMAT = "j.n.Y G.i"

# ISO first: it is what <input type="date"> sends and what a form shows when it names no format.
# Sweden's US-style "%m/%d/%Y" is left out: 1/3/2026 means 1 March to anyone in Finland.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d.%m.%Y %H.%M.%S",
    "%d.%m.%Y %H.%M",
    "%d.%m.%Y %H:%M",
    "%d.%m.%y %H.%M",
]
TIME_INPUT_FORMATS = ["%H.%M", "%H:%M", "%H.%M.%S", "%H:%M:%S"]
