"""A training in parts in the registrar's export: one row per learner and part, with credits, grade and day.

Texts are read in English, so that the tests do not wait for the translations of new messages.
"""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from lms.accounts.models import User
from lms.certificates.codes import display
from lms.courses.models import PartCompletion, PartPage
from lms.courses.structure import structure_for
from lms.organisations.enums import OrganisationKind, Role, StudyMode
from lms.organisations.models import Cohort, Membership, Organisation
from tests.factories import build_training

from .parted import cost, csv_rows, join

pytestmark = pytest.mark.django_db


def test_the_export_has_one_row_per_learner_and_part_with_credits_grade_day_and_certificate(client, standing):
    cohort, admin, (first, second), certificate = standing
    client.force_login(admin)

    rows = csv_rows(client.get(f"/en/organisation/cohorts/{cohort.pk}/export.csv"))

    header, body = rows[0], rows[1:]
    assert header == [
        "Student number",
        "Name",
        "E-mail",
        "Training",
        "Part",
        "Credits",
        "Grade",
        "Completed on",
        "Certificate code",
    ]
    assert len(body) == 3 * 2
    structure = structure_for(cohort.training)
    titles = [structure.page(part, "en").title for part in (first, second)]
    by_key = {(row[1], row[4]): row for row in body}
    completed = PartCompletion.objects.get(part_key=first.key, enrolment__user__certificate_name="Valmis Oppija")
    assert by_key[("Valmis Oppija", titles[0])] == [
        "1001",
        "Valmis Oppija",
        "valmis.oppija@example.fi",
        "Työkykykoordinaattori",
        titles[0],
        "5",  # what the part's certificate states: the credits its workload backs
        "Passed",
        timezone.localdate(completed.completed_at).isoformat(),
        display(certificate.code),
    ]
    assert by_key[("Valmis Oppija", titles[1])][5:] == ["", "", "", ""], "a part not completed has no credit"
    assert by_key[("Arvosana Oppija", titles[1])][5:7] == ["5", "4"]
    assert by_key[("Arvosana Oppija", titles[1])][8] == "", "its certificate is not issued yet"
    assert all(row[5:] == ["", "", "", ""] for row in body if row[1] == "Aloittava Oppija")


def test_the_export_states_the_credits_of_the_parts_certificate_and_keeps_numbers_and_dates_typed(client, standing):
    # given a part certificate issued for 2.5 credits (a version of the part with less workload)
    cohort, admin, _parts, certificate = standing
    certificate.facts = {**certificate.facts, "ects_credits": "2.5"}
    certificate.save(update_fields=["facts"])
    client.force_login(admin)

    # when the registrar exports the cohort as CSV and as XLSX
    rows = csv_rows(client.get(f"/en/organisation/cohorts/{cohort.pk}/export.csv"))
    book = load_workbook(io.BytesIO(client.get(f"/en/organisation/cohorts/{cohort.pk}/export.xlsx").content))
    cells = [[c.value for c in row] for row in book.active.iter_rows()]

    # then the row says what the certificate says, with a decimal comma in the CSV
    done = next(row for row in rows if row[1] == "Valmis Oppija" and row[6] == "Passed")
    assert done[5] == "2,5"
    # and the XLSX keeps credits and grades as numbers and the day as a date
    xlsx_done = next(row for row in cells if row[1] == "Valmis Oppija" and row[6] == "Passed")
    assert xlsx_done[5] == 2.5
    assert isinstance(xlsx_done[7], datetime.datetime)
    graded = next(row for row in cells if row[1] == "Arvosana Oppija" and row[6] not in (None, ""))
    assert (graded[5], graded[6]) == (5, 4)


def test_a_part_title_like_a_formula_is_neutralised_in_the_export(client, standing):
    cohort, admin, (first, _second), _certificate = standing
    page = PartPage.objects.get(translation_key=first.key, locale=cohort.training.locale)
    page.title = '=HYPERLINK("http://evil")'
    page.save_revision().publish()
    client.force_login(admin)

    rows = csv_rows(client.get(f"/fi/organisation/cohorts/{cohort.pk}/export.csv"))

    assert {row[4] for row in rows[1:]} >= {'\'=HYPERLINK("http://evil")'}


def test_the_export_of_a_training_without_parts_is_one_row_per_learner(client, index):
    training = build_training(index, modules=1, lessons=1)
    organisation = Organisation.objects.create(name="AMK", kind=OrganisationKind.UAS)
    admin = User.objects.create_user(email="a@example.fi", certificate_name="Admin")
    Membership.objects.create(organisation=organisation, user=admin, role=Role.ADMIN)
    cohort = Cohort.objects.create(organisation=organisation, training=training, name="R", study_mode=StudyMode.DEGREE)
    join(cohort, "Yksi Oppija")
    client.force_login(admin)

    rows = csv_rows(client.get(f"/en/organisation/cohorts/{cohort.pk}/export.csv"))

    assert rows[0] == ["Student number", "Name", "E-mail", "Training", "Credits", "Completed on", "Certificate code"]
    assert len(rows) == 2


def test_the_export_with_parts_costs_the_same_for_10_and_500_learners(client, small_and_large):
    small, large = small_and_large

    (small_cost, small_file), (large_cost, large_file) = (
        cost(client, f"/en/organisation/cohorts/{cohort.pk}/export.csv") for cohort in (small, large)
    )

    assert len(csv_rows(small_file)) - 1 == 10 * 2
    assert len(csv_rows(large_file)) - 1 == 500 * 2
    assert sum(row[6] == "Passed" for row in csv_rows(large_file)) == 500
    assert small_cost == large_cost
