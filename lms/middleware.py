from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware

# Paths outside i18n_patterns whose 404s are answers (an API, a missing file), not pages to
# look up again under /fi/.
UNLOCALISED = (
    "/xapi/",
    "/h5p/",
    "/verify/",
    "/certificates/",
    "/healthz",
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
    return urlsplit(settings.H5P_ORIGIN).netloc.lower()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy (settings.CONTENT_SECURITY_POLICY), plus what depends on the request.

    Every page may frame the H5P player's origin, which is read per request so that it follows the
    settings. Wagtail's admin sets inline styles on many elements (panels, progress, colour
    pickers), so under ``/admin/`` style attributes and elements are allowed; scripts never are.
    Responses that set their own policy (the player's) keep it.
    """

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        update = dict(parts.update or {})
        update["frame-src"] = [*update.get("frame-src", []), settings.H5P_ORIGIN]
        if request.path_info.startswith("/admin/"):
            update["style-src"] = [*update.get("style-src", []), "'unsafe-inline'"]
            update["img-src"] = [*update.get("img-src", []), "blob:"]
        parts.update = update
        return parts
