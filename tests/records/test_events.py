"""Kyky's own events as xAPI statements beside the H5P content's: enrolled, lesson, part and
training completed, exam passed, assignment approved, certificate earned; complete, valid, and
stored once whoever reports them how often."""

import pytest

from lms.courses import services as courses
from lms.courses.structure import structure_for
from lms.h5p.models import XAPIStatement
from lms.records import events
from tests.courses.test_content_import_assignment import import_every_requirement
from tests.factories import UserFactory
from tests.h5p.xapi_schema import schema_errors
from tests.studying import study, teaching

pytestmark = pytest.mark.django_db
VERB = {name: verb for name, (verb, _display) in events.VERBS.items()}


@pytest.fixture
def completed(homes, tmp_path, django_capture_on_commit_callbacks):
    """A training from files (an exam, a self-assessment, two sessions, an assignment) completed by a learner."""
    training = import_every_requirement(tmp_path)
    learner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = courses.enrolment_create(user=learner, training=training)
        teacher = teaching(training, learner)
        for node in structure_for(training).lessons:
            study(enrolment, node, teacher=teacher)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
    return enrolment


def kyky_statements(enrolment):
    return list(XAPIStatement.objects.filter(enrolment=enrolment, activity__isnull=True).order_by("pk"))


def test_a_learners_path_is_recorded_as_statements_of_kykys_own(completed):
    verbs = [row.verb for row in kyky_statements(completed)]

    assert verbs.count(VERB["registered"]) == 1
    assert verbs.count(VERB["completed"]) == 4  # three lessons and the training
    assert verbs.count(VERB["passed"]) == 1  # the exam
    assert verbs.count(VERB["approved"]) == 1  # the assignment
    assert verbs.count(VERB["earned"]) == 1  # the certificate


def test_kykys_statements_are_complete_and_valid_by_the_xapi_schemas(completed):
    for row in kyky_statements(completed):
        statement = row.statement
        assert schema_errors(statement) == [], statement
        assert statement["actor"]["account"]["name"] == str(completed.user_id)
        assert statement["context"]["registration"] == str(completed.registration)
        assert {"timestamp", "stored", "authority", "version"} <= set(statement)
        if statement["object"]["definition"].get("type") != "http://adlnet.gov/expapi/activities/course":
            grouping = statement["context"]["contextActivities"]["grouping"]
            assert any("/activities/training/" in activity["id"] for activity in grouping)


def test_the_exam_statement_carries_its_score_and_its_lesson(completed):
    (passed,) = [row.statement for row in kyky_statements(completed) if row.verb == VERB["passed"]]

    assert passed["result"]["success"] is True
    assert 0 < passed["result"]["score"]["scaled"] <= 1
    assert "/activities/lesson/" in passed["context"]["contextActivities"]["parent"][0]["id"]
    assert passed["object"]["id"].startswith(passed["context"]["contextActivities"]["parent"][0]["id"] + "/exam/")


def test_an_event_reported_twice_is_stored_once(completed):
    before = XAPIStatement.objects.count()

    events.record(completed, "registered", events.training_object(completed))
    events.record(completed, "completed", events.training_object(completed))

    assert XAPIStatement.objects.count() == before


def test_a_store_that_fails_never_fails_the_learners_enrolment(
    homes, index, monkeypatch, django_capture_on_commit_callbacks
):
    from tests.factories import TrainingPageFactory

    def broken(*args, **kwargs):
        raise RuntimeError("the database said no")

    monkeypatch.setattr(XAPIStatement.objects, "bulk_create", broken)
    training = TrainingPageFactory(parent=index)
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = courses.enrolment_create(user=UserFactory(), training=training)

    assert enrolment.pk is not None
    assert not XAPIStatement.objects.exists()


def test_nothing_is_recorded_for_a_change_that_was_rolled_back(homes, index, django_capture_on_commit_callbacks):
    from django.db import transaction

    from tests.factories import TrainingPageFactory

    training = TrainingPageFactory(parent=index)

    def enrol_then_fail():
        with transaction.atomic():
            courses.enrolment_create(user=UserFactory(), training=training)
            raise RuntimeError("something later in the request failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            enrol_then_fail()
        courses.enrolment_create(user=UserFactory(), training=training)  # one that stays

    assert callbacks  # the surviving enrolment's event ran after commit
    assert XAPIStatement.objects.count() == 1
