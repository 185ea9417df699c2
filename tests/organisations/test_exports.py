"""The registrar's export: the right columns, safe cells, only one's own cohort, constant queries."""

import csv
import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.courses import services as courses
from lms.courses.models import Enrolment, LessonPage
from lms.organisations.exports import safe
from lms.organisations.models import CohortLearner

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("value", ['=HYPERLINK("http://evil")', "+1+1", "-2", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_like_cells_are_neutralised(value):
    assert safe(value) == "'" + value


def test_plain_cells_are_left_alone():
    assert safe("Äijä Öhman") == "Äijä Öhman"
    assert safe("2023-01") == "2023-01"
    assert safe(None) == ""


def _csv(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_export_lists_learners_with_completion_and_certificate(
    client,
    two_orgs,
    django_capture_on_commit_callbacks,
):
    (_a, staff_a, cohort_a), (_b, _staff_b, cohort_b) = two_orgs
    hostile = User.objects.create_user(email="h@example.fi", certificate_name="=cmd|' /C calc'!A0")
    done = User.objects.create_user(email="valmis@example.fi", certificate_name="Valmis Oppija")
    for user, number in ((hostile, "+358"), (done, "1002")):
        CohortLearner.objects.create(cohort=cohort_a, user=user, student_number=number)
        enrolment = courses.enrolment_create(user=user, training=cohort_a.training, invited=True)
    with django_capture_on_commit_callbacks(execute=True):
        for lesson in LessonPage.objects.descendant_of(cohort_a.training):
            courses.lesson_open(enrolment=enrolment, lesson=lesson)
    certificate = Certificate.objects.get(enrolment=enrolment)
    enrolment.refresh_from_db()
    client.force_login(staff_a)

    rows = _csv(client.get(f"/fi/organisation/cohorts/{cohort_a.pk}/export.csv"))

    assert len(rows) == 3
    by_email = {row[2]: row for row in rows[1:]}
    assert by_email["h@example.fi"][0] == "'+358"
    assert by_email["h@example.fi"][1] == "'=cmd|' /C calc'!A0"
    assert by_email["valmis@example.fi"][6] == certificate.display_code
    assert by_email["valmis@example.fi"][5] == timezone.localdate(enrolment.completed_at).isoformat()
    workbook = load_workbook(io.BytesIO(client.get(f"/fi/organisation/cohorts/{cohort_a.pk}/export.xlsx").content))
    cells = [[c.value for c in row] for row in workbook.active.iter_rows()]
    assert cells[0][0] in {"Opiskelijanumero", "Student number"}
    assert any(row[1] == "'=cmd|' /C calc'!A0" for row in cells[1:])
    assert client.get(f"/fi/organisation/cohorts/{cohort_b.pk}/export.csv").status_code == 404
    assert client.get(f"/fi/organisation/cohorts/{cohort_a.pk}/export.exe").status_code == 404


def test_csv_writes_decimal_commas_and_iso_days_and_xlsx_numbers_and_dates(client, two_orgs):
    # given a cohort worth 2.5 credits, and a learner who completed just after midnight in Finland
    (_a, staff_a, cohort_a), _b = two_orgs
    cohort_a.credits = Decimal("2.5")
    cohort_a.save(update_fields=["credits"])
    learner = User.objects.create_user(email="yolla@example.fi", certificate_name="Yö Opiskelija")
    CohortLearner.objects.create(cohort=cohort_a, user=learner, student_number="1003")
    Enrolment.objects.create(
        user=learner,
        training=cohort_a.training,
        completed_at=datetime.datetime(2026, 12, 1, 0, 30, tzinfo=ZoneInfo("Europe/Helsinki")),  # 30.11. in UTC
    )
    client.force_login(staff_a)

    # when the registrar exports it for Excel in Finnish locales (CSV), and as XLSX
    row = _csv(client.get(f"/fi/organisation/cohorts/{cohort_a.pk}/export.csv"))[1]
    book = load_workbook(io.BytesIO(client.get(f"/fi/organisation/cohorts/{cohort_a.pk}/export.xlsx").content))
    cells = [c.value for c in list(book.active.iter_rows())[1]]

    # then the CSV has "2,5" (Finnish Excel reads "2.5" as 2 May) and the day in Finland, in ISO 8601
    assert row[4:6] == ["2,5", "2026-12-01"]
    # and the XLSX has a number and a date, which Excel shows in its reader's locale
    assert cells[4] == 2.5
    assert cells[5] == datetime.datetime(2026, 12, 1)


def test_export_queries_do_not_grow_with_learners(client, two_orgs):
    (_a, staff_a, cohort_a), (org_b, _staff_b, cohort_b) = two_orgs
    from lms.organisations.enums import Role
    from lms.organisations.models import Membership

    Membership.objects.create(organisation=org_b, user=staff_a, role=Role.TEACHER)
    cohort_b.teachers.add(staff_a)  # a teacher follows the cohorts they teach
    for cohort, count in ((cohort_a, 10), (cohort_b, 500)):
        users = User.objects.bulk_create(
            [User(email=f"e{cohort.pk}-{n}@example.fi", certificate_name=f"O {n}", password="!") for n in range(count)]
        )
        Enrolment.objects.bulk_create([Enrolment(user=u, training=cohort.training) for u in users])
        CohortLearner.objects.bulk_create([CohortLearner(cohort=cohort, user=u) for u in users])
    client.force_login(staff_a)

    def count(cohort):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/fi/organisation/cohorts/{cohort.pk}/export.csv")
        return len(queries), len(_csv(response)) - 1

    client.get(f"/fi/organisation/cohorts/{cohort_a.pk}/export.csv")  # the first request reads the user's row
    small, large = count(cohort_a), count(cohort_b)
    assert (small[1], large[1]) == (10, 500)
    assert small[0] == large[0]
