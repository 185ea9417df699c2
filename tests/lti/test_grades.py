"""Assignment and Grade Services: a completed training's score reaches the platform's line item, once."""

from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from lms.accounts.models import ExternalIdentity, IdentityKind
from lms.lti import services, tasks
from lms.lti.enums import GradeStatus
from lms.lti.models import GradeSend, GradeTarget

from .platform import INSTRUCTOR

pytestmark = pytest.mark.django_db


@pytest.fixture
def launched(moodle, linked, course_custom, training):
    assert moodle.launch(custom=course_custom).status_code == 302
    return GradeTarget.objects.get().user


def _scores_posted(platform):
    return [call for call in platform.calls if call == ("POST", "/lineitems/1/scores")]


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """The beat job, with the sends it queues run (they are queued on commit)."""

    def sweep() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return tasks.send_due_grades()

    return sweep


def _time_passes():
    GradeSend.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_completing_the_training_sends_a_passing_score_to_the_line_item(moodle, launched, training, complete):
    complete(launched, training)

    (score,) = moodle.platform.scores
    assert score["userId"] == "moodle-7"
    assert (score["scoreGiven"], score["scoreMaximum"]) == (1, 1)
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "FullyGraded")
    assert score["lineitem"] == "1"
    assert GradeSend.objects.get().status == GradeStatus.SENT


@pytest.mark.parametrize("endpoint", ["/token", "/lineitems/1/scores"])
def test_a_score_waits_while_the_platform_is_down_and_is_sent_once_it_is_back(
    moodle, launched, training, complete, sweep, endpoint
):
    moodle.platform.down.add(endpoint)

    complete(launched, training)

    row = GradeSend.objects.get()
    assert (row.status, row.attempts) == (GradeStatus.PENDING, 1)
    assert "503" in row.last_error
    assert timedelta(seconds=50) < row.next_attempt_at - timezone.now() <= timedelta(seconds=60)
    assert moodle.platform.scores == []

    sweep()  # not due yet: nothing is tried
    assert GradeSend.objects.get().attempts == 1

    _time_passes()
    sweep()  # still down: the wait doubles
    row.refresh_from_db()
    assert (row.status, row.attempts) == (GradeStatus.PENDING, 2)
    assert timedelta(seconds=110) < row.next_attempt_at - timezone.now() <= timedelta(seconds=120)

    moodle.platform.down.clear()
    tried = len(_scores_posted(moodle.platform))
    _time_passes()
    sweep()

    row.refresh_from_db()
    assert (row.status, row.attempts) == (GradeStatus.SENT, 3)
    assert len(moodle.platform.scores) == 1

    _time_passes()
    sweep()
    tasks.send_grade(row.pk)
    assert len(moodle.platform.scores) == 1
    assert len(_scores_posted(moodle.platform)) == tried + 1  # after the platform came back: one send


def test_a_score_whose_answer_was_lost_is_not_applied_twice(moodle, launched, training, complete):
    """The platform took the score but Kyky never heard back: sending it again leaves one score (409 = done)."""
    complete(launched, training)
    GradeSend.objects.update(status=GradeStatus.PENDING, sent_at=None)  # as if the answer had been lost

    row = services.grade_send(grade_id=GradeSend.objects.get().pk)

    assert row.status == GradeStatus.SENT
    assert len(moodle.platform.scores) == 1


def test_completing_again_queues_nothing_new(moodle, launched, training, complete):
    enrolment = complete(launched, training)

    assert services.grades_queue(enrolment) == []
    assert GradeSend.objects.count() == 1


def test_a_learner_who_completed_before_the_course_had_a_line_item_gets_the_score_at_the_next_launch(
    moodle, linked, course_custom, training, complete, django_capture_on_commit_callbacks
):
    moodle.launch(custom=course_custom, ags=False)
    user = linked.cohort.learners.get().user
    complete(user, training)
    assert moodle.platform.scores == []

    moodle.client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        moodle.launch(custom=course_custom)

    assert len(moodle.platform.scores) == 1


def test_a_refusal_by_the_platform_is_kept_and_not_retried(moodle, launched, training, complete, sweep):
    GradeTarget.objects.update(lineitem_url=f"{moodle.platform.base}/nowhere/1")

    complete(launched, training)

    row = GradeSend.objects.get()
    assert row.status == GradeStatus.REFUSED
    assert "404" in row.last_error
    _time_passes()
    assert sweep() == 0


def test_a_teachers_launch_records_no_grade_target(moodle, linked, course_custom, org_teacher):
    ExternalIdentity.objects.create(user=org_teacher, kind=IdentityKind.LTI, issuer=moodle.platform.base, subject="t")
    moodle.launch(user_id="t", roles=(INSTRUCTOR,), email=org_teacher.email, custom=course_custom)

    assert not GradeTarget.objects.exists()


def test_in_a_worker_a_failed_send_asks_celery_to_try_again_when_the_row_is_due(moodle, launched, training, complete):
    moodle.platform.down.add("/token")
    complete(launched, training)
    row = GradeSend.objects.get()
    _time_passes()

    tasks.send_grade.push_request(
        id="in-a-worker", args=[row.pk], kwargs={}, is_eager=False, called_directly=False, retries=0
    )
    try:
        with pytest.raises(Retry) as raised:
            tasks.send_grade.run(row.pk)
    finally:
        tasks.send_grade.pop_request()

    row.refresh_from_db()
    assert (row.status, row.attempts) == (GradeStatus.PENDING, 2)
    assert raised.value.when == row.next_attempt_at
