"""Tests: fast hashing, in-memory cache and mail; the database and broker still come from the
environment so that CI exercises PostgreSQL and a real worker."""

import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if os.environ.get("EMAIL_FILE_PATH"):  # a Celery worker started by a test writes its mail here
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
PRIVATE_ROOT = BASE_DIR / "var" / "test-private"  # noqa: F405
# Tests that need a real worker say so; every other test runs tasks in-process.
CELERY_TASK_ALWAYS_EAGER = True
WAGTAILADMIN_BASE_URL = "http://testserver"
SAML_SP_BASE_URL = "http://testserver"
SAML_SP_SELF_SIGNED = True  # a pair under var/test-saml/, made on first use
SAML_SP_KEY_DIR = BASE_DIR / "var" / "test-saml"  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False}
# The test server serves static files itself; WhiteNoise would only warn about a missing STATIC_ROOT.
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise.")]  # noqa: F405
# The H5P player's origin: a host of its own, as in production (tests reach it with HTTP_HOST).
H5P_ORIGIN = "http://player.testserver"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "player.testserver"]  # noqa: F405
# On SQLite, browser tests share the database between the test and the live server's thread. An
# in-memory database in shared-cache mode fails at once with "table is locked" where a file waits
# for the other connection (the 20 s timeout), so the test database is a file: one per test run
# (the process id), so that two runs side by side never write into each other's database.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    (BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-db-{os.getpid()}.sqlite3")}  # noqa: F405
