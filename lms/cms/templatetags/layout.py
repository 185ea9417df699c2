"""Markup that pages of every app share."""

import logging
import re
from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from lms import generation
from lms.cms.selectors import legal_links

from .kyky import language_links

register = template.Library()
logger = logging.getLogger(__name__)

_SLOTS = ("csrf", "languages", "waiting")
_SLOT_MARK = re.compile("\x00slot:([^\x00]+)\x00")


def _slot(name: str) -> str:
    return mark_safe(f"\x00slot:{name}\x00")  # noqa: S308 - our own marker, replaced before anyone sees it


def _frame(template_name: str, context: dict) -> tuple[str, ...]:
    """``template_name`` rendered once, split at its slots: markup, slot name, markup, ..., markup."""
    return tuple(_SLOT_MARK.split(render_to_string(template_name, context)))


def _filled(parts: tuple[str, ...], fill) -> str:
    """The frame with each slot replaced by ``fill(name)``, whose markup is escaped by whoever made it."""
    return mark_safe("".join(part if i % 2 == 0 else fill(part) for i, part in enumerate(parts)))  # noqa: S308


@register.simple_tag(takes_context=True)
def site_header(context):
    """The site's header: rendered once per language and audience, its slots filled per request.

    Every page has it, and as a template it cost a third of a millisecond a page: a dozen
    translations and URL reversals that come out the same for everyone who sees the same menu.
    Its few personal parts are slots: the logout form's CSRF token, the links to this page in
    the other languages, and a reviewer's count of work waiting (the only query, for staff alone).
    """
    user = context.get("user")
    authenticated = bool(user is not None and user.is_authenticated)
    areas = tuple(sorted(user.staff_areas)) if authenticated else ()
    is_staff = authenticated and user.is_staff
    parts = _header(translation.get_language(), authenticated, areas, is_staff)
    fill = {"csrf": _csrf_input, "languages": _language_nav, "waiting": _waiting}
    return _filled(parts, lambda name: fill[name](context))


@lru_cache(maxsize=256)
def _header(language: str, authenticated: bool, areas: tuple[str, ...], is_staff: bool) -> tuple[str, ...]:
    with translation.override(language):
        return _frame(
            "includes/site_header.html",
            {
                "LANGUAGE_CODE": language,
                "authenticated": authenticated,
                "areas": areas,
                "is_staff": is_staff,
                "reviewer": "cohorts" in areas or is_staff,
                "slot": {name: _slot(name) for name in _SLOTS},
            },
        )


def _forget_headers(**_kwargs) -> None:
    _header.cache_clear()  # URLs and languages are settings: a test that changes them gets a new header


setting_changed.connect(_forget_headers)


def _csrf_input(context) -> str:
    return CsrfTokenNode().render(context)  # what {% csrf_token %} renders, from the same lazy token


_CURRENT = ' aria-current="true"'


def _language_nav(context) -> str:
    html = []
    for link in language_links(context):  # the codes are the settings' LANGUAGES
        code, current = link["code"], _CURRENT if link["current"] else ""
        html.append(f'<a href="{escape(link["url"])}" lang="{code}" hreflang="{code}"{current}>{code.upper()}</a>')
    return "".join(html)


def _waiting(context) -> str:
    from lms.assignments.selectors import waiting_count  # the header names every app's entry; only this one counts

    count = waiting_count(context["user"])
    if not count:
        return ""
    return format_html(
        ' <span class="count">{}<span class="visually-hidden"> {}</span></span>', count, gettext("waiting")
    )


@register.tag
def table_scroll(parser, token):
    """``{% table_scroll _("Learners") %}<table>…</table>{% endtable_scroll %}``.

    A wide table scrolls sideways in its own box instead of widening the page (WCAG 1.4.10); the
    box is a named region that takes the keyboard focus, so that it can be scrolled without a mouse
    (axe's *scrollable-region-focusable*). One tag, so that every table gets the same box.
    """
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one argument: the region's name")
    label = parser.compile_filter(bits[1])
    nodelist = parser.parse(("endtable_scroll",))
    parser.delete_first_token()
    return TableScrollNode(label, nodelist)


class TableScrollNode(template.Node):
    def __init__(self, label, nodelist):
        self.label = label
        self.nodelist = nodelist

    def render(self, context):
        table = self.nodelist.render(context)  # already escaped by its own template
        return render_to_string("includes/table_scroll.html", {"label": self.label.resolve(context), "table": table})


@register.simple_tag(takes_context=True)
def site_footer(context):
    """The site's footer: rendered once per language, host and content generation (its links are
    pages: the accessibility statement and the privacy notice), with the requested path filled in:
    which link is the current page, and where the contact form was opened from."""
    request = context.get("request")
    if request is None:
        return ""
    language = translation.get_language()
    try:
        key = generation.key(f"footer:{request.get_host()}:{language}")
    except Exception:  # the cache server is down: every page still has its footer, rendered for it alone
        logger.warning("Cache unreachable; rendering the footer without it", exc_info=True)
        key = None
    found = generation.local_get(key) if key else None
    if found is None:
        found = _footer(request, language)
        if key:
            generation.local_set(key, found)
    parts, contact = found

    def fill(name: str) -> str:
        if name == "contact":  # where the form was opened from: the path only, never a query string
            return (
                contact if request.path == contact else escape(f"{contact}?{urlencode({'from': request.path[:500]})}")
            )
        return ' aria-current="page"' if request.path == name.removeprefix("current:") else ""

    return _filled(parts, fill)


def _footer(request, language: str) -> tuple[tuple[str, ...], str]:
    """The footer's frame, and the contact form's path that its slots compare and extend."""
    contact_path = reverse("cms:contact")
    links = [
        {"title": title, "url": url, "lang": code, "current": _slot(f"current:{url}")}
        for _kind, title, url, code in legal_links(request, language)
    ]
    contact = {"url": _slot("contact"), "current": _slot(f"current:{contact_path}")}
    frame = _frame("includes/site_footer.html", {"LANGUAGE_CODE": language, "links": links, "contact": contact})
    return frame, contact_path
