from django import template

from ..selectors import training_catalogue

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template, or None; block ids are not valid template variable names."""
    if not mapping:
        return None
    return mapping.get(key)


@register.simple_tag(takes_context=True)
def catalogue(context, locale):
    return training_catalogue(locale=locale, user=context["request"].user)
