"""What a learner's requests cost, in queries: a fixed budget, whatever the training's size.

Everything that is the same for every learner (routes, structures, translations, sessions) comes
from the cache; these budgets count what is personal. Savepoints are not counted: in production a
request's transaction is the outermost one and opens none.
"""

import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lms.courses import services
from lms.courses.enums import CompletionRule
from lms.courses.models import LessonPage, LessonProgress
from lms.h5p import services as h5p
from lms.h5p.models import H5PAttempt, H5PUserData
from tests.factories import (
    H5P_INSTALLER,
    LessonPageFactory,
    ModulePageFactory,
    TrainingPageFactory,
    build_training,
    question,
    user_with_permissions,
)
from tests.h5p.conftest import make_package
from tests.selfassessment.factories import self_assessment_block, self_assessment_create

pytestmark = pytest.mark.django_db


def cost(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code < 400, response.status_code
    return sum(1 for query in captured.captured_queries if "SAVEPOINT" not in query["sql"])


@pytest.fixture
def course(client, index, learner):
    training = build_training(index, modules=5, lessons=10, body=[question("q1")])
    services.enrolment_create(user=learner, training=training)
    client.force_login(learner)
    return training, LessonPage.objects.descendant_of(training).order_by("path")


@pytest.fixture
def h5p_course(client, index, learner):
    activity = h5p.activity_create(upload=make_package(), title="T", user=user_with_permissions(*H5P_INSTALLER))
    training = TrainingPageFactory(parent=index)
    module = ModulePageFactory(parent=training)
    lessons = [
        LessonPageFactory(
            parent=module, body=[{"type": "h5p", "value": {"activity": activity.pk, "title": "", "pass_mark": None}}]
        )
        for _ in range(3)
    ]
    services.enrolment_create(user=learner, training=training)
    client.force_login(learner)
    return lessons[0], activity


def test_pages_cost_a_fixed_few_queries(client, course):
    training, lessons = course
    lesson = lessons[3]
    client.get(lesson.url)  # the first visit records it and warms the caches
    # The enrolment with its progress (the dashboard: all enrolments, then their progress); the user
    # comes from the cache and the catalogue needs no progress.
    # My trainings adds the learner's upcoming contact sessions (lms.schedule: one query, never cached).
    budgets = {lesson.url: 1, training.url: 1, "/fi/learn/": 3, training.get_children().first().url: 1, "/fi/": 1}
    for url, budget in budgets.items():
        client.get(url)
        assert cost(lambda url=url: client.get(url)) <= budget, url


def test_an_h5p_lesson_reads_its_attempts_and_saved_states_with_the_enrolment(client, h5p_course):
    lesson, _activity = h5p_course
    client.get(lesson.url)
    assert cost(lambda: client.get(lesson.url)) <= 1  # they ride in the enrolment's query (LessonRider)


def test_each_activity_shows_its_own_attempt_and_saved_state_and_no_one_elses(client, index, learner, other_learner):
    """Two activities on a lesson: one with a result, the other with a saved state; another
    learner's records of the same activities stay theirs. One query for all of it."""
    installer = user_with_permissions(*H5P_INSTALLER)
    scored, resumed = (h5p.activity_create(upload=make_package(), title=t, user=installer) for t in ("A", "B"))
    training = TrainingPageFactory(parent=index)
    body = [{"type": "h5p", "value": {"activity": a.pk, "title": "", "pass_mark": None}} for a in (scored, resumed)]
    lesson = LessonPageFactory(parent=ModulePageFactory(parent=training), body=body)
    mine = services.enrolment_create(user=learner, training=training)
    theirs = services.enrolment_create(user=other_learner, training=training)
    H5PAttempt.objects.create(enrolment=mine, activity=scored, score_scaled="0.75", completed=True)
    H5PAttempt.objects.create(enrolment=theirs, activity=resumed, score_scaled="0.10")
    H5PUserData.objects.create(user=learner, activity=resumed, data_type="state", data='{"mine":1}')
    H5PUserData.objects.create(user=other_learner, activity=scored, data_type="state", data='{"theirs":1}')
    client.force_login(learner)
    client.get(lesson.url)

    with CaptureQueriesContext(connection) as captured:
        html = client.get(lesson.url).content.decode()

    assert len([q for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]) <= 1
    assert "75 %" in html  # the result of the one with a result
    assert "10 %" not in html
    assert 'data-state="{&quot;mine&quot;:1}"' in html  # the state of the other
    assert "theirs" not in html


def test_an_answer_costs_a_few_queries(client, course):
    _training, lessons = course
    lesson = lessons[0]
    url = f"/fi/learn/lessons/{lesson.pk}/questions/q1/"
    client.post(url, {"option": "1"})
    assert cost(lambda: client.post(url, {"option": "2"})) <= 4  # a changed answer: written


def test_a_wrong_answer_in_a_gated_lesson_asks_nothing_of_the_gate(client, index, learner):
    """The self-assessment gate is read only once the questions' rule is met (inside the lock)."""
    assessment = self_assessment_create()
    training = build_training(
        index,
        modules=1,
        lessons=2,
        rule=CompletionRule.ALL_CORRECT,
        body=[question("q1"), self_assessment_block(assessment)],
    )
    services.enrolment_create(user=learner, training=training)
    client.force_login(learner)
    lesson = LessonPage.objects.descendant_of(training).order_by("path").first()
    url = f"/fi/learn/lessons/{lesson.pk}/questions/q1/"
    client.post(url, {"option": "1"})
    with CaptureQueriesContext(connection) as captured:
        client.post(url, {"option": "2"})  # wrong again: written, and nothing completes
    assert not [q for q in captured.captured_queries if "selfassessment_response" in q["sql"]]
    with CaptureQueriesContext(connection) as captured:
        client.post(url, {"option": "0"})  # right: now the gate is asked, and holds the lesson
    assert [q for q in captured.captured_queries if "selfassessment_response" in q["sql"]]
    assert LessonProgress.objects.get(enrolment__user=learner, lesson_key=lesson.translation_key).completed_at is None


def statement(activity, verb: str) -> str:
    return json.dumps(
        {
            "id": str(uuid.uuid4()),
            "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}"},
            "object": {"id": h5p.activity_iri(activity.pk)},
            "result": {"completion": True, "score": {"raw": 1, "max": 1, "min": 0}, "success": True},
        }
    )


def test_statements_cost_a_few_queries(client, h5p_course):
    lesson, activity = h5p_course
    url = f"/xapi/statements/{lesson.pk}/"

    def post(verb):
        return lambda: client.post(url, statement(activity, verb), content_type="application/json")

    post("interacted")()
    assert cost(post("interacted")) <= 2  # the enrolment, the insert
    post("completed")()  # completes the activity (and the lesson)
    assert cost(post("completed")) <= 3  # H5P repeats it: the attempt is read, nothing changes
