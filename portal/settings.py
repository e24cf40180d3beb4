"""Settings for the industry-education partnership portal.

Everything that differs between a laptop and production comes from environment variables
(12-factor); each one is documented in README.md. With none set, the portal runs on a SQLite file
with Celery tasks executed in-process.
"""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)
# The fallback key is only good for a first look on one machine; production sets SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY") or "insecure-demo-key-set-SECRET_KEY-in-production"
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "auditlog",
    "portal",
    "programs",
    "partnerships",
    "evaluation",
    "demo",
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The audit trail's actor and client address (portal.audit): for session and API token users alike.
    "portal.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout answer (portal.account).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.navigation.navigation",
            ],
        },
    },
]

# Database: DATABASE_URL, else a SQLite file beside manage.py.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set, else memory of this process.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "portal.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = envbool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)

# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT failed logins for one username from one
# IP address, that username is locked for that address for LOGIN_LOCKOUT_MINUTES, on the login page,
# the admin and the API token endpoint alike. Attempts while locked do not extend the lock; a
# successful login clears the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out credentials before checking them
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = True
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "portal.account.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False  # no banner on every manage.py command; lockouts are still logged
# Not in the admin for now (its models are read-only, which the admin's tests do not cover yet):
# unlock with `manage.py axes_reset_username <username>` or `manage.py axes_reset`.
AXES_ENABLE_ADMIN = False

# Audit trail (django-auditlog, portal.audit): one entry per create, change and delete of a tracked
# record, changes kept as JSON values ({field: [old, new]}); fixtures loaded raw are not entries.
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_DISABLE_ON_RAW_SAVE = True

# Internationalisation: English and Simplified Chinese, chosen from the browser or the switch.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded documents (partnership agreements): PDF, images or office files of at most DOCUMENT_MAX_BYTES,
# checked by content (portal.documents), kept in MEDIA_ROOT outside the static tree (a system check
# refuses a MEDIA_ROOT inside it) and downloaded only through views that check who may see them: no
# URL serves MEDIA_URL, in production or with DEBUG.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")
MEDIA_URL = "/media/"
DOCUMENT_MAX_BYTES = envint("DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
# `make backup` (manage.py backup) writes the database dump and the media archive here.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR") or BASE_DIR / "backups")

# Celery: a broker URL means real workers; none means tasks run eagerly in this process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 3600)
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 3300)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task a worker took but never acknowledged (the worker died) is delivered again after this many
# seconds: longer than any task may run, so that a task still running is never delivered twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT + 600),
}
# For fault-injection tests only: a pause after each indicator step of an evaluation run, in
# milliseconds (0, the default: none), so that a test can kill a worker in the middle of a run.
EVALUATION_STEP_DELAY_MS = envint("EVALUATION_STEP_DELAY_MS", 0)
CELERY_TIMEZONE = TIME_ZONE
# Nightly: recompute the current academic year's indicators (cron fields from the environment).
CELERY_BEAT_SCHEDULE: dict = {
    "evaluate-current-year": {
        "task": "evaluation.tasks.evaluate_current_year",
        "schedule": crontab(
            minute=os.environ.get("EVALUATION_CRON_MINUTE", "30"),
            hour=os.environ.get("EVALUATION_CRON_HOUR", "2"),
        ),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "portal.api.permissions.TokenScopePermission",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PortalPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.api.throttling.AnonRateThrottle",  # DRF's, letting requests through while Redis is down
        "portal.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "60/min"),
        "user": os.environ.get("API_THROTTLE_USER", "3000/min"),
        "login": os.environ.get("API_THROTTLE_LOGIN", "20/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Industry-education partnership portal API",
    "DESCRIPTION": (
        "Read and write the records of the industry-education partnership portal with exactly the rights "
        "of your account's role. Authenticate with `Authorization: Token <key>` (POST /api/v1/auth/token/). "
        "Lists are paginated (`count`, `next`, `previous`, `results`; `?page_size=` up to 500), filterable, "
        "searchable (`?search=`) and orderable (`?ordering=`). Errors: 400 `{\"field\": [\"message\"]}`, "
        "401 without credentials, 403 for a change outside your rights, 404 for records outside your view. "
        "Messages follow `Accept-Language` (en, zh-hans)."
    ),
    "VERSION": "1.0.0",
    # Tags and operation ids by resource (consortia_list, partnerships_accept_create, …).
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Every choice set gets its own stable enum name in the schema (several fields are called
    # "status", "kind", "level" or "role" with different choices).
    "ENUM_NAME_OVERRIDES": {
        name: f"{module}.{name}"
        for module, names in {
            "portal.choices": ["Role", "RegionLevel", "SchoolLevel", "Ownership", "EnterpriseSize"],
            "programs.choices": ["ProgramStatus", "Employment", "DualQualifiedLevel", "PlacementActivity"],
            "partnerships.choices": [
                "ConsortiumKind", "MemberRole", "OtherBodyKind", "PartnershipKind", "PartnershipStatus",
                "ContributionParty", "ContributionKind", "ProjectStatus",
            ],
            "evaluation.choices": ["FeedbackDimension"],
        }.items()
        for name in names
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Behind HTTPS (documented in README): set SECURE=true.
if envbool("SECURE", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
