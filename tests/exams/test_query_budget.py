"""What the exam's pages and POSTs cost in queries: a fixed budget, whatever the pool's size or the attempts' number.

Pools and structures come from the cache (warmed by a first request); savepoints are not counted
(see tests/courses/test_query_budget.py).
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms.courses import services as courses
from lms.courses.structure import live_lesson
from lms.exams import services
from lms.exams.models import ExamAttempt
from tests.exams.factories import build_exam_training, single

pytestmark = pytest.mark.django_db


def cost(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code < 400, response.status_code
    return sum(1 for query in captured.captured_queries if "SAVEPOINT" not in query["sql"])


def build(index, learner, client, *, questions: int, attempts: int):
    training, lesson, block, _pools = build_exam_training(
        index, questions=[single() for _ in range(questions)], questions_per_attempt=min(questions, 5)
    )
    enrolment = courses.enrolment_create(user=learner, training=training, notify=False)
    for _n in range(attempts):
        attempt = services.attempt_start(enrolment=enrolment, lesson_key=lesson.translation_key, block_id=block["id"])
        services.attempt_submit(attempt=attempt)
    client.force_login(learner)
    client.get(lesson.url)  # records the visit and warms the caches
    live_lesson(lesson.pk)  # as any learner's start or answer before did
    return lesson, block


@pytest.mark.parametrize(("questions", "attempts"), [(5, 0), (40, 6)])
def test_the_lesson_page_with_an_exam_costs_one_query_more(client, index, learner, questions, attempts):
    lesson, _block = build(index, learner, client, questions=questions, attempts=attempts)
    assert cost(lambda: client.get(lesson.url)) <= 2  # the lesson's own, and the learner's attempts


@pytest.mark.parametrize(("questions", "attempts"), [(5, 0), (40, 6)])
def test_starting_costs_a_fixed_few_queries(client, index, learner, questions, attempts):
    lesson, block = build(index, learner, client, questions=questions, attempts=attempts)
    url = reverse("exams:start", args=[lesson.pk, block["id"]])
    # the enrolment, its lock, the attempts so far, the new one
    assert cost(lambda: client.post(url)) <= 4


@pytest.mark.parametrize(("questions", "attempts"), [(5, 0), (40, 6)])
def test_answering_and_the_attempt_page_cost_a_fixed_few_queries(client, index, learner, questions, attempts):
    lesson, block = build(index, learner, client, questions=questions, attempts=attempts)
    response = client.post(reverse("exams:start", args=[lesson.pk, block["id"]]))
    attempt_id = int(re.search(r"/attempts/(\d+)/", response["Location"]).group(1))
    page = reverse("exams:attempt", args=[attempt_id])
    client.get(page)
    assert cost(lambda: client.get(page)) <= 2
    question = ExamAttempt.objects.get(pk=attempt_id).questions[0]["question"]
    url = reverse("exams:answer", args=[attempt_id])
    # the attempt (with its enrolment), the lock, the attempt again, its update
    assert (
        cost(lambda: client.post(url, {"question": question, f"q-{question}": "1"}, HTTP_ACCEPT="application/json"))
        <= 4
    )
    assert (
        cost(lambda: client.post(url, {"question": question, f"q-{question}": "0"}, HTTP_ACCEPT="application/json"))
        <= 6
    )
