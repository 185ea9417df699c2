"""An organisation admin uploads a student list and watches it go in."""

import pytest

from lms.accounts.models import User
from lms.courses.models import TrainingIndexPage
from lms.organisations.enums import OrganisationKind, Role, StudyMode
from lms.organisations.models import Cohort, Membership, Organisation
from tests.browser.conftest import log_in
from tests.factories import build_training

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_uploads_a_list_and_sees_results_and_new_learners(live_server, page, homes, learner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
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
    base = live_server.url
    log_in(page, base, learner)

    page.goto(f"{base}/fi/organisation/")
    page.get_by_role("link", name="Syksy 2026").click()
    page.set_input_files("#roster-file", str(roster))
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_selector("tr.result-error")  # the progress page reloads into the results table

    assert page.locator(".progress").get_attribute("aria-valuenow") == "2"
    assert "aija@example.fi" in page.content()
    assert "ei ole sähköpostiosoite" in page.locator("tr.result-error").inner_text()
    page.get_by_role("link", name="Syksy 2026").click()
    assert page.locator(f"tr[data-learner='{User.objects.get(email='aija@example.fi').pk}']").is_visible()
    assert page.get_by_text("2026001").is_visible()
    assert cohort.learners.count() == 1
