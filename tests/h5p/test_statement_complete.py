"""Stored statements are complete as an LRS stores them (xAPI 1.0.3), and valid by the xAPI schemas."""

import datetime
import json
import uuid

import pytest
from django.utils import timezone

from lms.courses import services as courses
from lms.courses.enums import CompletionRule
from lms.courses.models import Enrolment, LessonPage
from lms.h5p import services
from lms.h5p.models import XAPIStatement
from lms.h5p.xapi import browser_timestamp_extension, statement_complete
from tests.conftest import SHARED
from tests.factories import (
    LessonPageFactory,
    ModulePageFactory,
    PartPageFactory,
    TrainingPageFactory,
    translate_training,
)
from tests.h5p.test_statements import ANSWERED, post, statement
from tests.h5p.xapi_schema import schema_errors

pytestmark = pytest.mark.django_db
BASE = "http://testserver"
H5P_GENERATED = SHARED / "xapi" / "h5p-generated"


@pytest.fixture
def enrolled(client, h5p_lesson, learner):
    training, lesson = h5p_lesson
    enrolment = courses.enrolment_create(user=learner, training=training)
    client.force_login(learner)
    return enrolment, lesson


def stored_one():
    return XAPIStatement.objects.get().statement


def ids(activities):
    return [a["id"] for a in activities]


def test_a_stored_statement_is_complete_as_an_lrs_stores_it(client, enrolled, activity, learner):
    enrolment, lesson = enrolled
    body = statement(activity, learner)
    before = timezone.now()

    assert post(client, lesson, body).status_code == 200

    stored = stored_one()
    row = XAPIStatement.objects.get()
    assert stored["id"] == body["id"]
    assert stored["actor"] == {"objectType": "Agent", "account": {"homePage": BASE, "name": str(learner.pk)}}
    assert "mbox" not in json.dumps(stored["actor"])
    assert stored["version"] == "1.0.3"
    assert stored["authority"] == {"objectType": "Agent", "name": "Kyky", "account": {"homePage": BASE, "name": "kyky"}}
    assert stored["stored"] == row.stored_at.astimezone(datetime.UTC).isoformat(timespec="milliseconds")[:-6] + "Z"
    assert stored["timestamp"] == stored["stored"], "no browser timestamp: the receipt time"
    assert before <= datetime.datetime.fromisoformat(stored["timestamp"]) <= timezone.now()
    context = stored["context"]
    assert context["registration"] == str(enrolment.registration)
    module = lesson.get_parent()
    training = module.get_parent()
    assert ids(context["contextActivities"]["parent"]) == [f"{BASE}/xapi/activities/lesson/{lesson.translation_key}"]
    assert ids(context["contextActivities"]["grouping"]) == [
        f"{BASE}/xapi/activities/module/{module.translation_key}",
        f"{BASE}/xapi/activities/training/{training.translation_key}",
    ]
    lesson_activity = context["contextActivities"]["parent"][0]
    assert lesson_activity["definition"] == {
        "name": {"fi": lesson.title},
        "type": "http://adlnet.gov/expapi/activities/lesson",
    }
    assert stored["object"] == body["object"]
    assert stored["result"] == body["result"]
    assert stored["verb"] == body["verb"]
    assert schema_errors(stored) == []


def test_a_sane_browser_timestamp_is_kept_as_when_it_happened(client, enrolled, activity, learner):
    enrolment, lesson = enrolled
    Enrolment.objects.filter(pk=enrolment.pk).update(enrolled_at=timezone.now() - datetime.timedelta(days=1))
    happened = timezone.now() - datetime.timedelta(minutes=30)  # sent late: the learner was offline
    sent = happened.astimezone(datetime.timezone(datetime.timedelta(hours=3))).isoformat()

    post(client, lesson, statement(activity, learner, timestamp=sent))

    stored = stored_one()
    assert datetime.datetime.fromisoformat(stored["timestamp"]) == happened.replace(
        microsecond=happened.microsecond // 1000 * 1000
    )
    assert stored["timestamp"].endswith("Z")
    assert stored["timestamp"] != stored["stored"]
    assert browser_timestamp_extension() not in stored["context"].get("extensions", {})


@pytest.mark.parametrize(
    "sent",
    [
        lambda now, enrolled_at: (now + datetime.timedelta(hours=2)).isoformat(),  # a clock hours ahead
        lambda now, enrolled_at: (enrolled_at - datetime.timedelta(days=3)).isoformat(),  # before the enrolment
        lambda now, enrolled_at: "1970-01-01T00:00:00Z",
    ],
)
def test_a_forged_or_wrong_browser_timestamp_is_replaced_by_the_receipt_time(client, enrolled, activity, learner, sent):
    enrolment, lesson = enrolled
    value = sent(timezone.now(), enrolment.enrolled_at)

    assert post(client, lesson, statement(activity, learner, timestamp=value)).status_code == 200

    stored = stored_one()
    assert stored["timestamp"] == stored["stored"]
    assert stored["context"]["extensions"][browser_timestamp_extension()] == value, "kept, for who reads the record"
    assert schema_errors(stored) == []


