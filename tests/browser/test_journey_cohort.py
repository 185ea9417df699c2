"""Journey 4: a university's organisation admin creates a cohort, uploads a student list with one bad
row, reads the row report, finds the learners in the cohort table and exports the registrar file."""

import io
import re

import pytest
from django.core import mail
from openpyxl import load_workbook

from lms.accounts.models import User
from lms.organisations.enums import OrganisationKind, Role
from lms.organisations.models import Cohort, Membership, Organisation
from tests.browser.conftest import log_in
from tests.browser.journey import Hands, check, person, screenshot
from tests.factories import UserFactory, build_training

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def university(index):
    training = build_training(index, title="Työkykykoordinaattorikoulutus", modules=2, lessons=2)
    organisation = Organisation.objects.create(name="Esimerkin AMK", kind=OrganisationKind.UAS)
    admin = UserFactory(email="hallinto@esimerkki-amk.fi", certificate_name="Hanna Hallinto")
    Membership.objects.create(organisation=organisation, user=admin, role=Role.ADMIN)
    return organisation, training, admin


def test_an_organisation_admin_creates_a_cohort_imports_students_and_exports_the_registrar_file(
    platform, page, viewport, university, tmp_path
):
    organisation, training, admin = university
    base = platform
    roster = tmp_path / "opiskelijat.csv"
    lines = ["Nimi;Sähköposti;Opiskelijanumero", "Äijä Öhman;AIJA@example.fi;2026001", "Virhe Rivi;ei-osoite;2026002"]
    roster.write_bytes("\r\n".join(lines).encode("cp1252"))  # as Excel saves it on a Finnish desktop

    # The admin creates the autumn's cohort.
    log_in(page, base, admin)
    check(page)
    Hands("mouse").click(page.locator("header a[href='/fi/organisation/organisations/']"))  # in the phone's menu
    check(page)
    page.get_by_role("link", name="Esimerkin AMK").click()
    check(page)
    page.locator(f"a[href='/fi/organisation/organisations/{organisation.pk}/cohorts/new/']").click()
    check(page)
    page.select_option("#id_training", str(training.pk))
    page.fill("#id_name", "Syksy 2027")
    page.fill("#id_starts_on", "2027-08-20")
    page.fill("#id_ends_on", "2027-12-18")
    page.select_option("#id_study_mode", "open_uas")
    page.fill("#id_credits", "5")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/organisation/cohorts/*/")
    check(page)
    cohort = Cohort.objects.get(name="Syksy 2027", organisation=organisation)

    # The student list, with one bad row: the report says which and why.
    page.set_input_files("#roster-file", str(roster))
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_selector("tr.result-error")  # the progress page reloads into the results table
    check(page, again=True)
    assert page.locator(".progress").get_attribute("aria-valuenow") == "2"
    assert "aija@example.fi" in page.locator("tr.result-invited").inner_text()
    assert "ei ole sähköpostiosoite" in page.locator("tr.result-error").inner_text()
    assert cohort.learners.count() == 0  # nobody joins without saying yes

    # The invited student says yes.
    link = re.search(r"https?://\S+/organisation/invitations/\S+/", mail.outbox[-1].body).group(0)
    student = person(page)
    student.goto(link)
    check(student)
    student.fill("input[name=certificate_name]", "Äijä Öhman")
    student.fill("input[name=password1]", "syksyn-ryhmä-2026")
    student.fill("input[name=password2]", "syksyn-ryhmä-2026")
    student.locator("form:has(input[name=password1]) button[type=submit]").click()
    student.wait_for_url("**/learn/")
    check(student)

    # The admin finds them in the cohort table, and exports the registrar's file.
    page.goto(f"{base}/fi/organisation/cohorts/{cohort.pk}/")
    check(page)
    screenshot(page, "cohort", at=page.locator("table:has(tr[data-learner])"))
    joined = User.objects.get(email="aija@example.fi")
    assert page.locator(f"tr[data-learner='{joined.pk}']").is_visible()
    assert page.get_by_text("2026001").is_visible()
    assert cohort.learners.count() == 1
    with page.expect_download() as download:
        page.locator(f"a[href$='/cohorts/{cohort.pk}/export.xlsx']").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    cells = [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "2026001" in cells
    assert "aija@example.fi" in cells
