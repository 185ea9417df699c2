"""The data migration completes the statements stored before completion on receipt existed."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from lms.courses import services as courses
from lms.h5p import services
from lms.h5p.models import XAPIStatement
from tests.h5p.test_statement_complete import BASE, ids
from tests.h5p.test_statements import post, statement
from tests.h5p.xapi_schema import schema_errors

pytestmark = pytest.mark.django_db
migration = importlib.import_module("lms.h5p.migrations.0006_complete_stored_statements")


def as_stored_before(row, **changes):
    """``row``'s statement as the old code stored it: as sent, with the actor replaced, nothing added."""
    old = {key: value for key, value in row.statement.items() if key in {"id", "verb", "object", "result"}}
    old["actor"] = {"objectType": "Agent", "account": {"homePage": BASE, "name": str(row.user_id)}}
    old.update(changes)
    XAPIStatement.objects.filter(pk=row.pk).update(statement=old)
    return old


def test_stored_statements_are_completed_with_stored_at_as_their_time(client, h5p_lesson, activity, learner):
    training, lesson = h5p_lesson
    enrolment = courses.enrolment_create(user=learner, training=training)
    client.force_login(learner)
    post(client, lesson, statement(activity, learner))
    post(client, lesson, statement(activity, learner, sub="abc"))
    first, second = XAPIStatement.objects.order_by("pk")
    stored_at = timezone.now() - datetime.timedelta(days=40)
    XAPIStatement.objects.update(stored_at=stored_at)
    as_stored_before(first)
    as_stored_before(second, context={"contextActivities": {"parent": "not an activity"}})  # never checked then
    assert not any("timestamp" in row.statement for row in XAPIStatement.objects.all())

    migration.forwards(apps, None)

    for row in XAPIStatement.objects.order_by("pk"):
        done = row.statement
        assert done["timestamp"] == done["stored"] == stored_at.isoformat(timespec="milliseconds")[:-6] + "Z"
        assert done["version"] == "1.0.3"
        assert done["authority"]["account"] == {"homePage": BASE, "name": "kyky"}
        assert done["context"]["registration"] == str(enrolment.registration)
        assert ids(done["context"]["contextActivities"]["parent"]) == [
            f"{BASE}/xapi/activities/lesson/{lesson.translation_key}"
        ]
        assert schema_errors(done) == []
    assert (
        XAPIStatement.objects.get(pk=second.pk).statement["object"]["id"].startswith(services.activity_iri(activity.pk))
    )


def test_running_the_migration_again_changes_nothing(client, h5p_lesson, activity, learner):
    training, lesson = h5p_lesson
    courses.enrolment_create(user=learner, training=training)
    client.force_login(learner)
    post(client, lesson, statement(activity, learner, timestamp=timezone.now().isoformat()))
    before = XAPIStatement.objects.get().statement

    migration.forwards(apps, None)

    assert XAPIStatement.objects.get().statement == before, "a statement completed on receipt is already complete"
