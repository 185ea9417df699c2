"""A learner completes a short training and downloads the PDF; anyone verifies it from its link."""

import pytest
from pypdf import PdfReader

from lms.certificates import services
from lms.certificates.models import Certificate
from lms.courses.models import TrainingIndexPage
from tests.browser.conftest import log_in
from tests.factories import LessonPageFactory, ModulePageFactory, TrainingPageFactory, text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def short_training(homes, settings, tmp_path, live_server):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    index = homes["fi"].add_child(instance=TrainingIndexPage(title="Koulutukset", slug="koulutukset"))
    training = TrainingPageFactory(parent=index, title="Lyhyt koulutus", slug="lyhyt")
    module = ModulePageFactory(parent=training, slug="moduuli")
    LessonPageFactory(parent=module, slug="eka", title="Ainoa oppitunti", body=[text("<p>Lue tämä.</p>")])
    return training


def test_complete_download_and_verify_then_revoked(live_server, browser, short_training, learner, tmp_path):
    base = live_server.url
    context = browser.new_context(locale="fi-FI", accept_downloads=True)
    page = context.new_page()
    log_in(page, base, learner)

    page.goto(f"{base}{short_training.url}")
    page.get_by_role("button", name="Ilmoittaudu").click()
    page.wait_for_selector("[data-testid=lesson-completed]")  # the only lesson completes when opened
    page.goto(f"{base}/fi/learn/")
    with page.expect_download() as download_info:
        page.locator("a[href$='.pdf']").click()
    path = tmp_path / "todistus.pdf"
    download_info.value.save_as(path)
    certificate = Certificate.objects.get(enrolment__user=learner)
    text_in_pdf = PdfReader(path).pages[0].extract_text()
    assert "Liisa Oppija" in text_in_pdf
    assert certificate.display_code in text_in_pdf
    context.close()

    visitor = browser.new_context(locale="fi-FI").new_page()  # anonymous: scanned the QR code
    visitor.goto(services.verification_url(certificate))
    assert visitor.locator(".verify-result").get_attribute("data-status") == "valid"
    assert visitor.get_by_text("Lyhyt koulutus").is_visible()

    services.certificate_revoke(certificate=certificate, reason="Myönnetty virheellisesti")
    visitor.reload()
    assert visitor.locator(".verify-result").get_attribute("data-status") == "revoked"
    assert visitor.get_by_text("Myönnetty virheellisesti").is_visible()
    visitor.context.close()
