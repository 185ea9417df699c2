"""The xAPI statement endpoint and saved state: what it accepts, what it refuses, what it changes."""

import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lms.courses import services as courses
from lms.courses.enums import CompletionRule
from lms.courses.models import LessonProgress
from lms.h5p import services
from lms.h5p.models import H5PAttempt, H5PUserData, XAPIStatement
from tests.factories import LessonPageFactory, ModulePageFactory, TrainingPageFactory, question
from tests.h5p.conftest import make_package

pytestmark = pytest.mark.django_db
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"


def statement(activity, user=None, *, verb=ANSWERED, raw=1, maximum=1, success=True, sub=None, **extra):
    object_id = services.activity_iri(activity.pk) + (f"?subContentId={sub}" if sub else "")
    body = {
        "id": str(uuid.uuid4()),
        "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[-1]}},
        "object": {"id": object_id, "objectType": "Activity"},
        "result": {
            "score": {"raw": raw, "max": maximum, "min": 0},
            "success": success,
            "completion": True,
            "duration": "PT12.5S",
        },
        **extra,
    }
    if user is not None:
        body["actor"] = {"name": "learner", "mbox": services.learner_mbox(user), "objectType": "Agent"}
    return body


def post(client, lesson, payload, **headers):
    data = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(f"/xapi/statements/{lesson.pk}/", data, content_type="application/json", **headers)


@pytest.fixture
def enrolled(client, h5p_lesson, learner):
    training, lesson = h5p_lesson
    enrolment = courses.enrolment_create(user=learner, training=training)
    client.force_login(learner)
    return enrolment, lesson


def nothing_stored():
    return not XAPIStatement.objects.exists() and not H5PAttempt.objects.exists()


def test_an_answer_updates_the_attempt_and_completes_the_lesson(client, enrolled, activity, learner):
    enrolment, lesson = enrolled

    response = post(client, lesson, statement(activity, learner, raw=3, maximum=4))

    assert response.status_code == 200
    attempt = H5PAttempt.objects.get(enrolment=enrolment, activity=activity)
    assert (attempt.score_raw, attempt.score_max, attempt.percent) == (3, 4, 75)
    assert attempt.completed
    assert attempt.duration.total_seconds() == 12.5
    stored = XAPIStatement.objects.get()
    assert stored.statement["actor"]["account"]["name"] == str(learner.pk)  # the actor is ours, always
    assert LessonProgress.objects.get(enrolment=enrolment).completed_at is not None


def test_a_resent_statement_changes_nothing_and_a_conflicting_one_is_refused(client, enrolled, activity, learner):
    _enrolment, lesson = enrolled
    body = statement(activity, learner)
    assert post(client, lesson, body).status_code == 200
    before = XAPIStatement.objects.get().stored_at

    again = post(client, lesson, body)

    assert again.status_code == 200
    assert XAPIStatement.objects.count() == 1
    assert XAPIStatement.objects.get().stored_at == before
    conflicting = {**body, "result": {"score": {"raw": 0, "max": 1}}}
    assert post(client, lesson, conflicting).status_code == 409
    assert XAPIStatement.objects.count() == 1


def test_a_batch_with_the_same_id_twice_is_a_bad_request(client, enrolled, activity, learner):
    _enrolment, lesson = enrolled
    body = statement(activity, learner)
    assert post(client, lesson, [body, body]).status_code == 400
    assert nothing_stored()


@pytest.mark.parametrize(
    ("make", "status"),
    [
        (lambda a, u, other: statement(a, other), 403),  # about another person
        (lambda a, u, other: {**statement(a, u), "verb": {"id": "http://example.com/hacked"}}, 400),
        (lambda a, u, other: {**statement(a, u), "object": {"id": "http://testserver/h5p/activities/999999"}}, 404),
        (lambda a, u, other: {**statement(a, u), "id": "not-a-uuid"}, 400),
        (lambda a, u, other: [], 400),
        (lambda a, u, other: "{not json", 400),
    ],
    ids=["other-actor", "unknown-verb", "unknown-activity", "bad-id", "empty-batch", "malformed-json"],
)
def test_refusals_store_nothing(client, enrolled, activity, learner, other_learner, make, status):
    _enrolment, lesson = enrolled
    assert post(client, lesson, make(activity, learner, other_learner)).status_code == status
    assert nothing_stored()


def test_a_huge_body_is_refused(client, enrolled, activity, learner):
    _enrolment, lesson = enrolled
    body = statement(activity, learner, padding="x" * 100_000)
    assert post(client, lesson, body).status_code == 413
    assert nothing_stored()


def test_not_enrolled_and_anonymous_are_refused(client, h5p_lesson, activity, other_learner):
    _training, lesson = h5p_lesson
    assert post(client, lesson, statement(activity)).status_code == 401
    client.force_login(other_learner)
    assert post(client, lesson, statement(activity, other_learner)).status_code == 403
    assert client.get(f"/xapi/statements/{lesson.pk}/").status_code == 405
    assert nothing_stored()


