"""*Continue where you left off* leads to the first lesson not completed, never past an open one."""

import re

import pytest

from lms.courses import services
from lms.courses.enums import CompletionRule
from lms.courses.models import LessonPage
from tests.factories import build_training, question

pytestmark = pytest.mark.django_db


@pytest.fixture
def lessons(index):
    """A training of four lessons, each completed by answering its question right (the first option)."""
    training = build_training(index, lessons=4, rule=CompletionRule.ALL_CORRECT, body=[question("q1", correct=(0,))])
    return training, list(LessonPage.objects.descendant_of(training).order_by("path"))


def continue_link(client) -> str:
    html = client.get("/fi/learn/").content.decode()
    return re.search(r'<a class="button" href="([^"]+)">Jatka', html).group(1)


def test_continue_leads_to_the_first_unfinished_lesson_not_the_last_visited(client, learner, lessons):
    # Given a learner who opened lessons 1 to 3 and completed only the second
    training, (first, second, third, _fourth) = lessons
    enrolment = services.enrolment_create(user=learner, training=training)
    for lesson in (first, second, third):
        services.lesson_open(enrolment=enrolment, lesson=lesson)
    services.answer_submit(enrolment=enrolment, lesson=second, question_id="q1", selected=[0])
    client.force_login(learner)

    # Then My trainings sends them back to the first, still open, not to the third they saw last
    assert continue_link(client) == first.url

    # And once the first is completed too, on to the third (the cached page follows)
    services.answer_submit(enrolment=enrolment, lesson=first, question_id="q1", selected=[0])
    assert continue_link(client) == third.url
