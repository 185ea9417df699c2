"""Exam attempts: drawing, answering, submitting, scoring; each refusal named for what it stops."""


import pytest

from lms.courses import services as courses
from lms.exams import services
from tests.exams.factories import build_exam_training

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(index, learner):
    training, lesson, block, _pools = build_exam_training(index, questions_per_attempt=3)
    enrolment = courses.enrolment_create(user=learner, training=training, notify=False)
    return enrolment, lesson, block


def start(enrolment, lesson, block):
    return services.attempt_start(enrolment=enrolment, lesson_key=lesson.translation_key, block_id=block["id"])


def answer_all(attempt, *, right=True):
    for entry in attempt.questions:
        services.attempt_answer(attempt=attempt, question_id=entry["question"], value=[0 if right else 1])


def test_a_learner_starts_answers_and_passes(setup):
    enrolment, lesson, block = setup
    attempt = start(enrolment, lesson, block)
    assert attempt.number == 1
    assert len(attempt.questions) == 3
    assert all(sorted(entry["order"]) == [0, 1, 2] for entry in attempt.questions)
    answer_all(attempt)
    attempt = services.attempt_submit(attempt=attempt)
    assert attempt.score == 100
    assert attempt.passed is True
    assert set(attempt.results) == {entry["question"] for entry in attempt.questions}
    assert all(result == {"correct": True, "selected": [0]} for result in attempt.results.values())