def test_sub_content_statements_are_kept_but_do_not_score_the_activity(client, enrolled, activity, learner):
    enrolment, lesson = enrolled
    assert post(client, lesson, statement(activity, learner, sub="abc-123")).status_code == 200
    assert XAPIStatement.objects.count() == 1
    assert not H5PAttempt.objects.filter(enrolment=enrolment).exists()


def test_a_failed_result_does_not_complete_an_activity_with_a_pass_mark(client, index, installer, learner):
    activity = services.activity_create(upload=make_package(), title="Koe", user=installer, pass_mark=80)
    training = TrainingPageFactory(parent=index)
    lesson = LessonPageFactory(
        parent=ModulePageFactory(parent=training),
        completion_rule=CompletionRule.H5P_PASSED,
        body=[{"type": "h5p", "value": {"activity": activity.pk, "title": "", "pass_mark": None}}],
    )
    enrolment = courses.enrolment_create(user=learner, training=training)
    client.force_login(learner)

    post(
        client,
        lesson,
        statement(activity, learner, verb="http://adlnet.gov/expapi/verbs/failed", raw=3, maximum=5, success=False),
    )
    assert LessonProgress.objects.get(enrolment=enrolment).completed_at is None

    post(client, lesson, statement(activity, learner, raw=4, maximum=5))
    assert LessonProgress.objects.get(enrolment=enrolment).completed_at is not None


def test_credit_bearing_training_also_needs_server_checked_answers(client, index, activity, learner):
    training = TrainingPageFactory(parent=index, credit_requires_checked_answers=True)
    lesson = LessonPageFactory(
        parent=ModulePageFactory(parent=training),
        completion_rule=CompletionRule.H5P_COMPLETED,
        body=[
            {"type": "h5p", "value": {"activity": activity.pk, "title": "", "pass_mark": None}},
            question("q1", correct=(0,)),
        ],
    )
    enrolment = courses.enrolment_create(user=learner, training=training)
    client.force_login(learner)

    post(client, lesson, statement(activity, learner))
    assert LessonProgress.objects.get(enrolment=enrolment).completed_at is None

    courses.answer_submit(enrolment=enrolment, lesson=lesson, question_id="q1", selected=[0])
    assert LessonProgress.objects.get(enrolment=enrolment).completed_at is not None


def test_saved_state_round_trip_and_refusals(client, enrolled, activity, learner, other_learner):
    _enrolment, lesson = enrolled
    url = f"/h5p/lessons/{lesson.pk}/activities/{activity.pk}/user-data/state/0/"
    assert client.get(url).json() == {"success": True, "data": False}

    saved = client.post(
        url, {"data": '{"answer":true}', "preload": "1", "invalidate": "1"}, HTTP_ORIGIN="http://testserver"
    )
    assert saved.json() == {"success": True}
    assert client.get(url).json() == {"success": True, "data": '{"answer":true}'}

    assert client.post(url, {"data": "{}"}, HTTP_ORIGIN="https://evil.example").status_code == 403
    client.post(url, {"data": "0"}, HTTP_ORIGIN="http://testserver")  # H5P's way to reset
    assert not H5PUserData.objects.exists()

    client.force_login(other_learner)
    assert client.get(url).status_code == 403


def test_content_and_library_files_need_a_login_and_stay_inside(client, activity, learner):
    content = f"/h5p/content/{activity.pk}/content/content.json"
    library = "/h5p/libraries/H5P.Tiny-1.0/tiny.js"
    assert client.get(content).status_code == 302
    client.force_login(learner)
    assert json.loads(b"".join(client.get(content).streaming_content)) == {"question": "Onko tämä testi?"}
    response = client.get(library)
    assert response["Content-Type"].startswith(("text/javascript", "application/javascript"))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/h5p/content/{activity.pk}/../../secret.txt").status_code == 404
    assert client.get(f"/h5p/content/{activity.pk}/content/%2e%2e/%2e%2e/x.json").status_code == 404


def test_lesson_page_queries_do_not_grow_with_activities(client, index, installer, learner):
    activities = [services.activity_create(upload=make_package(), title=f"T{n}", user=installer) for n in range(10)]

    def lesson_with(count):
        training = TrainingPageFactory(parent=index)
        lesson = LessonPageFactory(
            parent=ModulePageFactory(parent=training),
            completion_rule=CompletionRule.H5P_COMPLETED,
            body=[
                {"type": "h5p", "value": {"activity": a.pk, "title": "", "pass_mark": None}} for a in activities[:count]
            ],
        )
        enrolment = courses.enrolment_create(user=learner, training=training)
        for activity in activities[:count]:
            services.statements_record(
                user=learner,
                lesson=lesson,
                activities={activity.pk: activity},
                payload=statement(activity, learner, raw=0, maximum=1, success=False),
            )
        courses.lesson_open(enrolment=enrolment, lesson=lesson)
        return lesson

    one, ten = lesson_with(1), lesson_with(10)
    client.force_login(learner)

    def count(lesson):
        client.get(lesson.url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(lesson.url)
        assert response.status_code == 200
        assert response.content.decode().count("data-h5p-activity") == len(lesson.h5p_requirements())
        return len(queries)

    assert count(one) == count(ten)
