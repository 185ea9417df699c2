from django import template
from django.conf import settings

from ..player import player_origin, player_url, request_origin
from ..selectors import attempts_for, saved_states
from ..services import learner_mbox

register = template.Library()


@register.simple_tag(takes_context=True)
def h5p_lesson(context, enrolment, lesson, user):
    """What the lesson page needs for its H5P blocks: the learner's attempts and saved states, and
    for each activity a signed address of its player in the player's own origin."""
    activity_ids = list(lesson.h5p_requirements())
    parent = request_origin(context["request"])
    return {
        "present": bool(activity_ids),
        "attempts": attempts_for(enrolment, activity_ids),
        "states": saved_states(user, activity_ids) if enrolment else {},
        "iri_base": settings.WAGTAILADMIN_BASE_URL.rstrip("/"),
        "mbox": learner_mbox(user).removeprefix("mailto:") if user.is_authenticated else "",
        "player_origin": player_origin(),
        "player_urls": {pk: player_url(activity_id=pk, parent_origin=parent) for pk in activity_ids},
    }
