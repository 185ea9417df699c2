"""Production: everything from the environment, secure by default (passes ``check --deploy``)."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = False
if not SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured("Set SECRET_KEY in the environment.")
if not os.environ.get("H5P_ORIGIN"):
    raise ImproperlyConfigured("Set H5P_ORIGIN: the H5P player's own origin, e.g. https://h5p.example.org.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
# Two deploy checks are decisions, not oversights:
# - W019: frames must stay possible from our own origin (Wagtail's preview panel, the H5P player).
# - W021: HSTS preloading binds every subdomain of the organisation's domain for months; an operator
#   opts in with SECURE_HSTS_PRELOAD=1 after deciding that, so we do not ask for it by default.
# kyky.W001 (lms/checks.py) warns when CACHE_URL is unset: rate limits then are per gunicorn worker.
SILENCED_SYSTEM_CHECKS = ["security.W019"] + ([] if SECURE_HSTS_PRELOAD else ["security.W021"])