def test_a_forged_registration_and_actor_name_are_replaced(client, enrolled, activity, learner):
    enrolment, lesson = enrolled
    forged = str(uuid.uuid4())
    body = statement(activity, learner, context={"registration": forged})

    post(client, lesson, body)

    stored = stored_one()
    assert stored["context"]["registration"] == str(enrolment.registration) != forged
    assert stored["actor"]["account"]["name"] == str(learner.pk)


@pytest.mark.parametrize(
    "context",
    [
        "not an object",
        {"contextActivities": {"parent": "http://example.com/a"}},
        {"contextActivities": {"parent": [{"id": "not an iri"}]}},
        {"contextActivities": {"sibling": [{"id": "http://example.com/a"}]}},
        {"contextActivities": {"parent": [{"objectType": "Agent", "mbox": "mailto:a@example.com"}]}},
        {"registration": "not-a-uuid"},
        {"extensions": ["a list"]},
        {"platform": 42},
        {"hacked": True},
    ],
)
def test_a_context_that_xapi_does_not_allow_is_refused_not_stored(client, enrolled, activity, learner, context):
    _enrolment, lesson = enrolled

    assert post(client, lesson, statement(activity, learner, context=context)).status_code == 400
    assert not XAPIStatement.objects.exists()


def test_a_resent_statement_later_is_the_same_and_other_content_is_a_conflict(
    client, enrolled, activity, learner, monkeypatch
):
    """The receipt time differs on a repeat; the repeat is still the same statement (xAPI: no change)."""
    _enrolment, lesson = enrolled
    body = statement(activity, learner)
    post(client, lesson, body)
    first = stored_one()
    later = timezone.now() + datetime.timedelta(hours=1)
    monkeypatch.setattr(services.timezone, "now", lambda: later)  # the browser retries an hour later

    assert post(client, lesson, body).status_code == 200
    assert stored_one() == first
    assert post(client, lesson, {**body, "result": {"completion": False}}).status_code == 409
    assert post(client, lesson, {**body, "timestamp": "2020-01-01T00:00:00Z"}).status_code == 409


def test_sub_content_keeps_its_h5p_parent_and_adds_the_lesson(client, enrolled, activity, learner):
    _enrolment, lesson = enrolled
    parent = {"id": services.activity_iri(activity.pk), "objectType": "Activity"}
    category = {"id": "http://h5p.org/libraries/H5P.MultiChoice-1.14", "objectType": "Activity"}
    body = statement(
        activity,
        learner,
        sub="dc24f82e",
        context={"contextActivities": {"parent": [parent], "category": [category]}},
    )

    post(client, lesson, body)

    activities = stored_one()["context"]["contextActivities"]
    assert ids(activities["parent"]) == [parent["id"], f"{BASE}/xapi/activities/lesson/{lesson.translation_key}"]
    assert activities["category"] == [category]


def test_a_part_is_a_grouping_and_names_are_language_maps_stable_across_languages(
    client, index, activity, learner, locales
):
    training = TrainingPageFactory(parent=index, title="Koulutus")
    part = PartPageFactory(parent=training, title="Osa")
    module = ModulePageFactory(parent=part, title="Moduuli")
    lesson = LessonPageFactory(
        parent=module,
        title="Oppitunti",
        completion_rule=CompletionRule.H5P_COMPLETED,
        body=[{"type": "h5p", "value": {"activity": activity.pk, "title": "", "pass_mark": None}}],
    )
    translate_training(training, locales["sv"], "Utbildning", [part, module, lesson], lambda p: f"{p.title} (sv)")
    courses.enrolment_create(user=learner, training=training)
    client.force_login(learner)
    swedish = LessonPage.objects.get(translation_key=lesson.translation_key, locale=locales["sv"])

    assert post(client, lesson, statement(activity, learner)).status_code == 200
    assert post(client, swedish, statement(activity, learner)).status_code == 200

    finnish, from_swedish = (s.statement["context"]["contextActivities"] for s in XAPIStatement.objects.order_by("pk"))
    assert finnish == from_swedish, "the same activities, whichever language the lesson was read in"
    assert finnish["parent"][0]["definition"]["name"] == {"fi": "Oppitunti", "sv": "Oppitunti (sv)"}
    assert ids(finnish["grouping"]) == [
        f"{BASE}/xapi/activities/module/{module.translation_key}",
        f"{BASE}/xapi/activities/part/{part.translation_key}",
        f"{BASE}/xapi/activities/training/{training.translation_key}",
    ]
    assert [g["definition"]["name"] for g in finnish["grouping"]] == [
        {"fi": "Moduuli", "sv": "Moduuli (sv)"},
        {"fi": "Osa", "sv": "Osa (sv)"},
        {"fi": "Koulutus", "sv": "Utbildning"},
    ]
    assert "type" not in finnish["grouping"][1]["definition"]


