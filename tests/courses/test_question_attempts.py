"""A trainer may limit the tries at a formative question; every answer records its try."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import ngettext

from lms.courses import services
from lms.courses.enums import CompletionRule
from lms.courses.models import LessonProgress
from tests.factories import LessonPageFactory, ModulePageFactory, TrainingPageFactory, question

pytestmark = pytest.mark.django_db


def limited(block_id: str, max_attempts: int, **kwargs) -> dict:
    block = question(block_id, **kwargs)
    block["value"]["max_attempts"] = max_attempts
    return block


@pytest.fixture
def lesson(index):
    training = TrainingPageFactory(parent=index)
    module = ModulePageFactory(parent=training)
    return LessonPageFactory(
        parent=module,
        completion_rule=CompletionRule.ALL_CORRECT,
        body=[limited("twice", 2, correct=(0,)), limited("free", 0, correct=(0,)), question("old", correct=(0,))],
    )


@pytest.fixture
def enrolment(lesson, learner):
    return services.enrolment_create(user=learner, training=lesson.get_parent().get_parent().specific)


def answers(enrolment) -> dict:
    return LessonProgress.objects.get(enrolment=enrolment).answers


def submit(enrolment, lesson, qid, selected):
    return services.answer_submit(enrolment=enrolment, lesson=lesson, question_id=qid, selected=selected)


def test_learner_cannot_answer_beyond_the_attempts_allowed(enrolment, lesson):
    submit(enrolment, lesson, "twice", [1])
    submit(enrolment, lesson, "twice", [2])

    with pytest.raises(services.AnswerError) as refusal:
        submit(enrolment, lesson, "twice", [0])

    assert "2" in str(refusal.value)
    stored = answers(enrolment)["twice"]
    assert stored["selected"] == [2]
    assert stored["correct"] is False
    assert stored["tries"] == 2


def test_the_refusal_is_in_the_learners_language(enrolment, lesson):
    submit(enrolment, lesson, "twice", [1])
    submit(enrolment, lesson, "twice", [2])
    with translation.override("fi"):
        expected = ngettext(
            "You have used your one attempt at this question.",
            "You have used all %(count)d attempts at this question.",
            2,
        ) % {"count": 2}
        with pytest.raises(services.AnswerError, match=expected):
            submit(enrolment, lesson, "twice", [0])


def test_sending_the_same_answer_again_is_not_a_try(enrolment, lesson):
    submit(enrolment, lesson, "twice", [1])
    again = submit(enrolment, lesson, "twice", [1])

    assert again.changed is False
    assert answers(enrolment)["twice"]["tries"] == 1
    assert submit(enrolment, lesson, "twice", [0]).correct  # the second try is still there
    assert submit(enrolment, lesson, "twice", [0]).changed is False  # and repeating it is no refusal


def test_no_limit_when_attempts_allowed_is_zero(enrolment, lesson):
    for selected in ([1], [2], [1], [2], [1], [0]):
        submit(enrolment, lesson, "free", selected)

    assert answers(enrolment)["free"]["tries"] == 6
    assert answers(enrolment)["free"]["right_at"] == 6


def test_a_question_never_answered_right_has_no_right_try(enrolment, lesson):
    submit(enrolment, lesson, "free", [1])
    submit(enrolment, lesson, "free", [2])

    assert "right_at" not in answers(enrolment)["free"]


def test_the_try_that_first_got_it_right_is_kept(enrolment, lesson):
    submit(enrolment, lesson, "free", [1])
    submit(enrolment, lesson, "free", [0])
    submit(enrolment, lesson, "free", [2])  # the latest answer counts, and it is wrong

    stored = answers(enrolment)["free"]
    assert stored["correct"] is False
    assert stored["tries"] == 3
    assert stored["right_at"] == 2


def test_an_answer_from_before_tries_were_counted_is_one_try(enrolment, lesson):
    submit(enrolment, lesson, "twice", [1])
    progress = LessonProgress.objects.get(enrolment=enrolment)
    progress.answers["twice"] = {"selected": [1], "correct": False, "answered_at": "2024-01-01T00:00:00+00:00"}
    progress.save()

    submit(enrolment, lesson, "twice", [0])  # the second try

    stored = answers(enrolment)["twice"]
    assert stored["tries"] == 2
    assert stored["right_at"] is None  # right, but at which try is unknown
    with pytest.raises(services.AnswerError):
        submit(enrolment, lesson, "twice", [2])


def test_the_lesson_says_how_many_attempts_are_left_and_closes_the_question(client, enrolment, lesson, learner):
    client.force_login(learner)
    url = f"/fi/learn/lessons/{lesson.pk}/questions/twice/"

    def section(html: str) -> str:
        return html.split('id="q-twice"', 1)[1].split("</section>", 1)[0]

    first = section(client.get(lesson.url).content.decode())
    assert 'data-attempts-left="2"' in first
    assert 'type="submit"' in first
    free = client.get(lesson.url).content.decode().split('id="q-free"', 1)[1].split("</section>", 1)[0]
    assert "data-attempts-left" not in free  # no limit, nothing to count

    client.post(url, {"option": "1"})
    after_one = section(client.get(lesson.url).content.decode())
    assert 'data-attempts-left="1"' in after_one

    client.post(url, {"option": "2"})
    spent = section(client.get(lesson.url).content.decode())
    assert 'data-attempts-left="0"' in spent
    assert 'type="submit"' not in spent
    assert "disabled" in spent


def test_a_refused_answer_is_shown_and_changes_nothing(client, enrolment, lesson, learner):
    client.force_login(learner)
    url = f"/fi/learn/lessons/{lesson.pk}/questions/twice/"
    client.post(url, {"option": "1"})
    client.post(url, {"option": "2"})

    response = client.post(url, {"option": "0"}, follow=True)

    with translation.override("fi"):
        expected = ngettext(
            "You have used your one attempt at this question.",
            "You have used all %(count)d attempts at this question.",
            2,
        ) % {"count": 2}
    assert expected in [str(message) for message in response.context["messages"]]
    assert answers(enrolment)["twice"]["selected"] == [2]


def test_a_refusal_costs_no_more_than_an_answer(client, enrolment, lesson, learner):
    client.force_login(learner)
    url = f"/fi/learn/lessons/{lesson.pk}/questions/twice/"
    client.get(lesson.url)
    client.post(url, {"option": "1"})

    def cost(option: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            client.post(url, {"option": option})
        return sum(1 for query in captured.captured_queries if "SAVEPOINT" not in query["sql"])

    answered = cost("2")
    refused = cost("0")
    assert refused <= answered
