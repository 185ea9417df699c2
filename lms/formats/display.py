"""Credits and stored ISO dates as people read them, in the active language.

Pages, e-mails and the PDF all render under the reader's language (a request's, or
``translation.override`` outside one), so these follow it: 2,5 op, 2,5 sp, 2.5 ECTS credits.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import ngettext


def credits_text(value) -> str:
    """ECTS credits with the unit and the decimal separator of the active language; "" for no number."""
    try:
        number = Decimal(str(value)).normalize()
    except (InvalidOperation, ValueError):
        return ""
    if not number.is_finite():
        return ""
    # gettext's plural rule takes a whole number; a fraction reads as plural in fi, sv and en.
    count = int(number) if number == number.to_integral_value() else 2
    return ngettext("%(credits)s ECTS credit", "%(credits)s ECTS credits", count) % {
        "credits": formats.number_format(number)
    }


def date_text(value, format_name: str = "SHORT_DATE_FORMAT") -> str:
    """A date, or a date stored as ISO text (a certificate's frozen facts), in the active language."""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, datetime.date):
        return ""
    return formats.date_format(value, format_name)
