"""The attendance gate completes a lesson; seats never overbook; the learner's pages cost a fixed few queries."""

import datetime
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lms.courses import services as courses
from lms.courses.enums import LessonStatus
from lms.courses.models import Enrolment, LessonPage, LessonProgress
from lms.schedule import services
from lms.schedule.models import SessionSignup
from tests.conftest import requires_postgres
from tests.factories import UserFactory

from .factories import attendance_training, cohort_with, session_for

UNDER_WAY = datetime.timedelta(minutes=-10)


def _gated_lesson(course):
    return LessonPage.objects.descendant_of(course).order_by("path").first()


def _status(learner, lesson):
    row = LessonProgress.objects.filter(enrolment__user=learner, lesson_key=lesson.translation_key).first()
    return row.status if row else None


@pytest.mark.django_db
def test_attendance_gate_completes_a_lesson_after_check_in(course, group, learner):
    lesson = _gated_lesson(course)
    enrolment = Enrolment.objects.get(user=learner)
    courses.lesson_open(enrolment=enrolment, lesson=lesson)
    assert _status(learner, lesson) == LessonStatus.IN_PROGRESS  # opening waits for the sessions

    session = session_for(course, cohort=group, starts_in=UNDER_WAY)
    services.checkin(user=learner, session=session, code=session.checkin_code)

    assert _status(learner, lesson) == LessonStatus.COMPLETED


@pytest.mark.django_db
def test_gate_needs_n_sessions_and_counts_replaced_ones(index, learner, teacher):
    course = attendance_training(index, sessions_required=2)
    group = cohort_with(course, learners=[learner], teachers=[teacher])
    lesson = _gated_lesson(course)
    first = session_for(course, cohort=group, starts_in=UNDER_WAY)
    missed = session_for(course, cohort=group, starts_in=datetime.timedelta(hours=-5))
    services.attendance_mark(by=teacher, session=first, marks={learner.pk: "present"})
    assert _status(learner, lesson) != LessonStatus.COMPLETED

    work = services.replacement_submit(user=learner, session=missed, text="Korvaava tehtävä")
    services.replacement_decide(reviewer=teacher, replacement=work, approve=True)

    assert _status(learner, lesson) == LessonStatus.COMPLETED


@pytest.mark.django_db
def test_only_enrolled_learners_sign_up(course, learner):
    session = session_for(course)
    with pytest.raises(services.ScheduleError) as refusal:
        services.signup_create(user=learner, session=session)
    assert refusal.value.status == 404
    courses.enrolment_create(user=learner, training=course, notify=False)
    assert services.signup_create(user=learner, session=session) == services.signup_create(
        user=learner, session=session
    )


@pytest.mark.django_db
def test_seat_limit_refuses_the_second_learner_for_the_last_seat(course, learner, other_learner):
    session = session_for(course, seats=1)
    for user in (learner, other_learner):
        courses.enrolment_create(user=user, training=course, notify=False)
    services.signup_create(user=learner, session=session)
    with pytest.raises(services.ScheduleError) as refusal:
        services.signup_create(user=other_learner, session=session)
    assert refusal.value.status == 409
    assert services.signup_cancel(user=learner, session=session)
    services.signup_create(user=other_learner, session=session)  # the seat was given back


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_sign_ups_for_the_last_seat_at_once_take_it_once(course):
    session = session_for(course, seats=1)
    users = [UserFactory(), UserFactory()]
    for user in users:
        courses.enrolment_create(user=user, training=course, notify=False)
    barrier, outcomes = threading.Barrier(2), []

    def take(user):
        try:
            barrier.wait(timeout=10)
            services.signup_create(user=user, session=session)
            outcomes.append("seat")
        except services.ScheduleError as refusal:
            outcomes.append(refusal.status)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes, key=str) == [409, "seat"]
    assert SessionSignup.objects.filter(session=session).count() == 1


def _queries(client, url) -> int:
    client.get(url)  # warm the caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_dashboard_tag_costs_one_query_whatever_the_number_of_sessions(client, course, group, learner):
    client.force_login(learner)
    session_for(course, cohort=group)
    one = _queries(client, "/fi/learn/")
    for _ in range(5):
        session_for(course, cohort=group, starts_in=UNDER_WAY)
    session_for(course, signup="open")
    assert _queries(client, "/fi/learn/") == one


@pytest.mark.django_db
def test_lesson_block_costs_a_fixed_number_of_queries(client, course, group, learner):
    client.force_login(learner)
    lesson = _gated_lesson(course)
    session_for(course, cohort=group)
    one = _queries(client, lesson.url)
    for hours in (-30, -20, -10, 5):
        session_for(course, cohort=group, starts_in=datetime.timedelta(hours=hours))
    body = client.get(lesson.url).content.decode()
    assert f'href="/fi/sessions/training/{course.pk}/"' in body
    assert body.count('name="text"') == 3  # a replacement form for each missed session
    assert _queries(client, lesson.url) == one


@pytest.mark.django_db
def test_my_trainings_shows_a_new_changed_or_cancelled_session_at_once_though_its_list_is_cached(
    client, course, group, learner, teacher
):
    """The upcoming list is kept in the learner's cache (a second visit costs no query); a stale list
    would hide a session just added, or keep showing one cancelled, so each change replaces its stamp."""
    client.force_login(learner)
    first = session_for(course, cohort=group, title="Aloitustapaaminen")
    assert "Aloitustapaaminen" in client.get("/fi/learn/").content.decode()
    with CaptureQueriesContext(connection) as captured:
        client.get("/fi/learn/")
    assert not [q for q in captured.captured_queries if "schedule_contactsession" in q["sql"]]

    session_for(course, cohort=group, title="Toinen tapaaminen")
    assert "Toinen tapaaminen" in client.get("/fi/learn/").content.decode()

    services.session_update(by=teacher, session=first, place="Sali 204")
    assert "Sali 204" in client.get("/fi/learn/").content.decode()

    services.session_cancel(by=teacher, session=first)
    assert "<s>Aloitustapaaminen</s>" in client.get("/fi/learn/").content.decode()  # struck through, badged
