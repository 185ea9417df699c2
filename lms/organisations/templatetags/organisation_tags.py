from django import template
from django.utils import translation

register = template.Library()


@register.filter
def localised(organisation) -> str:
    """The organisation's name in the language of the page (or of the e-mail being written)."""
    return organisation.localised_name(translation.get_language() or "fi")
