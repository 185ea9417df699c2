"""Issuing exactly once, frozen facts, the PDF and its QR code, public verification."""

import io
import threading

import pypdfium2
import pytest
import zxingcpp
from django.core import mail
from django.db import connection
from pypdf import PdfReader

from lms.certificates import credentials, services
from lms.certificates.codes import display, new_code, normalise
from lms.certificates.models import Certificate
from lms.certificates.tasks import issue_certificate, issue_missing_certificates
from lms.courses import services as courses
from lms.courses.models import LessonPage
from tests.certificates.trainings import build_backed_training
from tests.conftest import requires_postgres

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def complete(training, user, capture):
    enrolment = courses.enrolment_create(user=user, training=training)
    with capture(execute=True):
        for lesson in LessonPage.objects.descendant_of(training).order_by("path"):
            courses.lesson_open(enrolment=enrolment, lesson=lesson)
    enrolment.refresh_from_db()
    return enrolment


@pytest.fixture
def coordinator(index):
    return build_backed_training(index, title="Työkykykoordinaattorikoulutus", ects_credits=10, lessons=2)


def test_completing_a_training_issues_one_certificate_and_mails_the_pdf(
    coordinator, learner, django_capture_on_commit_callbacks
):
    enrolment = complete(coordinator, learner, django_capture_on_commit_callbacks)

    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.status == "valid"
    assert certificate.facts["name"] == "Liisa Oppija"
    assert certificate.facts["ects_credits"] == "10"
    assert certificate.pdf
    certificate_mails = [m for m in mail.outbox if m.attachments]
    assert len(certificate_mails) == 1
    assert certificate_mails[0].attachments[0][2] == "application/pdf"
    assert display(certificate.code) in certificate_mails[0].body

    issue_certificate.apply(args=[enrolment.pk])  # a second run changes nothing
    assert Certificate.objects.count() == 1
    assert len([m for m in mail.outbox if m.attachments]) == 1


def test_a_training_claiming_more_credits_than_its_workload_supports_is_certified_for_what_it_supports(
    index, learner, django_capture_on_commit_callbacks
):
    # published before the admin's rule (or by the content import): 10 credits on two lessons of 2025
    # minutes, whose 67.5 hours support 2.5 credits at 27 hours a credit
    training = build_backed_training(index, title="Lupaava koulutus", ects_credits=10, lessons=2, minutes=2025)
    assert training.ects_credits == 10

    enrolment = complete(training, learner, django_capture_on_commit_callbacks)

    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.facts["ects_credits"] == "2.5"
    assert certificate.facts["workload_hours"] == 68  # the designed 67.5 h, as the PDF says it: about 68 hours
    assert certificate.credential["credentialSubject"]["achievement"]["creditsAvailable"] == 2.5
    assert credentials.credential_verify(certificate.credential)["valid"] is True
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(certificate.pdf.open("rb").read())).pages)
    assert "2,5 op" in text  # the learner reads Finnish
    assert "10 op" not in text


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_task_runs_issue_exactly_one(coordinator, learner, django_capture_on_commit_callbacks):
    enrolment = courses.enrolment_create(user=learner, training=coordinator)
    for lesson in LessonPage.objects.descendant_of(coordinator):
        courses.lesson_open(enrolment=enrolment, lesson=lesson)  # no callbacks: nothing issued yet
    barrier, errors = threading.Barrier(6), []

    def run():
        try:
            barrier.wait(timeout=10)
            services.certificate_issue(enrolment_id=enrolment.pk)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1
    assert len([m for m in mail.outbox if m.attachments]) == 1


