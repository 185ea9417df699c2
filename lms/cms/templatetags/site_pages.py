from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from lms.cms.selectors import legal_links

register = template.Library()


@register.simple_tag(takes_context=True)
def footer_links(context) -> list[dict]:
    """The footer's links in the page's language: the statement, the notice, contact and feedback.

    No query on a warm cache (``legal_links``); the contact link carries the page it was followed from.
    """
    request = context.get("request")
    if request is None:
        return []
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    links = [
        {"kind": kind, "title": title, "url": url, "lang": code}
        for kind, title, url, code in legal_links(request, language)
    ]
    contact = reverse("cms:contact")
    if request.path != contact:
        contact = f"{contact}?{urlencode({'from': request.path[:500]})}"  # the path only: never echo a query string
    links.append({"kind": "contact", "title": _("Contact and feedback"), "url": contact, "lang": language})
    return links
