"""Linli settings, read from the environment (12-factor) with safe development defaults.

Every value that differs between a laptop and production comes from an environment variable;
`DEBUG` defaults to off so that a forgotten variable fails safe. `make run` sets `DEBUG=1`.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(environ.Env().str("LINLI_DATA_DIR", default=str(BASE_DIR.parent / "var")))

DATA_DIR.mkdir(parents=True, exist_ok=True)
env = environ.Env()
DEBUG = env.bool("DEBUG", default=False)

# Development-only secrets: refused when DEBUG is off so production can never run on them.
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdefghijklmnop"  # noqa: S105
_DEV_FIELD_KEY = "ZGV2LW9ubHktZmllbGQta2V5LW5vdC1mb3ItcHJvZCE="  # base64 of 32 bytes
_DEV_HASH_KEY = "dev-only-hash-key"  # noqa: S105

SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
# Comma-separated Fernet keys: the first encrypts, all decrypt (rotation).
LINLI_FIELD_KEYS = env.list("LINLI_FIELD_KEYS", default=[_DEV_FIELD_KEY] if DEBUG else [])
LINLI_HASH_KEY = env.str("LINLI_HASH_KEY", default=_DEV_HASH_KEY if DEBUG else "")
for _name in ("SECRET_KEY", "LINLI_FIELD_KEYS", "LINLI_HASH_KEY"):
    if not globals()[_name]:
        raise ImproperlyConfigured(f"{_name} must be set when DEBUG is off (see docs/deploy.md).")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "linli.core",
    "linli.accounts",
    "linli.places",
    "linli.orgs",
    "linli.people",
    "linli.ledger",
    "linli.cases",
    "linli.deliberation",
    "linli.api",
    "linli.demo",
    "linli.bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "linli.urls"
WSGI_APPLICATION = "linli.wsgi.application"

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
                "linli.core.context_processors.nav",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'linli.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: opening a PostgreSQL connection per request costs more than a report.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # the same backend, but a new connection waits for a restarting server (linli/core/postgresql)
    DATABASES["default"]["ENGINE"] = "linli.core.postgresql"
# Seconds a new PostgreSQL connection waits for a server that is restarting (0: fail at once).
LINLI_DB_CONNECT_WAIT = env.float("LINLI_DB_CONNECT_WAIT", default=10.0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the task worker and the web server share the file without "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        # IMMEDIATE: a transaction takes the write lock when it begins and waits for it (timeout),
        # instead of failing with "database is locked" when it first writes after another
        # writer committed (seen as 500s under concurrent intake, docs/benchmarks.md)
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout: five failures for one username from one address locks it for 30 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
LINLI_IMPORT_MAX_BYTES = env.int("LINLI_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
# Files with more rows than this are imported by the background worker.
LINLI_IMPORT_SYNC_ROWS = env.int("LINLI_IMPORT_SYNC_ROWS", default=200)

# E-mail, e.g. EMAIL_URL=smtp+tls://user:password@mail.example.gov.cn:587 (console by default)
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="linli@localhost")

# In-app notifications always; add an e-mail or SMS gateway backend in production.
LINLI_NOTIFY_BACKENDS = env.list(
    "LINLI_NOTIFY_BACKENDS",
    default=["linli.core.notify.InAppBackend"] + (["linli.core.notify.ConsoleBackend"] if DEBUG else []),
)

# Share of a request's time limit after which its handlers get a reminder (预警 · 催办).
LINLI_WARN_SHARE = env.float("LINLI_WARN_SHARE", default=0.8)

TASKS = {
    "default": {
        "BACKEND": env.str("LINLI_TASK_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "linli.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "linli.api.errors.exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Linli 邻里 API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # choice sets that share a field name get their own schema names
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "linli.orgs.models.Kind",
        "MeetingKindEnum": "linli.deliberation.models.Meeting.Kind",
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
