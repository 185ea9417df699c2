"""Contact sessions as iCalendar (RFC 5545): the personal feed, a session's download, and e-mailed invitations.

Built with the ``icalendar`` package rather than by hand: folding long lines at 75 octets, escaping
commas and semicolons in titles and places, and above all a correct ``VTIMEZONE`` for
Europe/Helsinki (its daylight-saving rules) are what hand-written ICS gets wrong, and what calendar
apps then show an hour off. Times are written with ``TZID=Europe/Helsinki``, as the sessions were
planned, so a learner abroad still sees the right hour and a change of the Finnish rules is followed.

A session keeps one ``UID`` for life and raises its ``SEQUENCE`` on every change that matters, so a
calendar replaces the event it has; a cancelled one stays in the feed with ``STATUS:CANCELLED``
(dropping it would leave it in calendars that already have it). E-mails carry ``METHOD:REQUEST``
or ``METHOD:CANCEL``; the feed and downloads carry no method (RFC 5546 methods are for messages).
"""

import datetime
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone

from .models import ContactSession

TZID = "Europe/Helsinki"
PRODID = "-//Työkykyohjelma//Kyky//FI"


def _event(session: ContactSession, stamp: datetime.datetime, base_url: str) -> icalendar.Event:
    zone = ZoneInfo(TZID)
    event = icalendar.Event()
    event.add("uid", f"{session.uid}@kyky")
    event.add("dtstamp", stamp)
    event.add("last-modified", session.updated_at.astimezone(datetime.UTC))
    event.add("sequence", session.sequence)
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add("dtend", session.ends_at.astimezone(zone))
    event.add("summary", session.title)
    description = session.description
    if session.online_url:
        description = f"{description}\n\n{session.online_url}".strip()
        event.add("url", session.online_url)
    if description:
        event.add("description", description)
    location = session.place or session.online_url
    if location:
        event.add("location", location)
    event.add("status", "CANCELLED" if session.cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if session.cancelled else "OPAQUE")
    return event


def calendar(sessions: Iterable[ContactSession], *, name: str = "", method: str | None = None) -> bytes:
    """The sessions as one calendar, with the Helsinki time zone spanning their dates."""
    sessions = list(sessions)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
        cal.add("name", name)
    cal.add("x-wr-timezone", TZID)
    cal.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    today = timezone.localdate()
    first = min([s.starts_at.date() for s in sessions] + [today]) - datetime.timedelta(days=1)
    last = max([s.ends_at.date() for s in sessions] + [today]) + datetime.timedelta(days=366)
    cal.add_component(icalendar.Timezone.from_tzid(TZID, first_date=first, last_date=last))
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    base_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    for session in sessions:
        cal.add_component(_event(session, stamp, base_url))
    return cal.to_ical()
