"""The registrar's export of a cohort, as CSV (for Excel in Finnish locales) or XLSX.

Spreadsheet formula injection: a cell that starts with ``=``, ``+``, ``-``, ``@`` or a control
character would run as a formula when a registrar opens the file, and names and student numbers
come from uploads, so such cells are written with a leading apostrophe (OWASP's advice).
"""

import csv
import io

from django.db.models import F, FilteredRelation, Q
from django.utils.translation import gettext as _

from lms.certificates.models import Certificate

DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(DANGEROUS) else text


def export_rows(cohort) -> tuple[list[str], list[list[str]]]:
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
                safe(str(cohort.credits.normalize()) if place.completed_at else ""),
                place.completed_at.date().isoformat() if place.completed_at else "",
                "-".join(code[i : i + 4] for i in range(0, len(code), 4)) if code else "",
            ]
        )
    return header, rows


def as_csv(header, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
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
