from django import template

from ..codes import display

register = template.Library()


@register.filter
def display_code(code: str) -> str:
    """A certificate's code as people read and type it (``5C4T-GRAD-...``)."""
    return display(code)
