"""Kyky's own system checks (registered from ``lms.accounts``'s AppConfig.ready)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

# Backends whose data lives in one process: every gunicorn worker would count rate limits for itself
# (LocMem), or nothing would be counted at all (dummy).
PROCESS_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.security, Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs):
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PROCESS_LOCAL_CACHES:
        return []
    return [
        Warning(
            f"The default cache is process-local ({backend.rsplit('.', 1)[-1]}): rate limits on logins and "
            "certificate look-ups are not shared between web processes (gunicorn workers), so each worker "
            "allows the full limit on its own.",
            hint="Set CACHE_URL to a Redis server shared by all web processes, e.g. redis://redis:6379/1. "
            "A deliberately single-process deployment may silence kyky.W001.",
            id="kyky.W001",
        )
    ]


@register(Tags.security)
def check_same_client_for_allauth(app_configs=None, **kwargs):
    ours = getattr(settings, "KYKY_TRUSTED_PROXIES", 0)
    theirs = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    header = getattr(settings, "ALLAUTH_TRUSTED_CLIENT_IP_HEADER", None)
    if ours == theirs and not header:
        return []
    return [
        Warning(
            "allauth's login rate limits and Kyky's own limits disagree about who the client is "
            f"(KYKY_TRUSTED_PROXIES={ours}, ALLAUTH_TRUSTED_PROXY_COUNT={theirs}, "
            f"ALLAUTH_TRUSTED_CLIENT_IP_HEADER={header!r}).",
            hint="Set only KYKY_TRUSTED_PROXIES; the settings derive ALLAUTH_TRUSTED_PROXY_COUNT from it.",
            id="kyky.W002",
        )
    ]


@register(Tags.security)
def check_player_origin(app_configs=None, **kwargs):
    """H5P content must run where the platform's cookies never go (lms/h5p/player.py)."""
    player = urlsplit(settings.H5P_ORIGIN)
    platform = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    problems = []
    if not player.scheme or not player.hostname:
        problems.append("H5P_ORIGIN is not an absolute URL such as https://h5p.example.org.")
    elif player.hostname == platform.hostname:
        problems.append(
            f"H5P_ORIGIN ({settings.H5P_ORIGIN}) has the platform's host name; cookies are shared between ports, "
            "so uploaded content would run with the learner's session."
        )
    domain = (settings.SESSION_COOKIE_DOMAIN or "").lstrip(".").lower()
    if domain and player.hostname and (player.hostname == domain or player.hostname.endswith("." + domain)):
        problems.append(
            f"H5P_ORIGIN ({settings.H5P_ORIGIN}) is inside SESSION_COOKIE_DOMAIN ({settings.SESSION_COOKIE_DOMAIN}): "
            "the session cookie would reach uploaded content."
        )
    return [
        Error(problem, hint="Serve the player from a host name of its own, ideally another domain.", id="kyky.E001")
        for problem in problems
    ]