def test_with_the_broker_and_the_fallback_down_the_beat_job_catches_up(
    coordinator, learner, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    def down(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(issue_certificate, "delay", down)
    monkeypatch.setattr(issue_certificate, "apply", lambda *a, **k: None)  # the web process died too
    enrolment = complete(coordinator, learner, django_capture_on_commit_callbacks)

    assert enrolment.completed_at is not None  # the completion is kept
    assert not Certificate.objects.exists()
    monkeypatch.undo()

    with django_capture_on_commit_callbacks(execute=True):
        assert issue_missing_certificates() == 1
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert issue_missing_certificates() == 0


def test_issued_facts_never_change(coordinator, learner, django_capture_on_commit_callbacks):
    enrolment = complete(coordinator, learner, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(enrolment=enrolment)
    frozen, pdf_bytes = dict(certificate.facts), certificate.pdf.read()

    coordinator.title = "Uusi nimi"
    coordinator.ects_credits = 5
    coordinator.save_revision().publish()
    learner.certificate_name = "Joku Muu"
    learner.save()

    certificate.refresh_from_db()
    assert certificate.facts == frozen
    certificate.pdf.open("rb")
    assert certificate.pdf.read() == pdf_bytes


def test_the_pdf_says_who_what_and_how_to_verify(coordinator, learner, django_capture_on_commit_callbacks):
    enrolment = complete(coordinator, learner, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(enrolment=enrolment)
    data = certificate.pdf.open("rb").read()

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Liisa Oppija" in text
    assert "Työkykykoordinaattorikoulutus" in text
    assert display(certificate.code) in text

    image = pypdfium2.PdfDocument(data)[0].render(scale=3).to_pil()
    decoded = [result.text for result in zxingcpp.read_barcodes(image)]
    assert decoded == [services.verification_url(certificate)]


def test_codes_are_long_random_and_forgiving():
    codes = {new_code() for _ in range(1000)}
    assert len(codes) == 1000
    assert all(len(c) == 16 for c in codes)  # 16 x 5 = 80 bits
    code = new_code()
    typed = display(code).lower().replace("-", " ")
    assert normalise(typed) == code
    assert normalise("0O1I-LX" + code[6:]) == "00111X" + code[6:]
    assert normalise("too short") is None


def test_verification_page_valid_revoked_and_json(client, coordinator, learner, django_capture_on_commit_callbacks):
    enrolment = complete(coordinator, learner, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(enrolment=enrolment)
    url = f"/verify/{certificate.display_code}/"

    html = client.get(url, HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert 'data-status="valid"' in html
    assert "Liisa Oppija" in html
    assert client.get(url, HTTP_ACCEPT="application/json").json()["status"] == "valid"
    sloppy = client.get(f"/verify/{certificate.code.lower()}/")
    assert sloppy.status_code == 302
    assert sloppy["Location"] == url

    services.certificate_revoke(certificate=certificate, reason="Myönnetty virheellisesti.")

    body = client.get(url, HTTP_ACCEPT="application/json").json()
    assert body["status"] == "revoked"
    assert body["revocation_reason"] == "Myönnetty virheellisesti."
    assert 'data-status="revoked"' in client.get(url).content.decode()


def test_unknown_and_malformed_codes_reveal_nothing(client):
    unknown = client.get(f"/verify/{display(new_code())}/", HTTP_ACCEPT="application/json")
    malformed = client.get("/verify/<script>/", HTTP_ACCEPT="application/json")
    assert (unknown.status_code, unknown.json()) == (404, {"status": "not_found"})
    assert (malformed.status_code, malformed.json()) == (404, {"status": "not_found"})
    assert client.get("/verify/?code=abc").status_code == 404


def test_lookups_are_rate_limited_per_client(client, settings):
    from django.core.cache import cache

    cache.clear()
    statuses = [client.get(f"/verify/{display(new_code())}/").status_code for _ in range(35)]
    assert statuses[:30] == [404] * 30
    assert statuses[30:] == [429] * 5
    other = client.get(f"/verify/{display(new_code())}/", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 404
    cache.clear()


def test_only_the_learner_downloads_the_pdf(
    client, coordinator, learner, other_learner, django_capture_on_commit_callbacks
):
    enrolment = complete(coordinator, learner, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(enrolment=enrolment)
    url = f"/certificates/{certificate.code}.pdf"

    client.force_login(other_learner)
    assert client.get(url).status_code == 404
    client.force_login(learner)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert url in client.get("/fi/learn/").content.decode()


def test_a_training_can_have_its_own_pdf_template(
    coordinator, learner, settings, tmp_path, django_capture_on_commit_callbacks
):
    templates = tmp_path / "templates" / "certificates" / "pdf"
    templates.mkdir(parents=True)
    (templates / f"{coordinator.translation_key}.html").write_text(
        "<html><body><h1>Erityispohja</h1><p>{{ facts.name }} {{ certificate.display_code }}</p></body></html>"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}]

    enrolment = complete(coordinator, learner, django_capture_on_commit_callbacks)

    certificate = Certificate.objects.get(enrolment=enrolment)
    text = PdfReader(io.BytesIO(certificate.pdf.open("rb").read())).pages[0].extract_text()
    assert "Erityispohja" in text
    assert "Liisa Oppija" in text


def test_the_verification_page_is_one_query_and_offers_the_owner_the_files(
    client, coordinator, learner, django_capture_on_commit_callbacks, django_assert_num_queries
):
    enrolment = complete(coordinator, learner, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(enrolment=enrolment)
    url = f"/verify/{certificate.display_code}/"
    client.get("/verify/")  # the site's shared look-ups (the footer's pages) are cached by any page once

    with django_assert_num_queries(1):
        anonymous = client.get(url).content.decode()
    assert f"/certificates/{certificate.code}.pdf" not in anonymous
    client.force_login(learner)
    assert f"/certificates/{certificate.code}.pdf" in client.get(url).content.decode()
