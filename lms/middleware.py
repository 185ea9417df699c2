from functools import lru_cache
from urllib.parse import urlsplit

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext

from lms.accounts import backends as accounts_backends
from lms.jsonbody import has_nul_or_surrogate

# Paths outside i18n_patterns whose 404s are answers (an API, a missing file), not pages to
# look up again under /fi/.
UNLOCALISED = (
    "/xapi/",
    "/h5p/",
    "/verify/",
    "/certificates/",
    "/credentials/",
    "/healthz",
    "/lti/",
    "/admin/",
    "/documents/",
    "/static/",
    "/media/",
)


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's, except that it never redirects a 404 of an unlocalised path to ``/<lang>/...``.

    With Wagtail's catch-all page route every ``/fi/...`` path "exists", so the stock middleware
    would turn an API's 404 into a redirect to a page that then says "not found".
    """

    def process_response(self, request, response):
        if request.path_info.startswith(UNLOCALISED):
            return response
        return super().process_response(request, response)


class PlayerOriginMiddleware:
    """Route requests for the H5P player's origin to its own URLconf, with no cookies either way.

    The platform and the player are served by the same processes; the host name tells them apart.
    A request to the player's host can reach only ``lms.h5p.player_urls``; it never reads a cookie
    (no session, no user) and its response never sets one, so content running there holds nothing
    of the platform's, whatever the browser sends.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.get_host().lower() != player_host():
            return self.get_response(request)
        request.urlconf = "lms.h5p.player_urls"
        request.META.pop("HTTP_COOKIE", None)
        request.COOKIES = {}
        response = self.get_response(request)
        response.cookies.clear()
        response["Referrer-Policy"] = "no-referrer"  # grants travel in URLs; keep them out of Referer headers
        response["X-Content-Type-Options"] = "nosniff"
        return response


def player_host() -> str:
    return _netloc(settings.H5P_ORIGIN)


