"""Journey 2: an anonymous visitor verifies a certificate by link and by typed code, and sees it revoked.

The visitor's browser asks for Swedish; the verification pages answer in it. A member of staff
revokes the certificate in the admin between the visitor's two looks.
"""

import pytest
from django.utils import translation

from lms.certificates import services as certificates
from lms.certificates.models import Certificate
from lms.courses import services as courses
from tests.browser.journey import check, person, screenshot, visit
from tests.factories import CERTIFICATE_STAFF, build_training, translate_training, user_with_permissions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def certificate(index, locales, learner, platform):
    """Liisa Oppija's certificate of a training she completed in Finnish (the Swedish one exists too)."""
    training = build_training(index, title="Työkyvyn tuki", modules=1, lessons=1)
    pages = [p.specific for p in training.get_descendants()]  # the module, then its lesson
    translate_training(training, locales["sv"], "Stöd för arbetsförmågan", pages, lambda p: p.title)
    enrolment = courses.enrolment_create(user=learner, training=training)
    courses.lesson_open(enrolment=enrolment, lesson=pages[-1])  # the only lesson: the training is complete
    return Certificate.objects.get(enrolment=enrolment)


def in_swedish(message: str) -> str:
    with translation.override("sv"):
        return translation.gettext(message)


def test_a_visitor_verifies_by_link_and_by_code_then_sees_it_revoked_in_swedish(platform, page, viewport, certificate):
    base = platform
    visitor = person(page, locale="sv-SE")  # an employer in Vaasa, scanning the QR code

    # By link.
    visit(visitor, certificates.verification_url(certificate))
    screenshot(visitor, "verify")
    assert visitor.locator(".verify-result").get_attribute("data-status") == "valid"
    assert visitor.get_by_text("Liisa Oppija").is_visible()

    # By the code typed from the paper copy.
    visit(visitor, f"{base}/verify/")
    visitor.fill("#code", certificate.display_code.lower().replace("-", " "))
    visitor.locator("main form button[type=submit]").click()
    visitor.wait_for_url(f"**/verify/{certificate.display_code}/")
    check(visitor)
    assert visitor.locator(".verify-result").get_attribute("data-status") == "valid"

    # Staff revoke it in the admin.
    staff = user_with_permissions(*CERTIFICATE_STAFF, is_staff=True)
    visit(page, f"{base}/admin/login/")
    page.fill("input[name=username]", staff.email)
    page.fill("input[name=password]", "correct horse battery")
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/admin/")
    check(page)
    visit(page, f"{base}/admin/certificates/")
    row = page.locator(f"tr[data-certificate='{certificate.pk}']")
    row.locator("input[name=reason]").fill("Myönnetty virheellisesti")
    row.locator("button.no").click()
    page.wait_for_load_state()
    check(page, again=True)
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None

    # The visitor looks again: revoked, with the reason, in Swedish.
    visitor.reload()
    check(visitor, again=True)
    assert visitor.locator(".verify-result").get_attribute("data-status") == "revoked"
    assert visitor.get_by_text("Myönnetty virheellisesti").is_visible()
    assert visitor.locator("html").get_attribute("lang") == "sv"
    assert visitor.locator(".verify-result .badge").inner_text().strip() == in_swedish("Revoked")
