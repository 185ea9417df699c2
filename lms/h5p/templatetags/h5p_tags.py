from django import template
from django.conf import settings

from ..player import origin_of, player_origin, player_url, request_origin
from ..selectors import LESSON_RIDER, lesson_records
from ..services import learner_mbox

register = template.Library()


@register.simple_tag(takes_context=True)
def h5p_lesson(context, enrolment, lesson, user):
    """What the lesson page needs for its H5P blocks: the learner's attempts and saved states (read
    with the page's enrolment where it has ``riders``), and for each activity a signed address of its
    player in the player's own origin."""
    activity_ids = list(lesson.requirements.h5p)
    request = context["request"]
    # Wagtail's preview renders the page for a made-up request to the site's own address, without
    # the port the browser uses; the admin that frames it runs at the platform's address.
    parent = (
        origin_of(settings.WAGTAILADMIN_BASE_URL) if getattr(request, "is_dummy", False) else request_origin(request)
    )
    ridden = (context.get("riders") or {}).get(LESSON_RIDER.name)
    attempts, states = ridden if ridden is not None else lesson_records(enrolment, user, activity_ids)
    return {
        "present": bool(activity_ids),
        "attempts": attempts,
        "states": states,
        "iri_base": settings.WAGTAILADMIN_BASE_URL.rstrip("/"),
        "mbox": learner_mbox(user).removeprefix("mailto:") if user.is_authenticated else "",
        "player_origin": player_origin(),
        "player_urls": {pk: player_url(activity_id=pk, parent_origin=parent) for pk in activity_ids},
    }
