"""Duplicate and concurrent submissions change nothing the second time."""

import threading

import pytest
from django.db import connection
from django.test import Client

from lms.courses import services
from lms.courses.enums import CompletionRule
from lms.courses.models import Enrolment, LessonProgress, ModuleCompletion
from lms.courses.signals import training_completed
from tests.conftest import requires_postgres
from tests.factories import LessonPageFactory, ModulePageFactory, TrainingPageFactory, question


@pytest.fixture
def quiz(index):
    training = TrainingPageFactory(parent=index)
    module = ModulePageFactory(parent=training)
    lesson = LessonPageFactory(
        parent=module, completion_rule=CompletionRule.ALL_CORRECT, body=[question("q1", correct=(1,))]
    )
    return training, lesson


@pytest.mark.django_db
def test_same_answer_twice_changes_nothing(quiz, learner):
    training, lesson = quiz
    enrolment = services.enrolment_create(user=learner, training=training)
    first = services.answer_submit(enrolment=enrolment, lesson=lesson, question_id="q1", selected=[1])
    stored = LessonProgress.objects.get(enrolment=enrolment)

    again = services.answer_submit(enrolment=enrolment, lesson=lesson, question_id="q1", selected=[1])

    assert first.changed
    assert not again.changed
    after = LessonProgress.objects.get(enrolment=enrolment)
    assert after.answers == stored.answers
    assert after.updated_at == stored.updated_at
    assert after.completed_at == stored.completed_at


@pytest.mark.django_db
def test_enrolling_twice_returns_the_first_enrolment(quiz, learner):
    training, _lesson = quiz
    first = services.enrolment_create(user=learner, training=training)
    assert services.enrolment_create(user=learner, training=training) == first
    assert Enrolment.objects.count() == 1


@pytest.mark.django_db
def test_posting_the_same_answer_twice_over_http(client, quiz, learner):
    training, lesson = quiz
    services.enrolment_create(user=learner, training=training)
    client.force_login(learner)
    url = f"/fi/learn/lessons/{lesson.pk}/questions/q1/"

    for _ in range(2):
        response = client.post(url, {"option": "1"})
        assert response.status_code == 302

    progress = LessonProgress.objects.get()
    assert progress.answers["q1"]["selected"] == [1]
    assert progress.completed_at is not None


def _run_in_threads(count, target):
    barrier = threading.Barrier(count)
    errors = []

    def run():
        try:
            barrier.wait(timeout=10)
            target()
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()  # each thread has its own connection; do not leak it

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_identical_answer_requests_record_one_completion(quiz, learner):
    training, lesson = quiz
    enrolment = services.enrolment_create(user=learner, training=training)
    events = []
    training_completed.connect(lambda sender, enrolment, **kw: events.append(enrolment.pk), weak=False)

    url = f"/fi/learn/lessons/{lesson.pk}/questions/q1/"
    clients = iter([Client() for _ in range(8)])
    statuses = []

    def post():
        client = next(clients)
        client.force_login(learner)
        statuses.append(client.post(url, {"option": "1"}).status_code)

    errors = _run_in_threads(8, post)

    assert errors == []
    assert statuses == [302] * 8
    assert LessonProgress.objects.filter(enrolment=enrolment).count() == 1
    assert ModuleCompletion.objects.filter(enrolment=enrolment).count() == 1
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
    assert events == [enrolment.pk]
    training_completed.receivers.clear()
    training_completed.sender_receivers_cache.clear()


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_enrolments_make_one(quiz, learner):
    training, _lesson = quiz

    errors = _run_in_threads(8, lambda: services.enrolment_create(user=learner, training=training))

    assert errors == []
    assert Enrolment.objects.filter(user=learner).count() == 1


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_visits_and_answers_stay_consistent(index, learner):
    training = TrainingPageFactory(parent=index)
    module = ModulePageFactory(parent=training)
    lessons = [LessonPageFactory(parent=module) for _ in range(4)]
    enrolment = services.enrolment_create(user=learner, training=training)
    work = iter(lessons * 3)
    lock = threading.Lock()

    def visit():
        with lock:
            lesson = next(work)
        services.lesson_open(enrolment=enrolment, lesson=lesson)

    errors = _run_in_threads(12, visit)

    assert errors == []
    assert LessonProgress.objects.filter(enrolment=enrolment, completed_at__isnull=False).count() == 4
    assert ModuleCompletion.objects.filter(enrolment=enrolment).count() == 1
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
