from django import template

from lms import links

register = template.Library()


@register.filter
def absolute(path: str) -> str:
    """``path`` at the service's public address (``lms.links``): for links people copy and send on."""
    return links.absolute_url(str(path))
