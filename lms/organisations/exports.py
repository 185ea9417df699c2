"""The registrar's export of a cohort, as CSV (for Excel in Finnish locales) or XLSX.

Spreadsheet formula injection: a cell that starts with ``=``, ``+``, ``-``, ``@`` or a control
character would run as a formula when a registrar opens the file, and names and student numbers
come from uploads, so such cells are written with a leading apostrophe (OWASP's advice).

Rows hold typed values: numbers as ``Decimal``/``float`` and days as ``date``. The XLSX file keeps
them as numbers and dates, which Excel shows in its reader's locale. The CSV file, written with
semicolons for Excel in Finnish and Swedish locales, writes decimals with a comma (Finnish Excel
reads "2.5" as 2 May) and days as ISO 8601 (2026-11-30), which Excel reads as a date in any
locale and no program or person reads the wrong way round.
"""

import csv
import datetime
import io
from decimal import Decimal

from django.db.models import F, FilteredRelation, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.certificates.models import Certificate

DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(DANGEROUS) else text


def export_rows(cohort) -> tuple[list[str], list[list]]:
    """Header and rows for every learner of the cohort (three queries, whatever its size).

    Each learner's enrolment in the training is joined once, as on the cohort page (a learner has
    at most one), rather than looked up twice per learner by correlated subqueries.
    """
    places = (
        cohort.learners.select_related("user")
        .annotate(own=FilteredRelation("user__enrolments", condition=Q(user__enrolments__training=cohort.training)))
        .annotate(completed_at=F("own__completed_at"), enrolment_id=F("own__id"))
        .order_by("user__certificate_name", "user__email")
    )
    places = list(places)
    codes = dict(
        Certificate.objects.filter(
            enrolment_id__in=[p.enrolment_id for p in places if p.enrolment_id], revoked_at__isnull=True
        ).values_list("enrolment_id", "code")
    )
    header = [
        _("Student number"),
        _("Name"),
        _("E-mail"),
        _("Training"),
        _("Credits"),
        _("Completed on"),
        _("Certificate code"),
    ]
    rows = []
    for place in places:
        code = codes.get(place.enrolment_id, "")
        rows.append(
            [
                safe(place.student_number),
                safe(place.user.display_name),
                safe(place.user.email),
                safe(cohort.training.title),
                cohort.credits.normalize() if place.completed_at else "",
                timezone.localdate(place.completed_at) if place.completed_at else "",  # the day in Finland
                "-".join(code[i : i + 4] for i in range(0, len(code), 4)) if code else "",
            ]
        )
    return header, rows


def csv_cell(value):
    """A typed cell as the CSV writes it: 2,5 and 2026-11-30."""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, float):
        return str(value).replace(".", ",")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def as_csv(header, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def as_xlsx(header, rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
