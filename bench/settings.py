"""Production settings plus one minimal view to measure against; used only by ``make bench``."""

from lms.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
SECURE_SSL_REDIRECT = False  # the load generator speaks plain HTTP on 127.0.0.1
STATIC_ROOT = BASE_DIR / "var" / "bench-static"  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# The benchmark asks for one verification page thousands of times from one address; the limiter
# itself (a cache increment) still runs on every request.
KYKY_VERIFY_RATE_LIMIT = 10**9
