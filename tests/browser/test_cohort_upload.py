"""An organisation admin uploads a student list; the people on it accept their invitations and appear."""

import re

import pytest
from django.core import mail

from lms.accounts.models import User
from lms.courses.models import TrainingIndexPage
from lms.organisations.enums import OrganisationKind, Role, StudyMode
from lms.organisations.models import Cohort, Membership, Organisation
from tests.browser.conftest import log_in
from tests.factories import build_training

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_uploads_a_list_and_the_invited_person_joins(platform, browser, page, homes, learner, tmp_path):
    index = homes["fi"].add_child(instance=TrainingIndexPage(title="Koulutukset", slug="koulutukset"))
    training = build_training(index, title="Työkykykoordinaattorikoulutus", modules=2, lessons=2)
    organisation = Organisation.objects.create(name="Esimerkin AMK", kind=OrganisationKind.UAS)
    Membership.objects.create(organisation=organisation, user=learner, role=Role.ADMIN)
    cohort = Cohort.objects.create(
        organisation=organisation, training=training, name="Syksy 2026", study_mode=StudyMode.DEGREE
    )
    roster = tmp_path / "opiskelijat.csv"
    lines = ["Nimi;Sähköposti;Opiskelijanumero", "Äijä Öhman;AIJA@example.fi;2026001", "Virhe Rivi;ei-osoite;2026002"]
    roster.write_bytes("\r\n".join(lines).encode("cp1252"))  # as Excel saves it on a Finnish desktop
    base = platform
    log_in(page, base, learner)

    page.goto(f"{base}/fi/organisation/")
    page.get_by_role("link", name="Syksy 2026").click()
    page.set_input_files("#roster-file", str(roster))
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_selector("tr.result-error")  # the progress page reloads into the results table

    assert page.locator(".progress").get_attribute("aria-valuenow") == "2"
    assert "aija@example.fi" in page.locator("tr.result-invited").inner_text()
    assert "ei ole sähköpostiosoite" in page.locator("tr.result-error").inner_text()
    assert cohort.learners.count() == 0  # nobody joins without saying yes

    link = re.search(r"https?://\S+/organisation/invitations/\S+/", mail.outbox[-1].body).group(0)
    invitee = browser.new_context(locale="fi-FI").new_page()
    invitee.goto(link)
    invitee.fill("input[name=certificate_name]", "Äijä Öhman")
    invitee.fill("input[name=password1]", "syksyn-ryhmä-2026")
    invitee.fill("input[name=password2]", "syksyn-ryhmä-2026")
    invitee.locator("form:has(input[name=password1]) button[type=submit]").click()
    invitee.wait_for_url("**/learn/")
    invitee.context.close()

    page.get_by_role("link", name="Syksy 2026").click()
    assert page.locator(f"tr[data-learner='{User.objects.get(email='aija@example.fi').pk}']").is_visible()
    assert page.get_by_text("2026001").is_visible()
    assert cohort.learners.count() == 1
