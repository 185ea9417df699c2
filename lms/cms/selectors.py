"""Reads of the site-wide pages, cached per published state (``lms.generation``)."""

import logging

from django.conf import settings

from lms import generation

from .enums import LegalPageKind
from .models import LegalPage

logger = logging.getLogger(__name__)


def legal_links(request, language: str) -> tuple[tuple[str, str, str, str], ...]:
    """``(kind, title, url, language)`` of the statement and the notice in ``language``, for the footer.

    One query per host, language and content generation, then none: every page's footer reads it.
    A page not yet translated is linked in the default language (and says so with ``lang``).
    """
    try:
        return generation.cached(
            f"legal-links:{request.get_host()}:{language}", lambda: _legal_links(request, language), immutable=True
        )
    except Exception:  # the cache server is down: every page still has its footer, at one query
        logger.warning("Cache unreachable; reading the footer's pages from the database", exc_info=True)
        return _legal_links(request, language)


def _legal_links(request, language: str) -> tuple:
    pages = {}
    wanted = {language, settings.LANGUAGE_CODE}
    for page in LegalPage.objects.live().public().filter(locale__language_code__in=wanted).select_related("locale"):
        code = page.locale.language_code
        if page.kind not in pages or code == language:
            pages[page.kind] = (page.kind, page.title, page.get_url(request), code)
    return tuple(pages[kind] for kind in LegalPageKind.values if kind in pages)
