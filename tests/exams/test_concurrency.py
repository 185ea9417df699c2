"""Racing requests: two starts make one attempt, two submissions score once (PostgreSQL's row locks)."""

import pytest

from lms.courses import services as courses
from lms.exams import services
from lms.exams.models import ExamAttempt
from tests.conftest import requires_postgres
from tests.courses.test_idempotency import _run_in_threads
from tests.exams.factories import build_exam_training


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_starts_make_one_open_attempt(index, learner):
    training, lesson, block, _pools = build_exam_training(index)
    enrolment = courses.enrolment_create(user=learner, training=training, notify=False)
    started = []

    def start():
        started.append(
            services.attempt_start(enrolment=enrolment, lesson_key=lesson.translation_key, block_id=block["id"]).pk
        )

    assert _run_in_threads(6, start) == []
    assert ExamAttempt.objects.count() == 1
    assert set(started) == {ExamAttempt.objects.get().pk}


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_score_once(index, learner):
    training, lesson, block, _pools = build_exam_training(index)
    enrolment = courses.enrolment_create(user=learner, training=training, notify=False)
    attempt = services.attempt_start(enrolment=enrolment, lesson_key=lesson.translation_key, block_id=block["id"])
    for entry in attempt.questions:
        services.attempt_answer(attempt=attempt, question_id=entry["question"], value=[0])
    refusals = []

    def submit():
        try:
            services.attempt_submit(attempt=ExamAttempt.objects.select_related("enrolment__training").get())
        except services.ExamError as refusal:
            refusals.append(refusal.status)

    assert _run_in_threads(6, submit) == []
    assert refusals == [409] * 5
    stored = ExamAttempt.objects.get()
    assert stored.score == 100
    assert stored.passed is True
