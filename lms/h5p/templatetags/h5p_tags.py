from django import template
from django.conf import settings

from ..selectors import attempts_for, saved_states
from ..services import learner_mbox

register = template.Library()


@register.simple_tag
def h5p_lesson(enrolment, lesson, user):
    """What the lesson page needs for its H5P blocks: the learner's attempts and saved states."""
    activity_ids = list(lesson.h5p_requirements())
    return {
        "present": bool(activity_ids),
        "attempts": attempts_for(enrolment, activity_ids),
        "states": saved_states(user, activity_ids) if enrolment else {},
        "iri_base": settings.WAGTAILADMIN_BASE_URL.rstrip("/"),
        "mbox": learner_mbox(user).removeprefix("mailto:") if user.is_authenticated else "",
    }
