"""The learner's exam pages: the block on the lesson page, starting, the attempt page, answering, submitting.

Every request for someone else's attempt answers 404; nothing a browser sends makes a 500.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Locale

from lms.courses import services as courses
from lms.exams import services
from lms.exams.models import ExamAttempt
from tests.exams.factories import (
    build_exam_training,
    matching,
    numeric,
    pool_translation,
    question_pool,
    single,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(index, learner, client):
    training, lesson, block, _pools = build_exam_training(index, questions_per_attempt=3, time_limit_minutes=30)
    enrolment = courses.enrolment_create(user=learner, training=training, notify=False)
    client.force_login(learner)
    return enrolment, lesson, block


def start_url(lesson, block):
    return reverse("exams:start", args=[lesson.pk, block["id"]])


def started(client, lesson, block) -> ExamAttempt:
    response = client.post(start_url(lesson, block))
    assert response.status_code == 302
    return ExamAttempt.objects.get(pk=int(re.search(r"/attempts/(\d+)/", response["Location"]).group(1)))


def test_the_lesson_page_shows_the_exam_and_its_start_button(client, course):
    _enrolment, lesson, block = course
    html = client.get(lesson.url).content.decode()
    assert "Moduulin tentti" in html
    assert start_url(lesson, block) in html
    assert 'id="exam-tentti"' in html


def test_a_visitor_who_may_edit_sees_the_description_without_start(client, index, course):
    _enrolment, lesson, block = course
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser(email="admin@example.fi", password="x"))
    html = client.get(lesson.url).content.decode()
    assert "Moduulin tentti" in html
    assert start_url(lesson, block) not in html


def test_starting_leads_to_the_attempt_page_with_the_questions_in_the_drawn_order(client, course):
    _enrolment, lesson, block = course
    attempt = started(client, lesson, block)
    html = client.get(reverse("exams:attempt", args=[attempt.pk])).content.decode()
    positions = [html.index(f'id="q-{entry["question"]}"') for entry in attempt.questions]
    assert positions == sorted(positions)
    first = attempt.questions[0]
    shown = re.findall(rf'name="q-{first["question"]}" value="(\d+)"', html)
    assert [int(v) for v in shown] == first["order"]  # the options in their shuffled order
    assert "data-exam-timer" in html


def test_a_duplicate_start_post_returns_the_same_open_attempt(client, course):
    _enrolment, lesson, block = course
    assert started(client, lesson, block).pk == started(client, lesson, block).pk


def test_answers_are_saved_one_by_one_and_shown_after_a_reload(client, course):
    _enrolment, lesson, block = course
    attempt = started(client, lesson, block)
    question = attempt.questions[1]["question"]
    url = reverse("exams:answer", args=[attempt.pk])
    response = client.post(url, {"question": question, f"q-{question}": "2"}, HTTP_ACCEPT="application/json")
    assert response.json() == {"saved": True}
    html = client.get(reverse("exams:attempt", args=[attempt.pk])).content.decode()
    assert re.search(rf'name="q-{question}" value="2" checked', html)
    assert "data-remaining=" in html


def test_the_form_saves_every_question_without_javascript(client, course):
    _enrolment, lesson, block = course
    attempt = started(client, lesson, block)
    ids = [entry["question"] for entry in attempt.questions]
    data = {"shown": ids, f"q-{ids[0]}": "0", f"q-{ids[1]}": "1", "action": "save"}
    response = client.post(reverse("exams:answer", args=[attempt.pk]), data)
    assert response.status_code == 302
    assert ExamAttempt.objects.get(pk=attempt.pk).answers.keys() == {ids[0], ids[1]}


def test_submit_asks_for_confirmation_then_shows_the_result_with_feedback(client, course):
    _enrolment, lesson, block = course
    attempt = started(client, lesson, block)
    ids = [entry["question"] for entry in attempt.questions]
    response = client.post(
        reverse("exams:answer", args=[attempt.pk]), {"shown": ids, f"q-{ids[0]}": "0", "action": "submit"}
    )
    assert response["Location"] == reverse("exams:submit", args=[attempt.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="unanswered"' in page
    client.post(reverse("exams:submit", args=[attempt.pk]))  # no confirmation: nothing happens
    assert ExamAttempt.objects.get(pk=attempt.pk).submitted_at is None
    client.post(reverse("exams:submit", args=[attempt.pk]), {"confirm": "yes"})
    stored = ExamAttempt.objects.get(pk=attempt.pk)
    assert stored.score == 33
    html = client.get(reverse("exams:attempt", args=[attempt.pk])).content.decode()
    assert "33 %" in html
    assert "Palaute 0" in html  # the chosen option's feedback
    assert "Yleinen palaute." in html  # the question's


def test_the_score_only_review_shows_no_feedback(client, index, learner):
    training, lesson, block, _pools = build_exam_training(index, review="score")
    courses.enrolment_create(user=learner, training=training, notify=False)
    client.force_login(learner)
    attempt = started(client, lesson, block)
    services.attempt_submit(attempt=attempt)
    html = client.get(reverse("exams:attempt", args=[attempt.pk])).content.decode()
    assert 'data-testid="exam-score"' in html
    assert "Yleinen palaute." not in html


def test_the_results_wait_until_the_exam_closes(client, index, learner):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    training, lesson, block, _pools = build_exam_training(index, review="after_close", closes_on=tomorrow)
    courses.enrolment_create(user=learner, training=training, notify=False)
    client.force_login(learner)
    attempt = started(client, lesson, block)
    services.attempt_submit(attempt=attempt)
    html = client.get(reverse("exams:attempt", args=[attempt.pk])).content.decode()
    assert 'data-testid="exam-result-later"' in html
    assert 'data-testid="exam-score"' not in html
    assert "Yleinen palaute." not in html
    assert 'data-testid="exam-best"' not in client.get(lesson.url).content.decode()


def test_the_lesson_page_says_when_the_learner_may_try_again(client, index, learner):
    training, lesson, block, _pools = build_exam_training(index, wait_minutes=120)
    courses.enrolment_create(user=learner, training=training, notify=False)
    client.force_login(learner)
    services.attempt_submit(attempt=started(client, lesson, block))
    html = client.get(lesson.url).content.decode()
    assert 'data-testid="exam-refusal"' in html
    assert 'data-testid="exam-best"' in html
    response = client.post(start_url(lesson, block), follow=True)
    assert ExamAttempt.objects.count() == 1
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_an_overdue_attempt_is_scored_when_its_page_is_opened(client, course):
    _enrolment, lesson, block = course
    attempt = started(client, lesson, block)
    ExamAttempt.objects.filter(pk=attempt.pk).update(deadline_at=timezone.now() - datetime.timedelta(minutes=2))
    html = client.get(reverse("exams:attempt", args=[attempt.pk])).content.decode()
    assert 'data-testid="exam-score"' in html
    assert ExamAttempt.objects.get(pk=attempt.pk).submitted_at is not None


def test_an_answer_after_the_time_limit_is_refused_in_json(client, course):
    _enrolment, lesson, block = course
    attempt = started(client, lesson, block)
    ExamAttempt.objects.filter(pk=attempt.pk).update(deadline_at=timezone.now() - datetime.timedelta(minutes=2))
    question = attempt.questions[0]["question"]
    response = client.post(
        reverse("exams:answer", args=[attempt.pk]),
        {"question": question, f"q-{question}": "0"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 409
    assert response.json()["closed"] is True
    assert question not in ExamAttempt.objects.get(pk=attempt.pk).answers


@pytest.mark.parametrize("name", ["exams:attempt", "exams:submit"])
def test_learner_cannot_see_another_learners_attempt(client, course, other_learner, name):
    enrolment, lesson, block = course
    attempt = services.attempt_start(enrolment=enrolment, lesson_key=lesson.translation_key, block_id=block["id"])
    courses.enrolment_create(user=other_learner, training=enrolment.training, notify=False)
    client.force_login(other_learner)
    assert client.get(reverse(name, args=[attempt.pk])).status_code == 404


def test_learner_cannot_answer_another_learners_attempt(client, course, other_learner):
    enrolment, lesson, block = course
    attempt = services.attempt_start(enrolment=enrolment, lesson_key=lesson.translation_key, block_id=block["id"])
    question = attempt.questions[0]["question"]
    client.force_login(other_learner)
    response = client.post(reverse("exams:answer", args=[attempt.pk]), {"question": question, f"q-{question}": "0"})
    assert response.status_code == 404
    assert ExamAttempt.objects.get(pk=attempt.pk).answers == {}


def test_learner_cannot_submit_another_learners_attempt(client, course, other_learner):
    enrolment, lesson, block = course
    attempt = services.attempt_start(enrolment=enrolment, lesson_key=lesson.translation_key, block_id=block["id"])
    client.force_login(other_learner)
    assert client.post(reverse("exams:submit", args=[attempt.pk]), {"confirm": "yes"}).status_code == 404
    assert ExamAttempt.objects.get(pk=attempt.pk).submitted_at is None


def test_someone_not_enrolled_cannot_start(client, course, other_learner):
    _enrolment, lesson, block = course
    client.force_login(other_learner)
    assert client.post(start_url(lesson, block)).status_code == 404
    assert not ExamAttempt.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"question": "Q", "q-Q": "99"},
        {"question": "Q", "q-Q": "-1"},
        {"question": "Q", "q-Q": "kolme"},
        {"question": "no-such-question", "q-no-such-question": "0"},
        {"shown": ["Q", "ei-ole"], "q-Q": "0"},
        {"question": "Q", "q-Q": ["0", "1"]},
    ],
)
def test_tampered_answers_are_refused_without_a_500(client, course, data):
    _enrolment, lesson, block = course
    attempt = started(client, lesson, block)
    question = attempt.questions[0]["question"]
    data = {
        key.replace("Q", question): [v.replace("Q", question) for v in value]
        if isinstance(value, list)
        else value.replace("Q", question)
        for key, value in data.items()
    }
    response = client.post(reverse("exams:answer", args=[attempt.pk]), data, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["saved"] is False
    assert ExamAttempt.objects.get(pk=attempt.pk).answers == {}
    response = client.post(reverse("exams:answer", args=[attempt.pk]), data)
    assert response.status_code == 302


def test_numeric_and_matching_answers_through_the_form(client, index, learner):
    questions = [numeric("n", answer="2.5"), matching("x", pairs=3)]
    training, lesson, block, _pools = build_exam_training(index, questions=questions, questions_per_attempt=2)
    courses.enrolment_create(user=learner, training=training, notify=False)
    client.force_login(learner)
    attempt = started(client, lesson, block)
    order = next(entry["order"] for entry in attempt.questions if entry["question"] == "x")
    position = {index: p for p, index in enumerate(order)}  # the page posts where each match is shown
    data = {"shown": ["n", "x"], "q-n": "2,5", **{f"q-x-{left}": str(position[left]) for left in range(3)}}
    client.post(reverse("exams:answer", args=[attempt.pk]), data)
    stored = ExamAttempt.objects.get(pk=attempt.pk)
    assert stored.answers["n"]["value"] == "2,5"
    assert stored.answers["x"]["value"] == [0, 1, 2]
    html = client.get(reverse("exams:attempt", args=[attempt.pk])).content.decode()
    assert 'value="2,5"' in html
    client.post(reverse("exams:submit", args=[attempt.pk]), {"confirm": "yes"})
    assert ExamAttempt.objects.get(pk=attempt.pk).score == 100


def test_a_learner_reads_the_questions_in_their_language(client, index, learner, locales):
    question = single("k1", prompt="<p>Suomeksi?</p>")
    pool = question_pool(question)
    swedish = single("k1", prompt="<p>På svenska?</p>")
    pool_translation(pool, locales["sv"], swedish)
    training, lesson, block, _pools = build_exam_training(index, pools=[pool], questions_per_attempt=1)
    courses.enrolment_create(user=learner, training=training, notify=False)
    client.force_login(learner)
    attempt = started(client, lesson, block)
    with_sv = client.get(f"/sv{reverse('exams:attempt', args=[attempt.pk])[3:]}").content.decode()
    assert "På svenska?" in with_sv
    in_en = client.get(f"/en{reverse('exams:attempt', args=[attempt.pk])[3:]}").content.decode()
    assert "Suomeksi?" in in_en
    assert 'lang="fi"' in in_en
    assert Locale.objects.filter(language_code="sv").exists()