def real_h5p_statements():
    """Every statement the real H5P packages sent in a browser (../shared/xapi/h5p-generated)."""
    found = []
    for path in sorted(H5P_GENERATED.glob("*.json")):
        found += [(path.stem, s) for s in json.loads(path.read_text())]
    captured = H5P_GENERATED / "xapi-captured.jsonl"
    found += [(captured.stem, json.loads(line)) for line in captured.read_text().splitlines() if line.strip()]
    return found


def about_activity(sent: dict, activity, learner) -> dict:
    """A real statement as the lesson page sends it for ``activity``: its IRI, the learner's pseudonym, an id."""
    text = json.dumps(sent)
    for name in {s["object"]["id"].split("?")[0] for _n, s in real_h5p_statements()}:
        text = text.replace(json.dumps(name)[1:-1], services.activity_iri(activity.pk))
    body = json.loads(text)
    body["actor"] = {"name": "learner", "mbox": services.learner_mbox(learner), "objectType": "Agent"}
    body["id"] = str(uuid.uuid4())
    body["timestamp"] = timezone.now().isoformat()
    return body


@pytest.mark.shared("xapi", "h5p-generated")
@pytest.mark.shared("xapi", "tincanschema", "1.0.1")
def test_real_h5p_statements_are_stored_complete_and_valid_by_the_xapi_schemas(client, enrolled, activity, learner):
    _enrolment, lesson = enrolled
    real = real_h5p_statements()
    assert len(real) > 20

    for name, sent in real:
        body = about_activity(sent, activity, learner)
        response = post(client, lesson, body)
        assert response.status_code == 200, (name, response.content)
        stored = XAPIStatement.objects.get(statement_id=body["id"]).statement
        assert schema_errors(stored) == [], name
        assert {"id", "actor", "verb", "object", "timestamp", "stored", "authority", "version", "context"} <= set(
            stored
        )
        assert stored["object"] == body["object"]
        assert stored.get("result") == body.get("result")
        assert stored["context"]["registration"]
        assert stored["context"]["contextActivities"]["parent"]


@pytest.mark.shared("xapi", "tincanschema", "1.0.1")
def test_the_schemas_catch_an_incomplete_statement():
    """The schema check can fail: a statement with an e-mail-less, account-less actor is invalid."""
    assert schema_errors({"actor": {"objectType": "Agent"}, "verb": {"id": ANSWERED}, "object": {"id": "x"}})


def test_completion_is_pure_and_keeps_what_was_sent(enrolled, activity, learner):
    """statement_complete changes no input and gives the same result for the same moment."""
    enrolment, lesson = enrolled
    from lms.courses.structure import structure_for

    structure = structure_for(lesson.get_parent().get_parent())
    node = structure.lesson(lesson.translation_key)
    body = statement(activity, learner)
    original = json.loads(json.dumps(body))
    now = timezone.now()

    first = statement_complete(body, enrolment=enrolment, structure=structure, lesson_node=node, now=now)

    assert body == original
    assert first == statement_complete(body, enrolment=enrolment, structure=structure, lesson_node=node, now=now)
    assert (
        first["stored"]
        != statement_complete(
            body, enrolment=enrolment, structure=structure, lesson_node=node, now=now + datetime.timedelta(seconds=1)
        )["stored"]
    )


def test_a_language_whose_page_is_a_stand_in_is_not_named(client, h5p_lesson, activity, learner, locales):
    """A lesson not translated yet has only its own titles; its translated module and training have both."""
    training, lesson = h5p_lesson
    module = lesson.get_parent()
    translate_training(training, locales["sv"], "Utbildning", [module], lambda p: "Modul")
    courses.enrolment_create(user=learner, training=training)
    client.force_login(learner)

    post(client, lesson, statement(activity, learner))

    activities = stored_one()["context"]["contextActivities"]
    assert activities["parent"][0]["definition"]["name"] == {"fi": lesson.title}
    assert [g["definition"]["name"] for g in activities["grouping"]] == [
        {"fi": module.title, "sv": "Modul"},
        {"fi": training.title, "sv": "Utbildning"},
    ]
