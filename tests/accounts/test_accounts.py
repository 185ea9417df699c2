"""Profile, language after login, personal data export and erasure."""

import json
from pathlib import Path

import pytest

from lms.accounts.models import User
from lms.courses import services
from lms.courses.models import Enrolment, LessonPage, LessonProgress
from tests.factories import build_training

pytestmark = pytest.mark.django_db


def test_login_takes_the_learner_to_their_language(client, learner):
    learner.preferred_language = "sv"
    learner.save()

    response = client.post("/fi/accounts/login/", {"login": learner.email, "password": "correct horse battery"})

    assert response.status_code == 302
    assert response["Location"] == "/sv/learn/"


def test_profile_saves_the_certificate_name(client, learner):
    client.force_login(learner)

    response = client.post(
        "/fi/accounts/profile/",
        {"certificate_name": "Liisa Maria Oppija", "organisation": "Kela", "preferred_language": "en"},
    )

    assert response["Location"] == "/en/accounts/profile/"
    learner.refresh_from_db()
    assert learner.certificate_name == "Liisa Maria Oppija"


def test_export_holds_the_learners_progress_and_reflections_only(client, index, learner, other_learner):
    training = build_training(index, title="Koulutus A")
    lesson = LessonPage.objects.descendant_of(training).first()
    for user in (learner, other_learner):
        enrolment = services.enrolment_create(user=user, training=training)
        services.lesson_open(enrolment=enrolment, lesson=lesson)
    client.force_login(learner)

    response = client.get("/fi/accounts/profile/my-data.json")

    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["account"]["email"] == learner.email
    assert data["trainings"][0]["training"] == "Koulutus A"
    assert data["trainings"][0]["lessons"][0]["lesson"] == lesson.title
    assert other_learner.email not in response.content.decode()


def test_erasure_needs_the_password_and_removes_everything(client, index, learner, other_learner):
    training = build_training(index)
    for user in (learner, other_learner):
        enrolment = services.enrolment_create(user=user, training=training)
        services.lesson_open(enrolment=enrolment, lesson=LessonPage.objects.descendant_of(training).first())
    client.force_login(learner)

    wrong = client.post("/fi/accounts/profile/delete/", {"password": "nope"})
    assert "Nothing was deleted" in wrong.content.decode() or "Mitään ei poistettu" in wrong.content.decode()
    assert User.objects.filter(pk=learner.pk).exists()

    client.post("/fi/accounts/profile/delete/", {"password": "correct horse battery"})

    assert not User.objects.filter(pk=learner.pk).exists()
    assert not Enrolment.objects.filter(user_id=learner.pk).exists()
    assert LessonProgress.objects.filter(enrolment__user=other_learner).count() == 1
    assert client.get("/fi/learn/").status_code == 302  # logged out


def test_password_reset_mail_is_sent_through_the_task_queue_in_the_users_language(
    client, learner, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core import mail

    from lms.accounts import tasks

    queued = []
    original = tasks.send_rendered_email.delay
    monkeypatch.setattr(tasks.send_rendered_email, "delay", lambda *args: (queued.append(args), original(*args))[1])
    learner.preferred_language = "sv"
    learner.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/fi/accounts/password/reset/", {"email": learner.email.upper()})

    assert response.status_code == 302
    assert len(queued) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [learner.email]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert "lösenord" in mail.outbox[0].subject.lower() or "lösenord" in mail.outbox[0].body.lower()


def test_erasure_withdraws_certificates_and_deletes_their_files(
    client, index, learner, django_capture_on_commit_callbacks, settings, tmp_path
):
    from lms.certificates.enums import CertificateStatus
    from lms.certificates.models import Certificate

    settings.MEDIA_ROOT = tmp_path
    training = build_training(index, lessons=1)
    enrolment = services.enrolment_create(user=learner, training=training)
    with django_capture_on_commit_callbacks(execute=True):
        services.lesson_open(enrolment=enrolment, lesson=LessonPage.objects.descendant_of(training).get())
    certificate = Certificate.objects.get()
    pdf_path = certificate.pdf.path
    client.force_login(learner)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/fi/accounts/profile/delete/", {"password": "correct horse battery"})

    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.WITHDRAWN
    assert certificate.enrolment is None
    assert not certificate.pdf
    assert certificate.credential is None
    assert "name" not in certificate.facts
    assert not User.objects.filter(pk=learner.pk).exists()
    assert not Path(pdf_path).exists()
