from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import translate_url
from wagtail.models import Page

from lms import generation

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """Links to this page in each language: the page's translations, or the same view's URL."""
    request = context["request"]
    page = context.get("page")
    current = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    urls = context.get("language_urls") or {}  # a lesson's, from its training's structure
    if urls:
        pass  # an untranslated lesson is at home in every language's tree, which its translations do not say
    elif isinstance(page, Page) and page.pk and page.live:
        urls = generation.cached(
            f"translations:{request.get_host()}:{page.pk}",
            lambda: {
                t.locale.language_code: t.get_url(request)
                for t in page.get_translations(inclusive=True).live().select_related("locale")
            },
            immutable=True,  # only read: kept in the process too
        )
    elif isinstance(page, Page) and page.pk:
        for translation in page.get_translations(inclusive=True).select_related("locale"):
            urls[translation.locale.language_code] = translation.get_url(request)
    links = []
    for code, name in settings.LANGUAGES:
        url = urls.get(code) if urls else _translated(request.get_full_path(), code)
        links.append({"code": code, "name": name, "url": url or f"/{code}/", "current": code == current})
    return links


@lru_cache(maxsize=4096)
def _translated(path: str, language: str) -> str:
    """The path in another language: Django resolves and reverses it, the same every time (URLconf is fixed)."""
    return translate_url(path, language)
