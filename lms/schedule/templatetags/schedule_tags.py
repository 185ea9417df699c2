"""The learner's upcoming sessions on *My trainings*, and a session's time as people read it."""

from zoneinfo import ZoneInfo

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from .. import selectors

register = template.Library()
HELSINKI = ZoneInfo("Europe/Helsinki")


@register.inclusion_tag("schedule/includes/upcoming.html", takes_context=True)
def upcoming_sessions(context, cached):
    """*Upcoming sessions* on My trainings, rendered outside the dashboard's cached fragment (the
    check-in form depends on the minute) from rows kept in the learner's cache: a visit with nothing
    changed costs no query (``learner_cache``; the schedule's models replace the stamps).

    ``cached``: the value of ``selectors.upcoming_entry``, which the page read with its own entry.
    """
    request, now = context["request"], timezone.now()
    rows, refresh_at = cached
    if refresh_at is not None and now > refresh_at:
        rows, refresh_at = selectors.upcoming_rows(request.user)
    return {
        "request": request,
        "sessions": [session for session in rows if session.ends_at >= now],
        "now": now,
        "here": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


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
