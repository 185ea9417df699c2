"""The xAPI statement endpoint and saved state: what it accepts, what it refuses, what it changes."""

import json
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
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


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_resent_statement_is_still_caught(client, h5p_lesson, learner, activity):
    """As in production (autocommit): the insert is its own transaction, and a repeat breaks nothing after it."""
    training, lesson = h5p_lesson
    courses.enrolment_create(user=learner, training=training)
    client.force_login(learner)
    body = statement(activity, learner)
    assert post(client, lesson, body).status_code == 200
    assert post(client, lesson, body).status_code == 200
    assert post(client, lesson, {**body, "result": {"score": {"raw": 0, "max": 1}}}).status_code == 409
    assert post(client, lesson, statement(activity, learner)).status_code == 200, "the connection is still usable"
    assert XAPIStatement.objects.filter(activity=activity).count() == 2  # beside Kyky's "registered"


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


def scored(activity, user, **score):
    body = statement(activity, user)
    body["result"]["score"] = score
    return body


@pytest.mark.parametrize(
    ("make", "status"),
    [
        (lambda a, u: scored(a, u, scaled=1.5, raw=1, min=0, max=1), 400),
        (lambda a, u: scored(a, u, scaled=-1.01), 400),
        (lambda a, u: scored(a, u, raw=7, min=0, max=5), 400),
        (lambda a, u: scored(a, u, raw=-1, min=0, max=5), 400),
        (lambda a, u: scored(a, u, raw=1, min=5, max=1), 400),
        (lambda a, u: scored(a, u, raw=10**20, min=0, max=10**21), 400),
        (lambda a, u: json.dumps(statement(a, u)).replace('"raw": 1', '"raw": NaN'), 400),
        (lambda a, u: json.dumps(statement(a, u)).replace('"raw": 1', '"raw": 1e400'), 400),
        (lambda a, u: json.dumps(statement(a, u)).replace('"PT12.5S"', '"\\u0000"'), 400),
        (lambda a, u: json.dumps(statement(a, u)).replace('"PT12.5S"', '"\\ud800"'), 400),
        (lambda a, u: "[" * 20_000 + "]" * 20_000, 400),
        (lambda a, u: {**statement(a, u), "result": {"duration": "P99999999999999D"}}, 400),
    ],
    ids=[
        "scaled-above-one",
        "scaled-below-minus-one",
        "raw-above-max",
        "raw-below-min",
        "min-above-max",
        "score-too-large-to-store",
        "nan-literal",
        "number-overflowing-to-infinity",
        "nul-byte",
        "lone-surrogate",
        "deep-nesting",
        "duration-overflowing-timedelta",
    ],
)
def test_results_outside_the_xapi_ranges_are_refused_not_clamped(client, enrolled, activity, learner, make, status):
    """xAPI says an LRS refuses such statements with 400; a clamped score would be one the learner never got."""
    _enrolment, lesson = enrolled
    payload = make(activity, learner)
    if isinstance(payload, str):
        response = client.post(f"/xapi/statements/{lesson.pk}/", payload, content_type="application/json")
    else:
        response = post(client, lesson, payload)
    assert response.status_code == status
    assert "error" in response.json()
    assert nothing_stored()


def test_a_negative_score_within_range_is_kept_as_sent(client, enrolled, activity, learner):
    _enrolment, lesson = enrolled
    assert post(client, lesson, scored(activity, learner, scaled=-0.5, raw=-1, min=-2, max=2)).status_code == 200
    attempt = H5PAttempt.objects.get()
    assert attempt.score_scaled == Decimal("-0.5")
    assert attempt.score_raw == -1


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


def test_a_forged_h5p_result_alone_never_completes_a_lesson_in_a_credit_training(client, index, activity, learner):
    """A lesson published some other way (an import, a workflow) without a question still earns nothing."""
    training = TrainingPageFactory(parent=index, credit_requires_checked_answers=True)
    lesson = LessonPageFactory(
        parent=ModulePageFactory(parent=training),
        completion_rule=CompletionRule.H5P_PASSED,
        body=[{"type": "h5p", "value": {"activity": activity.pk, "title": "", "pass_mark": 50}}],
    )
    enrolment = courses.enrolment_create(user=learner, training=training)
    client.force_login(learner)
    assert post(client, lesson, scored(activity, learner, scaled=1, raw=1, min=0, max=1)).status_code == 200
    assert H5PAttempt.objects.get().score_scaled == 1
    assert not LessonProgress.objects.filter(enrolment=enrolment, completed_at__isnull=False).exists()
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None


def test_saved_state_round_trip_and_refusals(client, enrolled, activity, learner, other_learner):
    _enrolment, lesson = enrolled
    url = f"/h5p/lessons/{lesson.pk}/activities/{activity.pk}/user-data/state/0/"
    assert client.get(url).json() == {"success": True, "data": False}

    saved = client.post(url, {"data": '{"answer":true}', "preload": "1", "invalidate": "1"})
    assert saved.json() == {"success": True}
    assert client.get(url).json() == {"success": True, "data": '{"answer":true}'}

    client.post(url, {"data": "0"})  # H5P's way to reset
    assert not H5PUserData.objects.exists()

    client.force_login(other_learner)
    assert client.get(url).status_code == 403


def test_saved_state_from_another_site_is_refused_without_the_csrf_token(enrolled, activity, learner):
    """The lesson page posts state with Kyky's CSRF token; a page elsewhere (or the player's origin) has none."""
    _enrolment, lesson = enrolled
    forger = Client(enforce_csrf_checks=True)
    forger.force_login(learner)
    url = f"/h5p/lessons/{lesson.pk}/activities/{activity.pk}/user-data/state/0/"
    response = forger.post(url, {"data": '{"forged":true}'}, HTTP_ORIGIN="http://player.testserver")
    assert response.status_code == 403
    assert not H5PUserData.objects.exists()
    statement_response = forger.post(
        f"/xapi/statements/{lesson.pk}/",
        json.dumps(statement(activity, learner)),
        content_type="application/json",
        HTTP_ORIGIN="http://player.testserver",
    )
    assert statement_response.status_code == 403
    assert nothing_stored()


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
                activity_ids={activity.pk},
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
