"""PARC settings, read from the environment through django-environ.

Every variable is listed in .env.example. Defaults are safe for a laptop: SQLite,
DEBUG off. `PRODUCTION=1` switches on every HTTPS and cookie hardening setting so that
`manage.py check --deploy` is clean.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Variables already in the environment win over the file. PARC_ENV_FILE picks another file.
ENV_FILE = Path(os.environ.get("PARC_ENV_FILE", BASE_DIR / ".env"))
if ENV_FILE.is_file():
    environ.Env.read_env(ENV_FILE)

DEBUG = env.bool("DEBUG", default=False)
PRODUCTION = env.bool("PRODUCTION", default=False)

# A fixed key is only acceptable on a developer's machine with DEBUG on.
_DEV_SECRET_KEY = "django-insecure-parc-development-key-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG and not PRODUCTION:
        SECRET_KEY = _DEV_SECRET_KEY
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable (or DEBUG=1 on a development machine)."
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if not PRODUCTION else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # lets the form renderer find widget templates
    "template_partials",
    "import_export",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "parc",
    "units",
    "indicators",
    "plans",
    "scoring",
    "dashboards",
    "inbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages gzipped for browsers that accept it: a province's dashboard is ~700 KB of HTML and
    # ~25 KB compressed, which is what an office on a slow line or a phone feels. Django pads
    # each compressed page with random bytes against BREACH; WhiteNoise, above, serves static
    # files compressed ahead of time, and downloads are sent as they are (parc/middleware.py).
    "parc.middleware.PageGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "parc.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a signed-in user unless its view says @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records the signed-in user on every history row a request writes.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "parc.middleware.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Login throttling (django-axes). Two limits, so that a stranger cannot lock an officer out:
# - 5 failures for one username from one address lock that pair (and only that pair) for 15
#   minutes: the officer still signs in from the office while the stranger's address is refused;
# - 30 failures from one address, whatever the usernames, lock that address (password spraying).
#   30 and not 5 because a whole office often shares one address behind its router.
# axes compares one failure count (the pair's) with one limit, so the address limit is done by
# the limit itself: 0 once the address has used up its 30. It is not an "ip_address" lockout
# parameter on purpose: with AXES_RESET_ON_SUCCESS, axes then deletes every attempt of the address
# on any successful login there, and a user with an account could wipe the count against another
# user's name by signing in to their own between tries.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
_LOGIN_FAILURES_PER_USERNAME = env.int("AXES_FAILURE_LIMIT", default=5)
_LOGIN_FAILURES_PER_ADDRESS = 30


def _login_failure_limit(request, credentials=None):
    """The pair's limit, or 0 when the client's address has failed 30 times within the cool-off."""
    from axes.attempts import get_cool_off_threshold
    from axes.helpers import get_client_ip_address
    from axes.models import AccessAttempt
    from django.db.models import Sum

    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    failures = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=get_cool_off_threshold(request))
    total = failures.aggregate(n=Sum("failures_since_start"))["n"] or 0
    return 0 if total >= _LOGIN_FAILURES_PER_ADDRESS else _LOGIN_FAILURES_PER_USERNAME


AXES_FAILURE_LIMIT = _login_failure_limit
AXES_RESET_ON_SUCCESS = True  # the pair's count only (see above)
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# The client's address, through django-ipware (installed for this: without it axes reads
# REMOTE_ADDR, which behind nginx is nginx's own address for every client, so one lockout would
# lock everybody). AXES_PROXY_COUNT is the number of reverse proxies in front of gunicorn, each
# appending the address it saw to X-Forwarded-For (nginx: $proxy_add_x_forwarded_for). The client
# is then that many entries from the right; anything further left was sent by the client and is
# ignored. In ipware's terms that is proxy_count N - 1, non-strict: strict mode would refuse a
# header with a forged prefix and fall back to nginx's address, a bucket any forger could share
# with the officers of an office whose own proxy adds the header. Without a proxy
# (AXES_PROXY_COUNT=0) only REMOTE_ADDR is read, so a client cannot pick its address by sending
# the header itself.
_PROXIES = env.int("AXES_PROXY_COUNT", default=0)
IPWARE_STRICT = False  # read by django-ipware itself: axes does not pass `strict`
if _PROXIES:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_COUNT = _PROXIES - 1
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
    AXES_IPWARE_PROXY_COUNT = None

ROOT_URLCONF = "parc.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "parc.context_processors.portal",
            ],
        },
    },
]

WSGI_APPLICATION = "parc.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A second connection to the same database, for import progress written while an import's own
# transaction is open (indicators/jobs.py); tests share the default test database.
DATABASES["progress"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Waiting a little on a locked database beats failing a save in the demo.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Language, time and numbers (DOMAIN.md: Vietnamese first, English second).
LANGUAGE_CODE = "vi"
# Each language is named in itself, so nobody has to read a foreign word to switch back.
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["parc.formats"]
# Off: years and ids must not read "2.026". Figures go through the vn_number/vn_percent filters.
USE_THOUSAND_SEPARATOR = False

# Static files: WhiteNoise serves them from the app process, so a single server
# with no CDN and no internet works. Hashed, compressed names in production.
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=PRODUCTION)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Production hardening: one flag turns on everything `check --deploy` asks for.
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# A shared cache across app processes when REDIS_URL is set; per-process memory otherwise.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "parc"}}
# How long a computed dashboard is kept (any write makes it stale at once through the data version).
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=900)

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")

# Spreadsheet imports: refused before parsing above these limits.
# Background work (spreadsheet imports): django-tasks, the backport of Django 6's Tasks
# framework, with django-tasks-db's database backend (SQLite and PostgreSQL alike; workers claim
# a task with SELECT … FOR UPDATE SKIP LOCKED, so two workers never take the same one). A task
# is written in the same transaction as the job that needs it. `manage.py import_worker` runs it.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "imports"],
    }
}
# A running import refreshes its heartbeat every IMPORT_HEARTBEAT_SECONDS; one silent for
# IMPORT_STALE_SECONDS (its worker was killed, the machine restarted) is run again, or failed
# with a message after IMPORT_MAX_ATTEMPTS tries.
IMPORT_HEARTBEAT_SECONDS = env.int("IMPORT_HEARTBEAT_SECONDS", default=15)
IMPORT_STALE_SECONDS = env.int("IMPORT_STALE_SECONDS", default=120)
IMPORT_MAX_ATTEMPTS = env.int("IMPORT_MAX_ATTEMPTS", default=2)
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=200_000)
# The extent a spreadsheet may have, checked by a streaming pre-scan before it is read, and the
# child process that reads it (parc/lib/sheetguard.py): its memory cap and CPU seconds. A file
# within these stays under 500 MB end to end (`make bench` measures the worst case).
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=50)
IMPORT_MAX_CELLS = env.int("IMPORT_MAX_CELLS", default=3_000_000)
IMPORT_MAX_CELL_CHARS = env.int("IMPORT_MAX_CELL_CHARS", default=32_767)  # Excel's own limit
IMPORT_CHILD_MEMORY_MB = env.int("IMPORT_CHILD_MEMORY_MB", default=1024)
IMPORT_CHILD_SECONDS = env.int("IMPORT_CHILD_SECONDS", default=120)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The PAR index survey grid posts one field per unit and criterion: a province of 160 communes
# with a dozen survey criteria is ~2,000 fields (Django's default stops at 1,000).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger uploads go to a temporary file, not memory

# Spreadsheet import/export through django-import-export (admin).
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
# Admin exports in xlsx and csv only, through parc/lib/xlsx.py: text that a spreadsheet would run
# as a formula (= + - @ tab CR) is written as text; numbers and dates keep their type. The other
# formats import-export offers (xls, tsv, ods, html, json, yaml) are not offered: four of them
# open in a spreadsheet unescaped, and nobody asked for the rest. import-export's own
# IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT stays off on purpose: in 4.4.3 it removes one leading
# "=" only ("==1+1" stays a formula; + - @ tab CR pass) and turns every cell into text, an empty
# one into "None" (see parc/lib/xlsx.py).
from parc.lib.xlsx import CSV as _SAFE_CSV  # noqa: E402
from parc.lib.xlsx import XLSX as _SAFE_XLSX  # noqa: E402

EXPORT_FORMATS = [_SAFE_XLSX, _SAFE_CSV]
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

FORM_RENDERER = "parc.lib.forms.PortalFormRenderer"
