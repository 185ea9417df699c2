"""Every absolute link Kyky sends or prints comes from BASE_URL, whatever host the request named."""

import io
import json
import re

import pytest
from django.core import mail
from pypdf import PdfReader
from wagtail.models import Site

from lms import links
from lms.certificates import services as certificates
from lms.cms.services import site_setup
from lms.courses import services as courses
from lms.courses.models import LessonPage
from lms.organisations import services as organisations
from lms.organisations.enums import OrganisationKind, Role, StudyMode
from lms.organisations.models import Cohort, Membership, Organisation
from tests.factories import UserFactory, build_training

pytestmark = pytest.mark.django_db

PUBLIC = "http://127.0.0.1:8123"
# What a link must never show: the old default port, the test client's host, the Host header sent.
WRONG = ("8000", "testserver", "localhost")
URL = re.compile(r"https?://[^\s\"'<>]+")


@pytest.fixture(autouse=True)
def _public_address(settings):
    settings.WAGTAILADMIN_BASE_URL = PUBLIC


def assert_links_public(text: str) -> None:
    found = URL.findall(text)
    assert found, "no link at all"
    for url in found:
        assert url.startswith(f"{PUBLIC}/"), url
    for wrong in WRONG:
        assert wrong not in text


def test_the_helper_builds_on_base_url():
    assert links.absolute_url("/fi/learn/") == f"{PUBLIC}/fi/learn/"
    assert links.rebased("http://localhost:8000/sv/accounts/confirm-email/k/?a=1#x") == (
        f"{PUBLIC}/sv/accounts/confirm-email/k/?a=1#x"
    )
    assert links.public_host() == ("127.0.0.1", 8123)


def test_allauths_confirmation_mail_links_to_base_url_not_to_the_host_asked(
    client, homes, django_capture_on_commit_callbacks
):
    # Given a sign-up sent to another host name and port than the public one
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/fi/accounts/signup/",
            {
                "email": "uusi@example.fi",
                "first_name": "Uusi",
                "last_name": "Oppija",
                "password1": "pitkä salasana 123",
                "password2": "pitkä salasana 123",
            },
            HTTP_HOST="localhost:8000",
        )

    # Then the confirmation link is at the public address
    assert response.status_code == 302
    (message,) = mail.outbox
    assert_links_public(message.body)
    assert f"{PUBLIC}/fi/accounts/confirm-email/" in message.body


def test_a_password_reset_link_is_at_base_url_and_in_the_recipients_language(
    client, learner, django_capture_on_commit_callbacks
):
    learner.preferred_language = "sv"
    learner.save()

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/fi/accounts/password/reset/", {"email": learner.email}, HTTP_HOST="localhost:8000")

    (message,) = mail.outbox
    assert_links_public(message.body)
    assert f"{PUBLIC}/sv/accounts/password/reset/key/" in message.body


def test_the_certificate_mail_pdf_qr_code_and_credential_carry_base_url(
    index, learner, monkeypatch, django_capture_on_commit_callbacks
):
    # Given the QR code's payload is watched
    payloads = []
    qr_svg = certificates.qr_svg
    monkeypatch.setattr(certificates, "qr_svg", lambda url, **kw: (payloads.append(url), qr_svg(url, **kw))[1])
    training = build_training(index, title="Työkyvyn tuki", lessons=1)

    # When the learner completes the training and the certificate is issued
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = courses.enrolment_create(user=learner, training=training)
    with django_capture_on_commit_callbacks(execute=True):
        courses.lesson_open(enrolment=enrolment, lesson=LessonPage.objects.descendant_of(training).get())
    certificate = enrolment.certificates.get()

    # Then the welcome and certificate mails, the PDF, the QR code and the credential link to BASE_URL
    welcome, issued = mail.outbox
    assert_links_public(welcome.body)
    assert_links_public(issued.body)
    pdf = PdfReader(io.BytesIO(certificate.pdf.open("rb").read()))
    pdf_text = " ".join(page.extract_text() for page in pdf.pages).replace("\n", "")
    assert f"{PUBLIC}/verify/{certificate.display_code}/" in pdf_text
    assert "8000" not in pdf_text
    assert payloads == [f"{PUBLIC}/verify/{certificate.display_code}/"]
    credential = json.dumps(certificate.credential)
    assert f'"id": "{PUBLIC}/verify/{certificate.display_code}/"' in credential
    for wrong in WRONG:
        assert wrong not in credential


def test_cohort_and_staff_invitations_link_to_base_url(index, django_capture_on_commit_callbacks):
    training = build_training(index, title="Työkykykoordinaattorikoulutus", lessons=1)
    organisation = Organisation.objects.create(name="Ammattikorkeakoulu A", kind=OrganisationKind.UAS)
    cohort = Cohort.objects.create(
        organisation=organisation, training=training, name="Ryhmä A", study_mode=StudyMode.DEGREE
    )

    with django_capture_on_commit_callbacks(execute=True):
        organisations.invitation_create(cohort=cohort, email="opiskelija@example.fi", name="Olli Opiskelija")
        organisations.staff_invitation_create(organisation=organisation, email="opettaja@example.fi", role=Role.TEACHER)

    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert_links_public(message.body)


def test_the_cohort_pages_invitation_link_is_at_base_url_whatever_host_was_asked(client, index):
    training = build_training(index, title="Työkykykoordinaattorikoulutus", lessons=1)
    organisation = Organisation.objects.create(name="Ammattikorkeakoulu A", kind=OrganisationKind.UAS)
    cohort = Cohort.objects.create(
        organisation=organisation, training=training, name="Ryhmä A", study_mode=StudyMode.DEGREE
    )
    admin = UserFactory()
    Membership.objects.create(organisation=organisation, user=admin, role=Role.ADMIN)
    organisations.invitation_link_create(cohort=cohort, days=30, seats=None)
    client.force_login(admin)

    html = client.get(f"/fi/organisation/cohorts/{cohort.pk}/", HTTP_HOST="localhost:8000").content.decode()

    cohort.refresh_from_db()
    assert f"<code>{PUBLIC}/fi/organisation/join/{cohort.invite_code}/</code>" in html
    assert "localhost:8000" not in html


def test_site_setup_gives_wagtails_site_the_public_host_and_port(settings, homes):
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("127.0.0.1", 8123)
    assert homes["sv"].full_url == f"{PUBLIC}/sv/"

    # And a new address (make run PORT=9000) moves it when setup runs again
    settings.WAGTAILADMIN_BASE_URL = "https://kyky.example.fi"
    site_setup()
    site.refresh_from_db()
    assert (site.hostname, site.port) == ("kyky.example.fi", 443)
    assert Site.objects.count() == 1
