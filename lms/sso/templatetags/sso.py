from django import template

from lms.sso.selectors import login_choices

register = template.Library()


@register.simple_tag
def sso_login_choices():
    """The enabled identity providers, for "Log in with your organisation" on the login page."""
    return list(login_choices())
