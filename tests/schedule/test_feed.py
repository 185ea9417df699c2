"""The calendar feed and .ics downloads, read back with the icalendar package as calendar apps read them."""

import datetime

import icalendar
import pytest
from django.core import mail
from django.test import TestCase

from lms.courses import services as courses
from lms.schedule import services
from lms.schedule.models import CalendarFeed

from .factories import session_for

pytestmark = pytest.mark.django_db


def _feed(client, user):
    token = services.feed_for(user).token
    return client.get(f"/calendar/{token}.ics")


def _events(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def test_feed_times_carry_the_helsinki_time_zone(client, course, group, learner):
    session = session_for(course, cohort=group, online_url="https://meet.example.fi/abc", place="")

    calendar = _events(_feed(client, learner))

    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Helsinki"]
    (event,) = calendar.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Europe/Helsinki"
    assert event["DTEND"].params["TZID"] == "Europe/Helsinki"
    assert event.decoded("DTSTART") == session.starts_at.replace(microsecond=0) or abs(
        event.decoded("DTSTART") - session.starts_at
    ) < datetime.timedelta(seconds=1)
    assert str(event["UID"]) == f"{session.uid}@kyky"
    assert str(event["URL"]) == "https://meet.example.fi/abc"
    assert str(event["LOCATION"]) == "https://meet.example.fi/abc"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "no-store" in _feed(client, learner)["Cache-Control"]


def test_cancelled_session_stays_in_the_feed_marked_cancelled_with_a_new_sequence(client, course, group, learner):
    session = session_for(course, cohort=group)
    before = _events(_feed(client, learner)).walk("VEVENT")[0]
    services.session_cancel(by=None, session=session)

    (event,) = _events(_feed(client, learner)).walk("VEVENT")

    assert str(event["STATUS"]) == "CANCELLED"
    assert event["UID"] == before["UID"]
    assert int(event["SEQUENCE"]) == int(before["SEQUENCE"]) + 1


def test_a_new_time_raises_the_sequence_a_new_title_does_not(client, course, group, learner, teacher):
    session = session_for(course, cohort=group)
    services.session_update(by=teacher, session=session, title="Uusi otsikko")
    assert int(_events(_feed(client, learner)).walk("VEVENT")[0]["SEQUENCE"]) == 0

    services.session_update(
        by=teacher,
        session=session,
        starts_at=session.starts_at + datetime.timedelta(hours=1),
        ends_at=session.ends_at + datetime.timedelta(hours=1),
    )

    (event,) = _events(_feed(client, learner)).walk("VEVENT")
    assert int(event["SEQUENCE"]) == 1
    assert str(event["SUMMARY"]) == "Uusi otsikko"


def test_reset_token_makes_the_old_feed_404(client, learner):
    old = services.feed_for(learner).token
    assert client.get(f"/calendar/{old}.ics").status_code == 200

    new = services.feed_reset(user=learner).token

    assert new != old
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200


def test_reset_over_http_is_post_only(client, learner):
    client.force_login(learner)
    old = services.feed_for(learner).token
    assert client.get("/fi/sessions/calendar/").status_code == 200
    assert CalendarFeed.objects.get(user=learner).token == old
    assert client.post("/fi/sessions/calendar/").status_code == 302
    assert CalendarFeed.objects.get(user=learner).token != old


def test_forged_token_is_404(client, learner):
    services.feed_for(learner)
    assert client.get("/calendar/forged-token.ics").status_code == 404


def test_feed_of_user_a_never_shows_user_b_open_signup_sessions(client, course, learner, other_learner):
    courses.enrolment_create(user=learner, training=course, notify=False)
    courses.enrolment_create(user=other_learner, training=course, notify=False)
    mine, theirs = session_for(course, title="Minun"), session_for(course, title="Heidän")
    services.signup_create(user=learner, session=mine)
    services.signup_create(user=other_learner, session=theirs)

    titles = [str(e["SUMMARY"]) for e in _events(_feed(client, learner)).walk("VEVENT")]

    assert titles == ["Minun"]


def test_session_ics_only_for_someone_it_concerns(client, course, group, learner, other_learner):
    session = session_for(course, cohort=group)
    client.force_login(other_learner)
    assert client.get(f"/fi/sessions/{session.pk}/ics").status_code == 404
    client.force_login(learner)
    response = client.get(f"/fi/sessions/{session.pk}/ics")
    assert len(_events(response).walk("VEVENT")) == 1
    assert "attachment" in response["Content-Disposition"]


def test_change_email_sent_once_with_the_ics(course, group, learner, teacher):
    learner.preferred_language = "sv"
    learner.save()
    session = session_for(course, cohort=group)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.session_update(by=teacher, session=session, place="Sali 2")
    assert services.change_notify(session_id=session.pk) == 0  # the task again: nothing more to tell

    (message,) = mail.outbox
    assert message.to == [learner.email]
    assert "Lähiopetus" in message.subject
    (_name, content, mimetype) = message.attachments[0]
    assert mimetype.startswith("text/calendar; method=REQUEST")
    calendar = icalendar.Calendar.from_ical(content)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(calendar.walk("VEVENT")[0]["LOCATION"]) == "Sali 2"


def test_cancel_email_carries_method_cancel(course, group, learner, teacher):
    session = session_for(course, cohort=group)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.session_cancel(by=teacher, session=session)
        services.session_cancel(by=teacher, session=session)  # twice: one cancellation

    (message,) = mail.outbox
    calendar = icalendar.Calendar.from_ical(message.attachments[0][1])
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(calendar.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