@lru_cache(maxsize=8)
def _netloc(url: str) -> str:
    return urlsplit(url).netloc.lower()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy (settings.CONTENT_SECURITY_POLICY), plus what depends on the request.

    Every page may frame the H5P player's origin, which is read per request so that it follows the
    settings. Wagtail's admin sets inline styles on many elements (panels, progress, colour
    pickers), so under ``/admin/`` style attributes and elements are allowed; scripts never are.
    Responses that set their own policy (the player's) keep it.
    """

    def process_response(self, request, response):
        """The common case from built headers: building a policy per response cost more than a small page.

        Anything django-csp treats specially (a nonce, a decorator's policy, report-only, excluded
        prefixes, debug error pages) goes through django-csp itself.
        """
        if self._plain(request, response):
            response[HEADER] = _built_policy(request.path_info.startswith("/admin/"), settings.H5P_ORIGIN)
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
            return response
        return super().process_response(request, response)

    @staticmethod
    def _plain(request, response) -> bool:
        policy = settings.CONTENT_SECURITY_POLICY or {}
        return not (
            HEADER in response
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, attr) for attr in _RESPONSE_POLICY_ATTRS)
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or policy.get("EXCLUDE_URL_PREFIXES")
            or (settings.DEBUG and response.status_code in (404, 500))
        )

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        update = dict(parts.update or {})
        for directive, sources in _request_sources(request.path_info.startswith("/admin/"), settings.H5P_ORIGIN):
            update[directive] = [*update.get(directive, []), *sources]
        parts.update = update
        return parts


_RESPONSE_POLICY_ATTRS = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt")


def _request_sources(admin: bool, player_origin: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """What a request adds to the settings' policy: the player's frames, and the admin's inline styles."""
    added = (("frame-src", (player_origin,)),)
    if admin:
        added += (("style-src", ("'unsafe-inline'",)), ("img-src", ("blob:",)))
    return added


@lru_cache(maxsize=8)
def _built_policy(admin: bool, player_origin: str) -> str:
    """The header of a plain response: the settings' policy with what the request adds."""
    added = _request_sources(admin, player_origin)
    return build_policy(update={directive: list(sources) for directive, sources in added})


@receiver(setting_changed)
def _policy_settings_changed(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY") or setting == "H5P_ORIGIN":
        _built_policy.cache_clear()


# The largest integer any column of SQLite or PostgreSQL holds (bigint). An id in a URL beyond it names nothing,
# but reaching the database it is a crash: SQLite's driver raises OverflowError, and lookups through a foreign
# key or a page's parent link are not guarded by Django's out-of-range handling.
_MAX_STORABLE_INT = 2**63 - 1
_FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class UnstorableInputMiddleware:
    """Refuse, with a 400 in the user's language, requests carrying text that no database can store.

    PostgreSQL's text and jsonb types cannot hold U+0000, and psycopg cannot encode a lone surrogate:
    either one reaching a query is a 500, whichever view, form or Wagtail page it passes through
    (Django's forms refuse NUL, but only where a form is used; a page path, a query parameter or a
    value read straight from ``request.POST`` is not checked). So the path, every query parameter and
    every form field and file name are checked here, once, before any view runs; JSON bodies are left to
    :func:`lms.jsonbody.parse_json`, which refuses the same. Cookies that hold such text are dropped
    rather than refused, so that a bad cookie cannot lock anyone out.

    Ids in a URL (the ``<int:...>`` parts) beyond what a database column holds cannot name anything and
    answer 404, like any other unknown id.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, value in list(request.COOKIES.items()):
            if has_nul_or_surrogate(name) or has_nul_or_surrogate(value):
                del request.COOKIES[name]
        for text in self._texts(request):
            if has_nul_or_surrogate(text):
                return self._refusal(request, nul="\x00" in text)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not -_MAX_STORABLE_INT - 1 <= value <= _MAX_STORABLE_INT:
                raise Http404
        return None

    @staticmethod
    def _texts(request):
        yield request.path_info
        for key, values in request.GET.lists():
            yield key
            yield from values
        if request.method != "POST" or not (request.content_type or "").startswith(_FORM_CONTENT_TYPES):
            return
        try:
            form, files = request.POST, request.FILES
        except OSError:
            return  # the client went away mid-upload; CsrfViewMiddleware and the view deal with that
        for key, values in form.lists():
            yield key
            yield from values
        for key, uploads in files.lists():
            yield key
            yield from (upload.name or "" for upload in uploads)

    @staticmethod
    def _refusal(request, *, nul: bool):
        language = translation.get_language_from_request(request, check_path=True)
        with translation.override(language):
            # "Null characters are not allowed." is Django's own message, translated by Django in every language.
            # A lone surrogate cannot come through Django's decoding of URLs and forms (it becomes U+FFFD); the
            # check is a second line of defence.
            reason = (
                gettext("Null characters are not allowed.")
                if nul
                else gettext("The request contains text that is not valid Unicode.")
            )
            message = " ".join([reason, gettext("The request was refused; nothing was changed.")])
        json_wanted = request.path_info.startswith(("/xapi/", "/h5p/")) or "application/json" in request.headers.get(
            "Accept", ""
        )
        if json_wanted:
            response = JsonResponse({"error": message}, status=400)
        else:
            response = HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        response["Content-Language"] = language
        return response


class PreferredLanguageMiddleware:
    """Remember the language a signed-in person reads in, as the language of what Kyky sends them.

    E-mails, the next log-in's landing page and a certificate's frozen facts follow
    ``User.preferred_language``. Someone who switches the site to Swedish wants those in Swedish too,
    so a page read in another language than the stored one updates it: one UPDATE when the choice
    changes, nothing on every other request (the user is already loaded for the page).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method != "GET" or response.status_code != 200:
            return response
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        language = translation.get_language_from_path(request.path_info)
        if language and language != user.preferred_language:
            get_user_model().objects.filter(pk=user.pk).update(preferred_language=language)
            accounts_backends.forget(user.pk)  # the cached user row
        return response
