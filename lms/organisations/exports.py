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
from decimal import Decimal, InvalidOperation

from django.db.models import F, FilteredRelation, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.certificates.codes import display
from lms.certificates.models import Certificate
from lms.courses.enums import PASS
from lms.courses.models import PartCompletion
from lms.courses.structure import structure_for

DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(DANGEROUS) else text


def export_rows(cohort, language: str) -> tuple[list[str], list[list]]:
    """Header and rows for every learner of the cohort (three queries, whatever its size).

    Each learner's enrolment in the training is joined once, as on the cohort page (a learner has
    at most one), rather than looked up twice per learner by correlated subqueries.

    A training in parts is exported one row per learner and part, each with the part's own name,
    credits and grade: registries such as Peppi and Sisu record a completion per course, and each
    part is the course a university runs (the coordinator training's two 5-credit courses), so a
    registrar imports or keys in one row per completion and filters out the rows still empty.
    A training without parts keeps one row per learner, with the cohort's credits.
    """
    places = list(
        cohort.learners.select_related("user")
        .annotate(own=FilteredRelation("user__enrolments", condition=Q(user__enrolments__training=cohort.training)))
        .annotate(completed_at=F("own__completed_at"), enrolment_id=F("own__id"))
        .order_by("sort_name", "id")  # as the cohort page lists them, read in order from its index
    )
    structure = structure_for(cohort.training)
    training = structure.page(structure, language).title
    enrolment_ids = [p.enrolment_id for p in places if p.enrolment_id]
    if structure.parts:
        return _part_rows(structure, places, enrolment_ids, training, language)
    codes = dict(
        Certificate.objects.filter(
            enrolment_id__in=enrolment_ids, part_key__isnull=True, revoked_at__isnull=True
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
                *_person(place),
                safe(training),
                cohort.credits.normalize() if place.completed_at else "",
                timezone.localdate(place.completed_at) if place.completed_at else "",  # the day in Finland
                display(code) if code else "",
            ]
        )
    return header, rows


def _person(place) -> list[str]:
    return [safe(place.student_number), safe(place.user.display_name), safe(place.user.email)]


def _part_rows(structure, places, enrolment_ids, training: str, language: str) -> tuple[list[str], list[list]]:
    """One row per learner and part: credits, grade, day and certificate once the part is completed.

    The credits are those the part's certificate states where one is in force (frozen when it was
    issued), else those its published version supports now (``PartNode.stated_credits``), which is
    what the certificate being issued will state.
    """
    completions = {
        (enrolment_id, part_key): (grade, completed_at)
        for enrolment_id, part_key, grade, completed_at in PartCompletion.objects.filter(
            enrolment_id__in=enrolment_ids
        ).values_list("enrolment_id", "part_key", "grade", "completed_at")
    }
    certificates = {
        (enrolment_id, part_key): (code, stated)
        for enrolment_id, part_key, code, stated in Certificate.objects.filter(
            enrolment_id__in=enrolment_ids, part_key__isnull=False, revoked_at__isnull=True
        ).values_list("enrolment_id", "part_key", "code", "facts__ects_credits")
    }
    header = [
        _("Student number"),
        _("Name"),
        _("E-mail"),
        _("Training"),
        _("Part"),
        _("Credits"),
        _("Grade"),
        _("Completed on"),
        _("Certificate code"),
    ]
    titles = [safe(structure.page(part, language).title) for part in structure.parts]
    rows = []
    for place in places:
        person = _person(place)
        for part, title in zip(structure.parts, titles, strict=True):
            grade, completed_at = completions.get((place.enrolment_id, part.key), ("", None))
            code, stated = certificates.get((place.enrolment_id, part.key), ("", None))
            rows.append(
                [
                    *person,
                    safe(training),
                    title,
                    _credits(stated, part.stated_credits) if completed_at else "",
                    _grade(grade),
                    timezone.localdate(completed_at) if completed_at else "",  # the day in Finland
                    display(code) if code else "",
                ]
            )
    return header, rows


def _credits(stated, supported: Decimal) -> Decimal:
    """The credits a part's certificate states (text in its facts), else what the part supports now."""
    try:
        return Decimal(str(stated)).normalize() if stated not in (None, "") else supported.normalize()
    except InvalidOperation:
        return supported.normalize()


def _grade(grade: str):
    """ "Passed" in the registrar's language, a number on the 0-5 scale (a number cell in Excel)."""
    if not grade:
        return ""
    if grade == PASS:
        return _("Passed")
    return int(grade) if grade.isdigit() else safe(grade)


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
