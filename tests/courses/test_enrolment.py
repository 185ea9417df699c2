"""Enrolment modes, prerequisites and the welcome e-mail."""

import pytest
from django.core import mail

from lms.courses import services
from lms.courses.enums import EnrolmentMode
from lms.courses.models import Enrolment, LessonPage, TrainingPrerequisite
from tests.factories import build_training

pytestmark = pytest.mark.django_db


def test_open_training_enrols_and_sends_one_welcome_email(index, learner, django_capture_on_commit_callbacks):
    training = build_training(index, title="Avoin koulutus")
    learner.preferred_language = "fi"
    learner.save()

    with django_capture_on_commit_callbacks(execute=True):
        enrolment = services.enrolment_create(user=learner, training=training)
        services.enrolment_create(user=learner, training=training)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [learner.email]
    assert "Avoin koulutus" in mail.outbox[0].subject
    assert "Tervetuloa" in mail.outbox[0].subject
    assert training.url in mail.outbox[0].body
    enrolment.refresh_from_db()
    assert enrolment.notified_at is not None
    assert services.enrolment_notify(enrolment_id=enrolment.pk) is False  # a re-run sends nothing
    assert len(mail.outbox) == 1


def test_key_training_needs_the_right_key(index, learner):
    training = build_training(index, enrolment_mode=EnrolmentMode.KEY, enrolment_key="Kevät-2026")

    with pytest.raises(services.EnrolmentError, match="key is not right"):
        services.enrolment_create(user=learner, training=training, key="syksy")
    assert not Enrolment.objects.exists()

    services.enrolment_create(user=learner, training=training, key=" kevät-2026 ")
    assert Enrolment.objects.filter(user=learner).count() == 1


def test_invitation_training_refuses_self_enrolment_but_not_staff(index, learner):
    training = build_training(index, enrolment_mode=EnrolmentMode.INVITATION)

    with pytest.raises(services.EnrolmentError, match="invitation only"):
        services.enrolment_create(user=learner, training=training)

    services.enrolment_create(user=learner, training=training, invited=True)
    assert Enrolment.objects.filter(user=learner).count() == 1


def test_prerequisite_must_be_completed_first(index, learner):
    coordinator = build_training(index, title="Koordinaattorikoulutus", lessons=1)
    trainer = build_training(index, title="Kouluttajakoulutus")
    TrainingPrerequisite.objects.create(training=trainer, required_training=coordinator)

    with pytest.raises(services.EnrolmentError, match="Complete this training first: Koordinaattorikoulutus"):
        services.enrolment_create(user=learner, training=trainer)

    enrolment = services.enrolment_create(user=learner, training=coordinator)
    services.lesson_open(enrolment=enrolment, lesson=LessonPage.objects.descendant_of(coordinator).get())
    assert services.enrolment_create(user=learner, training=trainer).training_id == trainer.pk


def test_enrol_view_shows_the_refusal_in_the_page_language(client, index, learner):
    training = build_training(index, enrolment_mode=EnrolmentMode.KEY, enrolment_key="avain")
    client.force_login(learner)

    response = client.post(f"/fi/learn/enrol/{training.pk}/", {"key": "väärä"}, follow=True)

    assert "Ilmoittautumisavain on väärä" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_enrol_view_takes_the_learner_to_the_first_lesson(client, index, learner):
    training = build_training(index)
    client.force_login(learner)

    response = client.post(f"/fi/learn/enrol/{training.pk}/")

    first = LessonPage.objects.descendant_of(training).order_by("path").first()
    assert response.status_code == 302
    assert response["Location"] == first.url
    assert Enrolment.objects.filter(user=learner, training=training).exists()


def test_enrolment_in_a_translation_points_at_the_default_language_training(index, learner, locales, homes):
    training = build_training(index)
    sv_index = index.copy_for_translation(locales["sv"])
    sv_index.save_revision().publish()
    swedish = training.copy_for_translation(locales["sv"])
    swedish.save_revision().publish()

    enrolment = services.enrolment_create(user=learner, training=swedish)

    assert enrolment.training_id == training.pk


def test_enrolment_with_the_broker_down_still_sends_the_email(
    index, learner, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from lms.courses.tasks import send_enrolment_email

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(send_enrolment_email, "delay", broker_down)
    training = build_training(index)

    with django_capture_on_commit_callbacks(execute=True):
        enrolment = services.enrolment_create(user=learner, training=training)

    enrolment.refresh_from_db()
    assert enrolment.notified_at is not None  # ran in-process instead of being lost
    assert len(mail.outbox) == 1
