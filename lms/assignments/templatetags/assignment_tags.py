"""What the lesson page needs of the learner's assignments: nothing, and no query, when it has none."""

from django import template

from lms.courses.structure import structure_for, training_of

from ..selectors import rounds_for, waiting_count

register = template.Library()


@register.simple_tag
def assignment_rounds(enrolment, page) -> dict:
    """``{block id: [rounds, oldest first]}`` of the learner's work in the lesson ``page`` (two queries)."""
    if enrolment is None or page is None or not page.pk:
        return {}
    node = structure_for(training_of(page)).lesson(page.translation_key)
    if node is None or not node.requirements.assignments:
        return {}
    return rounds_for(enrolment, node.key)


@register.simple_tag(takes_context=True)
def reviews_waiting(context) -> int:
    """How many rounds wait for the signed-in reviewer (one query; only staff headers ask)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return waiting_count(user)
