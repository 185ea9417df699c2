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
