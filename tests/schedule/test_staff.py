"""Teachers run their own cohorts' sessions; everyone else gets 404."""

import datetime

import pytest
from django.test import TestCase

from lms.schedule import services
from lms.schedule.enums import AttendanceStatus, ReplacementStatus
from lms.schedule.models import Attendance, ContactSession, Replacement
from tests.factories import UserFactory

from .factories import cohort_with, session_for

pytestmark = pytest.mark.django_db
UNDER_WAY = datetime.timedelta(minutes=-10)


@pytest.fixture
def colleague(group):
    """A teacher of the same organisation who teaches another cohort."""
    user = UserFactory()
    cohort_with(group.training, teachers=[user], org=group.organisation)
    return user


@pytest.fixture
def stranger(group):
    """A teacher of another organisation's cohort of the same training."""
    user = UserFactory()
    cohort_with(group.training, teachers=[user])
    return user


def test_teacher_creates_a_session_for_their_cohort_in_finnish_time(client, group, teacher):
    client.force_login(teacher)
    response = client.post(
        f"/fi/sessions/cohort/{group.pk}/new/",
        {
            "title": "Aloitus",
            "starts_at": "2030-04-02T10:00",  # summer time (from 31 March): UTC+3
            "ends_at": "2030-04-02T12:00",
            "place": "Luokka 1",
            "signup": "cohort",
        },
    )
    assert response.status_code == 302
    session = ContactSession.objects.get()
    assert session.starts_at == datetime.datetime(2030, 4, 2, 7, 0, tzinfo=datetime.UTC)
    assert session.cohort == group


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("ends_at", "2030-03-30T09:00", "must end after"),
        ("online_url", "http://meet.example.fi/x", "https://"),
        ("place", "", "Give a place"),
    ],
)
def test_bad_session_input_is_a_form_error_not_a_500(client, group, teacher, field, value, error):
    client.force_login(teacher)
    data = {
        "title": "A",
        "starts_at": "2030-03-30T10:00",
        "ends_at": "2030-03-30T12:00",
        "place": "X",
        "signup": "cohort",
    }
    data[field] = value
    response = client.post(f"/fi/sessions/cohort/{group.pk}/new/", data)
    assert response.status_code == 400
    assert not ContactSession.objects.exists()


@pytest.mark.parametrize("who", ["colleague", "stranger", "learner"])
def test_only_the_cohorts_teachers_see_its_sessions_and_code(client, request, course, group, who):
    session = session_for(course, cohort=group, starts_in=UNDER_WAY)
    client.force_login(request.getfixturevalue(who))
    for url in (
        f"/fi/sessions/cohort/{group.pk}/",
        f"/fi/sessions/cohort/{group.pk}/new/",
        f"/fi/sessions/{session.pk}/edit/",
        f"/fi/sessions/{session.pk}/attendance/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert session.checkin_code not in response.content.decode()


def test_teacher_of_another_cohort_cannot_mark_attendance(client, course, group, learner, colleague, stranger):
    session = session_for(course, cohort=group, starts_in=UNDER_WAY)
    for user in (colleague, stranger):
        client.force_login(user)
        assert client.post(f"/fi/sessions/{session.pk}/attendance/", {f"u-{learner.pk}": "present"}).status_code == 404
        assert client.post(f"/fi/sessions/{session.pk}/cancel/").status_code == 404
        with pytest.raises(services.ScheduleError):
            services.attendance_mark(by=user, session=session, marks={learner.pk: "present"})
    assert not Attendance.objects.exists()
    assert ContactSession.objects.get().cancelled_at is None


def test_teacher_sees_the_code_during_the_session_and_marks_attendance(client, course, group, learner, teacher):
    session = session_for(course, cohort=group, starts_in=UNDER_WAY)
    outsider = UserFactory()
    client.force_login(teacher)
    assert session.checkin_code in client.get(f"/fi/sessions/{session.pk}/attendance/").content.decode()

    client.post(f"/fi/sessions/{session.pk}/attendance/", {f"u-{learner.pk}": "absent", f"u-{outsider.pk}": "present"})

    assert list(Attendance.objects.values_list("user", "status")) == [(learner.pk, "absent")]


def test_the_code_is_not_shown_before_the_session(client, course, group, teacher):
    session = session_for(course, cohort=group, starts_in=datetime.timedelta(days=2))
    client.force_login(teacher)
    assert session.checkin_code not in client.get(f"/fi/sessions/{session.pk}/attendance/").content.decode()


def _missed(course, group, learner):
    session = session_for(course, cohort=group, starts_in=datetime.timedelta(hours=-3))
    return services.replacement_submit(user=learner, session=session, text="Luin aineiston ja kirjoitin tiivistelmän.")


def test_learner_cannot_approve_replacement(client, course, group, learner):
    work = _missed(course, group, learner)
    client.force_login(learner)
    assert client.post(f"/fi/sessions/replacements/{work.pk}/", {"decision": "approve"}).status_code == 404
    with pytest.raises(services.ScheduleError):
        services.replacement_decide(reviewer=learner, replacement=work, approve=True)
    assert Replacement.objects.get().status == ReplacementStatus.SUBMITTED
    assert not Attendance.objects.exists()


def test_teacher_of_another_cohort_cannot_approve_replacement(client, course, group, learner, colleague):
    work = _missed(course, group, learner)
    client.force_login(colleague)
    assert client.post(f"/fi/sessions/replacements/{work.pk}/", {"decision": "approve"}).status_code == 404
    assert Replacement.objects.get().status == ReplacementStatus.SUBMITTED


def test_approved_replacement_makes_the_absence_replaced(client, course, group, learner, teacher):
    work = _missed(course, group, learner)
    client.force_login(teacher)
    assert client.post(f"/fi/sessions/replacements/{work.pk}/", {"decision": "return"}).status_code == 302
    assert Replacement.objects.get().status == ReplacementStatus.SUBMITTED  # a return needs a comment

    client.post(f"/fi/sessions/replacements/{work.pk}/", {"decision": "approve"})

    assert Replacement.objects.get().status == ReplacementStatus.APPROVED
    assert Attendance.objects.get(user=learner).status == AttendanceStatus.REPLACED


def test_replacement_cannot_be_handed_in_before_the_session_ends(course, group, learner):
    session = session_for(course, cohort=group, starts_in=UNDER_WAY)
    with pytest.raises(services.ScheduleError):
        services.replacement_submit(user=learner, session=session, text="Etukäteen")


def test_change_over_http_emails_the_cohort_once(client, course, group, learner, teacher, mailoutbox):
    session = session_for(course, cohort=group)
    client.force_login(teacher)
    data = {
        "title": session.title,
        "starts_at": "2031-01-10T10:00",
        "ends_at": "2031-01-10T12:00",
        "place": session.place,
        "signup": "cohort",
    }
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(f"/fi/sessions/{session.pk}/edit/", data).status_code == 302
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(f"/fi/sessions/{session.pk}/edit/", data)  # the same again: nothing changed
    assert [m.to for m in mailoutbox] == [[learner.email]]
    assert ContactSession.objects.get().sequence == 1
