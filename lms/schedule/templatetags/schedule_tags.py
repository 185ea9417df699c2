"""The learner's upcoming sessions on *My trainings*, and a session's time as people read it."""

from zoneinfo import ZoneInfo

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from lms import learner_cache

from .. import selectors

register = template.Library()
HELSINKI = ZoneInfo("Europe/Helsinki")


@register.inclusion_tag("schedule/includes/upcoming.html", takes_context=True)
def upcoming_sessions(context):
    """*Upcoming sessions* on My trainings, rendered outside the dashboard's cached fragment (the
    check-in form depends on the minute) from rows kept in the learner's cache: a visit with nothing
    changed costs no query (``learner_cache``; the schedule's models replace the stamps)."""
    request, now = context["request"], timezone.now()
    sessions = _upcoming(request.user, now)
    return {
        "request": request,
        "sessions": [session for session in sessions if session.ends_at >= now],
        "now": now,
        "here": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


def _upcoming(user, now) -> list:
    """The learner's upcoming sessions, from the cache while current; a full list (``limit`` rows) is
    built again once its first session has ended, so that a later one moves up into it."""
    if not user.is_authenticated:
        return []
    limit = selectors.UPCOMING_LIMIT

    def build():
        rows = selectors.upcoming_for(user, limit=limit)
        return (rows, rows[0].ends_at if len(rows) == limit else None)

    shared = (learner_cache.COHORTS, learner_cache.SESSIONS)
    rows, refresh_at = learner_cache.page(user.pk, "upcoming-sessions", "", build, shared=shared)
    if refresh_at is not None and now > refresh_at:
        rows, refresh_at = build()
    return rows


@register.filter
def when(session):
    """``<time>`` with the session's day and hours in the reader's language's format, in Finnish time."""
    start, end = session.starts_at.astimezone(HELSINKI), session.ends_at.astimezone(HELSINKI)
    if start.date() == end.date():
        text = f"{formats.date_format(start, 'SHORT_DATETIME_FORMAT')}–{formats.time_format(end, 'TIME_FORMAT')}"
    else:
        text = " – ".join(formats.date_format(moment, "SHORT_DATETIME_FORMAT") for moment in (start, end))
    return format_html(
        '<time datetime="{}">{}</time> <span class="muted small">({} {})</span>',
        start.isoformat(),
        text,
        _("Finnish time"),
        start.strftime("%Z"),
    )
