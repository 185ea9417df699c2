"""Check-in codes: only the session's own code, only while it runs, only for its learners; guessing is limited."""

import datetime

import pytest

from lms.schedule import services
from lms.schedule.enums import AttendanceStatus, MarkedBy
from lms.schedule.models import CODE_ALPHABET, Attendance

from .factories import cohort_with, session_for

pytestmark = pytest.mark.django_db
NOW = datetime.timedelta(minutes=-10)  # started ten minutes ago, ends in eighty


def _refused(**kwargs) -> services.ScheduleError:
    with pytest.raises(services.ScheduleError) as refusal:
        services.checkin(**kwargs)
    assert not Attendance.objects.filter(status=AttendanceStatus.PRESENT).exists()
    return refusal.value


def test_correct_code_marks_present_by_code_and_twice_changes_nothing(course, group, learner):
    session = session_for(course, cohort=group, starts_in=NOW)

    first = services.checkin(user=learner, session=session, code=session.checkin_code.lower())
    again = services.checkin(
        user=learner, session=session, code=f" {session.checkin_code[:3]}-{session.checkin_code[3:]} "
    )

    assert (first.status, first.how) == (AttendanceStatus.PRESENT, MarkedBy.CODE)
    assert again.pk == first.pk
    assert again.marked_at == first.marked_at
    assert Attendance.objects.count() == 1


def test_code_is_short_and_unambiguous(course, group):
    session = session_for(course, cohort=group)
    assert len(session.checkin_code) == 6
    assert set(session.checkin_code) <= set(CODE_ALPHABET)
    assert not set("0O1IL2Z5S8B") & set(CODE_ALPHABET)


def test_checkin_before_the_window_is_refused(course, group, learner):
    session = session_for(course, cohort=group, starts_in=datetime.timedelta(minutes=16))
    refusal = _refused(user=learner, session=session, code=session.checkin_code)
    assert "15 minutes" in refusal.message


def test_checkin_fifteen_minutes_early_is_accepted(course, group, learner):
    session = session_for(course, cohort=group, starts_in=datetime.timedelta(minutes=14))
    assert services.checkin(user=learner, session=session, code=session.checkin_code).status == "present"


def test_checkin_after_the_end_is_refused(course, group, learner):
    session = session_for(course, cohort=group, starts_in=datetime.timedelta(hours=-3))
    refusal = _refused(user=learner, session=session, code=session.checkin_code)
    assert "ended" in refusal.message


def test_checkin_to_a_cancelled_session_is_refused(course, group, learner):
    session = session_for(course, cohort=group, starts_in=NOW)
    services.session_cancel(by=None, session=session)
    refusal = _refused(user=learner, session=session, code=session.checkin_code)
    assert "cancelled" in refusal.message


def test_code_of_another_session_is_refused(course, group, learner):
    session = session_for(course, cohort=group, starts_in=NOW)
    other = session_for(course, cohort=group, starts_in=NOW)
    other.checkin_code = "AAAAAA" if session.checkin_code != "AAAAAA" else "CCCCCC"
    other.save()
    refusal = _refused(user=learner, session=session, code=other.checkin_code)
    assert "not this session's code" in refusal.message


def test_learner_not_concerned_cannot_check_in_with_the_right_code(course, group, other_learner):
    session = session_for(course, cohort=group, starts_in=NOW)
    refusal = _refused(user=other_learner, session=session, code=session.checkin_code)
    assert refusal.status == 404


def test_code_brute_force_is_rate_limited(course, group, learner):
    session = session_for(course, cohort=group, starts_in=NOW)
    wrong = "AAAAAA" if session.checkin_code != "AAAAAA" else "CCCCCC"
    for _ in range(services.CHECKIN_ATTEMPTS):
        assert _refused(user=learner, session=session, code=wrong).status == 400

    refusal = _refused(user=learner, session=session, code=session.checkin_code)  # even the right one, now

    assert refusal.status == 429


def test_checkin_over_http_tells_the_learner_and_refuses_others_with_404(client, course, group, learner, other_learner):
    session = session_for(course, cohort=group, starts_in=NOW)
    cohort_with(course, learners=[other_learner])
    client.force_login(other_learner)
    assert client.post(f"/fi/sessions/{session.pk}/checkin/", {"code": session.checkin_code}).status_code == 404
    assert client.get(f"/fi/sessions/{session.pk}/checkin/").status_code == 405

    client.force_login(learner)
    response = client.post(f"/fi/sessions/{session.pk}/checkin/", {"code": "WRONG1"}, follow=True)
    assert response.status_code == 200
    assert not Attendance.objects.exists()
    client.post(f"/fi/sessions/{session.pk}/checkin/", {"code": session.checkin_code})
    assert Attendance.objects.get(user=learner).status == AttendanceStatus.PRESENT
