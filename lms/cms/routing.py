"""Front-end pages routed from the cache.

Wagtail finds the page for a URL with five to seven queries: the site, the default locale, the
home page in the URL's language and its specific class, the page itself, and, before serving it,
the view restrictions of the page and its ancestors. All of that is the same for every visitor
until something is published. ``serve`` keeps each URL's route (the site, the page, its view
restrictions) in the cache under the content generation (``lms.generation``), and hands it to
Wagtail through the attributes Wagtail itself keeps a request's site and route in; Wagtail's own
``serve`` does the rest (its hooks, the privacy check, the page's ``serve``).
"""

import hashlib

from wagtail.models import Page, Site
from wagtail.views import serve as wagtail_serve

from lms import generation


def serve(request, path):
    """Wagtail's ``serve``, with the site, the page and its view restrictions from the cache."""
    if request.method in ("GET", "HEAD"):
        # Every page reads the signed-in user (its menu, its access): read them first, with the route
        # brought along, and the page costs one round trip to the cache fewer.
        generation.read_along(_route_key(request))
        _ = request.user.is_authenticated
        _route_from_cache(request, path)
    return wagtail_serve(request, path)


def _route_key(request) -> str:
    where = hashlib.sha256(f"{request.get_host()}{request.path}".encode()).hexdigest()  # any length, a short key
    return f"route:{where}"


def _route_from_cache(request, path: str) -> None:
    key = _route_key(request)
    entry = generation.first_lookup(key)  # with the generation, or brought along with the request's first read
    if entry is not None:
        site, page, restrictions = entry
        page._cached_view_restrictions = restrictions
        request._wagtail_site = site
        request._wagtail_route_for_request = (page, (), {})
        return
    site = Site.find_for_request(request)
    route = Page.route_for_request(request, path)  # Wagtail's own, remembered on the request
    if site is None or route is None:
        return  # a 404: not kept, or any made-up URL would fill the cache
    page, args, kwargs = route
    if args or kwargs or not page.live:
        return  # a routable page's sub-route, or a page only its editors see
    page._cached_view_restrictions = list(page.get_view_restrictions())
    generation.store_tagged(key, (site, page, page._cached_view_restrictions))
