from django import template
from django.utils.translation import gettext as _

from lms.courses.enums import PASS

from ..codes import display

register = template.Library()


@register.filter
def display_code(code: str) -> str:
    """A certificate's code as people read and type it (``5C4T-GRAD-...``)."""
    return display(code)


@register.filter
def certified(facts) -> str:
    """What a certificate certifies, as its credential names it: the training, or "training: part"."""
    facts = facts or {}
    training, part = facts.get("training", ""), facts.get("part")
    return f"{training}: {part}" if part else training


@register.filter
def grade_text(facts) -> str:
    """A part certificate's grade in the active language: "Passed", or "Grade 4 (scale 1-5)"; else ""."""
    grade = (facts or {}).get("grade")
    if not grade:
        return ""
    if grade == PASS:
        return _("Passed")
    return _("Grade %(grade)s (scale 1–5)") % {"grade": grade}
