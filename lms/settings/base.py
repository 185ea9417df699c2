"""Settings shared by every environment; everything that differs comes from the environment."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PROJECT_DIR = BASE_DIR / "lms"


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "lms.accounts",
    "lms.cms",
    "lms.courses",
    "lms.h5p",
    "lms.certificates",
    "lms.organisations",
    "lms.assignments",
    "lms.exams",
    "lms.selfassessment",
    "lms.records",
    "lms.schedule",
    "lms.lti",
    "lms.sso",
    "lms.lrs",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "allauth",
    "allauth.account",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "csp",
    "django.forms",
]
# Widgets render through the project's templates too, so that Kyky's copies of Wagtail's date and
# time widgets (templates/wagtailadmin/widgets/, without inline scripts) are the ones used.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "lms.middleware.PlayerOriginMiddleware",
    "lms.middleware.UnstorableInputMiddleware",
    "lms.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lms.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "lms.middleware.PreferredLanguageMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# PostgreSQL in production and CI (DATABASE_URL); SQLite when nothing is configured. Connections
# persist between requests (and between Celery tasks, whose Django fix-up honours CONN_MAX_AGE):
# opening one costs more than most of our pages.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "lms.db.postgresql"  # a health check without a round trip
    # Prepared statements: a query run twice on a connection is planned once. PostgreSQL spent four
    # times as long planning a page's joins as running them. Off (=0) behind a pooler that cannot
    # keep them (PgBouncer in transaction mode before 1.21); see docs/scaling.md.
    if os.environ.get("DATABASE_PREPARED_STATEMENTS", "1") == "1":
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite is the single-user default: wait for a lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Django's and django-allauth's, reading the logged-in user from the cache (lms.accounts.backends).
    "lms.accounts.backends.ModelBackend",
    "lms.accounts.backends.AuthenticationBackend",
    # A verified SAML response (lms.sso.views), the same cached user.
    "lms.sso.backends.SamlBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions are read from the cache and written through to the database: no query to find a session.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "courses:dashboard"

# django-allauth: e-mail is the login; a new account must confirm its address.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SIGNUP_FORM_CLASS = "lms.accounts.forms.SignupForm"
ACCOUNT_ADAPTER = "lms.accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Kyky] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = os.environ.get("ACCOUNT_DEFAULT_HTTP_PROTOCOL", "http")

LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", "Suomi"), ("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [PROJECT_DIR / "locale"]
TIME_ZONE = "Europe/Helsinki"
# Finland-Swedish and the site's English write dates as people in Finland read them (docs/decisions.md)
FORMAT_MODULE_PATH = ["lms.formats"]
USE_I18N = True
USE_TZ = True

WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_SITE_NAME = "Kyky"
WAGTAILADMIN_BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILEMBEDS_RESPONSIVE_HTML = True
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# The H5P player comes from npm (make assets) and is served from our own origin.
STATICFILES_DIRS = [BASE_DIR / "static", ("h5p-player", BASE_DIR / "node_modules" / "h5p-standalone" / "dist")]
MEDIA_URL = "/media/"
# Public uploads (Wagtail images and documents) live under MEDIA_ROOT; private files (certificate
# PDFs, student lists, H5P packages) under PRIVATE_ROOT, which nothing serves: see lms/storage.py.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
PRIVATE_ROOT = Path(os.environ.get("PRIVATE_ROOT", BASE_DIR / "var" / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "lms.storage.PrivateFileSystemStorage"},
    "staticfiles": {"BACKEND": "lms.storage.StaticFilesStorage"},  # WhiteNoise's, its URLs kept
}

CACHES = {
    "default": (
        {"BACKEND": "lms.cache.RedisCache", "LOCATION": os.environ["CACHE_URL"]}
        if os.environ.get("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# E-mail: SMTP when EMAIL_HOST is set, otherwise printed on the console.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Kyky <kyky@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
elif os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Celery: a Redis broker when configured; otherwise tasks run in-process, at once.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a task a worker was running when it died is delivered again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A request must not hang when the broker is down: try briefly, then the caller falls back.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}

# Periodic jobs, all in one place: run `celery -A lms beat` beside the workers.
CELERY_BEAT_SCHEDULE = {
    "issue-missing-certificates": {
        "task": "lms.certificates.tasks.issue_missing_certificates",
        "schedule": 300.0,
    },
    "lti-send-due-grades": {
        "task": "lms.lti.tasks.send_due_grades",
        "schedule": 60.0,
    },
    "exams-finalise-overdue-attempts": {  # views also score them when touched: this is for the untouched
        "task": "lms.exams.tasks.finalise_overdue_attempts",
        "schedule": 60.0,
    },
    "lrs-forward-statements": {  # xAPI statements to the external LRSs (lms/lrs/services.py)
        "task": "lms.lrs.tasks.forward_statements",
        "schedule": 60.0,
    },
}
# Forwarding to an LRS on localhost (plain HTTP too): for development and the tests only.
LRS_ALLOW_LOOPBACK = env_bool("LRS_ALLOW_LOOPBACK", DEBUG)

# H5P content runs in an origin of its own, with no Kyky session (lms/h5p/player.py). The same
# processes serve it; the host name tells the two apart. Locally the platform is 127.0.0.1 and the
# player localhost (cookies are per host name, not per port); in production use a host name that
# shares no cookies with the platform, ideally another registrable domain.
H5P_ORIGIN = os.environ.get("H5P_ORIGIN", "http://localhost:8000").rstrip("/")
H5P_GRANT_MAX_AGE = int(os.environ.get("H5P_GRANT_MAX_AGE", str(2 * 3600)))  # seconds, plus up to an hour
_player_host = urlsplit(H5P_ORIGIN).hostname or ""
if _player_host and _player_host not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(_player_host)

# A Content-Security-Policy on every response (django-csp; lms.middleware adds the player's origin
# and the admin's inline styles). No inline scripts anywhere: our scripts are files under static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "media-src": ["'self'"],
        "connect-src": ["'self'"],
        # Lessons embed videos (wagtail.embeds) from these providers only.
        "frame-src": [
            "'self'",
            "https://www.youtube.com",
            "https://www.youtube-nocookie.com",
            "https://player.vimeo.com",
        ],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
# No Gravatar: it would leak a hash of each staff member's e-mail address to a third party. No
# update check either: the admin would fetch releases.wagtail.org from every editor's browser.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

KYKY_CONTENT_DIR = BASE_DIR / "content"
# Signs certificates' credentials; see lms/certificates/keys.py. Empty: a key kept in the database.
KYKY_SIGNING_KEY = os.environ.get("KYKY_SIGNING_KEY", "")
KYKY_SIGNING_KEYS = os.environ.get("KYKY_SIGNING_KEYS", "")  # "key-1:<seed> key-2:<seed>": rotation, decisions §28

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Every page save logs its search and reference-index tasks; that is noise for operators.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "xmlschema": {"level": "WARNING"},  # pysaml2's schema library announces every schema it loads
    },
}

# ---------------------------------------------------------------------------------------------------
# Rate limits and the client's address (lms/ratelimit.py).
# KYKY_TRUSTED_PROXIES: how many reverse proxies under our control stand in front of gunicorn (nginx
# alone: 1; a load balancer and nginx: 2). The client is then the N-th X-Forwarded-For entry from the
# right; with 0 (the default) X-Forwarded-For is ignored and the client is REMOTE_ADDR. Too high a
# number lets clients choose their own address; too low makes every client the proxy.
KYKY_TRUSTED_PROXIES = int(os.environ.get("KYKY_TRUSTED_PROXIES", "0"))
# allauth's login limits must see the same client as ours.
ALLAUTH_TRUSTED_PROXY_COUNT = KYKY_TRUSTED_PROXIES
ALLAUTH_RATE_LIMIT_IPV6_PREFIX = 64  # an IPv6 client is its /64, here and in allauth
# allauth's defaults (65.x), stated because the tests and the README rely on them; the other actions
# keep allauth's defaults. All are counted in the default cache: set CACHE_URL in production.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",  # every login POST
    "login_failed": "10/m/ip,5/5m/key",  # failed logins per client, and per e-mail address
}

# ---------------------------------------------------------------------------------------------------
# SAML sign-in (lms/sso, docs/sso.md). Kyky's service provider key and certificate: files
# (SAML_SP_KEY_FILE, SAML_SP_CERT_FILE) or PEM text (SAML_SP_KEY, SAML_SP_CERT). With neither,
# SAML_SP_SELF_SIGNED (on with DEBUG) makes a self-signed pair under var/saml/ on first use.
SAML_SP_KEY_FILE = os.environ.get("SAML_SP_KEY_FILE", "")
SAML_SP_CERT_FILE = os.environ.get("SAML_SP_CERT_FILE", "")
SAML_SP_KEY = os.environ.get("SAML_SP_KEY", "")
SAML_SP_CERT = os.environ.get("SAML_SP_CERT", "")
SAML_SP_SELF_SIGNED = env_bool("SAML_SP_SELF_SIGNED", DEBUG)
SAML_SP_KEY_DIR = Path(os.environ.get("SAML_SP_KEY_DIR", BASE_DIR / "var" / "saml"))
# The entity ID and endpoints are built from this, never from the request's Host header.
SAML_SP_BASE_URL = os.environ.get("SAML_SP_BASE_URL", WAGTAILADMIN_BASE_URL).rstrip("/")
SAML_CONFIG_LOADER = "lms.sso.config.sp_config"
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"  # no auto-submitting form
SAML_SESSION_COOKIE_NAME = "kyky_saml"  # the pending requests; SameSite=None so the IdP's POST carries it
SAML_CSP_HANDLER = ""  # our SAML pages have no inline script; the site's CSP stays as it is

# ---------------------------------------------------------------------------------------------------
# Who answers for the service (lms/cms): named on the privacy notice and the accessibility statement;
# feedback from the contact form is stored and e-mailed to KYKY_FEEDBACK_RECIPIENTS.
KYKY_CONTROLLER_NAME = os.environ.get("KYKY_CONTROLLER_NAME", "")
KYKY_CONTROLLER_ADDRESS = os.environ.get("KYKY_CONTROLLER_ADDRESS", "")
KYKY_CONTROLLER_EMAIL = os.environ.get("KYKY_CONTROLLER_EMAIL", "")
KYKY_DPO_CONTACT = os.environ.get("KYKY_DPO_CONTACT", "")  # the data protection officer: e-mail or address
KYKY_ACCESSIBILITY_EMAIL = os.environ.get("KYKY_ACCESSIBILITY_EMAIL", KYKY_CONTROLLER_EMAIL)
KYKY_FEEDBACK_RECIPIENTS = env_list("KYKY_FEEDBACK_RECIPIENTS", KYKY_ACCESSIBILITY_EMAIL)
KYKY_FEEDBACK_RATE_LIMIT = int(os.environ.get("KYKY_FEEDBACK_RATE_LIMIT", "5"))  # messages per client in 10 minutes

# Hours of designed work that back one ECTS credit (27, as in TTL's own trainings): a training may
# not be published with more credits than its lessons and assignments add up to (issue 12).
KYKY_HOURS_PER_CREDIT = int(os.environ.get("KYKY_HOURS_PER_CREDIT", "27"))
KYKY_MIN_GROUP = int(os.environ.get("KYKY_MIN_GROUP", "5"))  # fewest people an aggregate may show (self-assessments)
