"""Linli settings, read from the environment (12-factor) with safe development defaults.

Every value that differs between a laptop and production comes from an environment variable;
`DEBUG` defaults to off so that a forgotten variable fails safe. `make run` sets `DEBUG=1`.
"""

from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

from linli.core import config

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(environ.Env().str("LINLI_DATA_DIR", default=str(BASE_DIR.parent / "var")))

DATA_DIR.mkdir(parents=True, exist_ok=True)
env = environ.Env()
DEBUG = env.bool("DEBUG", default=False)

# Development-only secrets (linli.core.config): used when DEBUG is on and a variable is unset;
# with DEBUG off the process refuses them, and weak or unusable keys, naming the variable.
SECRET_KEY = env.str("SECRET_KEY", default="") or (config.DEV_SECRET_KEY if DEBUG else "")
# Comma-separated Fernet keys: the first encrypts, all decrypt (rotation).
LINLI_FIELD_KEYS = env.list("LINLI_FIELD_KEYS", default=[]) or ([config.DEV_FIELD_KEY] if DEBUG else [])
LINLI_HASH_KEY = env.str("LINLI_HASH_KEY", default="") or (config.DEV_HASH_KEY if DEBUG else "")
# Lockout: X-Forwarded-For is believed only from these proxies (addresses or networks).
LINLI_TRUSTED_PROXIES = env.list("LINLI_TRUSTED_PROXIES", default=[])
_problems = config.problems(
    debug=DEBUG,
    secret_key=SECRET_KEY,
    field_keys=LINLI_FIELD_KEYS,
    hash_key=LINLI_HASH_KEY,
    trusted_proxies=LINLI_TRUSTED_PROXIES,
)
if _problems:
    raise ImproperlyConfigured(
        "Linli will not start with these settings (see docs/deploy.md):\n"
        + "\n".join(f"  - {message}" for _id, message in _problems)
    )

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
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served by the app (no CDN)
    "django_filters",
    "django_htmx",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "linli.core",
    "linli.accounts",
    "linli.places",
    "linli.orgs",
    "linli.people",
    "linli.ledger",
    "linli.facilities",
    "linli.cases",
    "linli.deliberation",
    "linli.reports",
    "linli.party",
    "linli.projects",
    "linli.funds",
    "linli.wishes",
    "linli.api",
    "linli.board",
    "linli.home",
    "linli.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "linli.core.middleware.ProductErrorPagesInDebugMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # pages gzipped (WhiteNoise has served the static files, precompressed, above): a page is 4-6
    # times smaller on a phone's network. Django's GZipMiddleware pads each response with random
    # bytes against BREACH, and the CSRF token is masked anew on every response.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "linli.accounts.middleware.TwoFactorMiddleware",
    "linli.accounts.middleware.LastSeenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "linli.core.middleware.RefuseNullCharactersMiddleware",
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
                "linli.core.context_processors.display",
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
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
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
    {"NAME": "linli.accounts.passwords.MinimumLengthValidator"},  # its message in Chinese
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout: five failures for one account from one client lock that pair for 30 minutes. Behind
# nginx the client's address is read from X-Forwarded-For, believed only from
# LINLI_TRUSTED_PROXIES (above; docs/deploy.md), so one client cannot lock an account for everyone.
AXES_CLIENT_IP_CALLABLE = "linli.accounts.lockout.client_ip"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "linli.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Tries during the lock are not counted, so the time the locked page names holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_SENSITIVE_PARAMETERS = ["otp_token"]

# Two-factor sign-in (django-otp, TOTP + backup codes) for administrators and every role that
# reveals or exports personal data (accounts/roles.py); wrong codes wait 1, 2, 4 … seconds.
OTP_TOTP_ISSUER = "Linli 邻里"
OTP_TOTP_THROTTLE_FACTOR = 1
# API tokens (accounts.ApiToken) expire this many days after they are issued.
LINLI_API_TOKEN_DAYS = env.int("LINLI_API_TOKEN_DAYS", default=7)

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
# Every form takes one file (a photo, a ledger); more in one request is refused before they are stored.
DATA_UPLOAD_MAX_NUMBER_FILES = 4
# Photos (cases/photos.py): bytes of an upload, and pixels its header may declare — checked before
# anything is decoded (a 480 KB PNG can declare 13000 × 13000 pixels, gigabytes once decoded).
LINLI_PHOTO_MAX_BYTES = env.int("LINLI_PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
LINLI_PHOTO_MAX_PIXELS = env.int("LINLI_PHOTO_MAX_PIXELS", default=40_000_000)
LINLI_IMPORT_MAX_BYTES = env.int("LINLI_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
# What a ledger file may unpack to (an xlsx is a zip: a small upload can hold gigabytes of XML).
LINLI_IMPORT_MAX_UNZIPPED_BYTES = env.int("LINLI_IMPORT_MAX_UNZIPPED_BYTES", default=400 * 1024 * 1024)
# Files up to this size (a few hundred rows) are checked and imported in the upload request;
# larger ones by the background worker. Decided by bytes: the request never parses the sheet.
LINLI_IMPORT_SYNC_BYTES = env.int("LINLI_IMPORT_SYNC_BYTES", default=32 * 1024)
# An import stops checking after this many errors (the file has at least that many).
LINLI_IMPORT_MAX_ERRORS = env.int("LINLI_IMPORT_MAX_ERRORS", default=1000)
# An import whose worker has not beaten its heart for longer than this is failed (check_overdue).
LINLI_IMPORT_STALE_SECONDS = env.int("LINLI_IMPORT_STALE_SECONDS", default=300)
# A periodic report over more requests than this is generated by the background worker (with
# progress); a smaller one in the request. docs/reports.md
LINLI_REPORT_SYNC_CASES = env.int("LINLI_REPORT_SYNC_CASES", default=20_000)
# The name on the district's reports (区 level: everything an administrator sees).
LINLI_DISTRICT_NAME = env.str("LINLI_DISTRICT_NAME", default="")
# Exports of lists (core.exports): rows read per chunk (one set of batched queries per chunk), and
# the most rows an xlsx export takes — the workbook is finished before its first byte is sent, so a
# larger list is refused with a pointer to the CSV export, which streams as it reads (docs/security.md).
LINLI_EXPORT_CHUNK_SIZE = env.int("LINLI_EXPORT_CHUNK_SIZE", default=2000)
LINLI_EXPORT_XLSX_MAX_ROWS = env.int("LINLI_EXPORT_XLSX_MAX_ROWS", default=100_000)

# E-mail, e.g. EMAIL_URL=smtp+tls://user:password@mail.example.gov.cn:587 (console by default)
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="linli@localhost")

# Notifications (docs/notifications.md): in-app always; the push channels listed here (e-mail:
# EmailBackend, SMS: HttpSmsBackend, development: ConsoleBackend or FileBackend).
LINLI_NOTIFY_BACKENDS = env.list(
    "LINLI_NOTIFY_BACKENDS",
    default=["linli.core.notify.InAppBackend"] + (["linli.core.notify.ConsoleBackend"] if DEBUG else []),
)
LINLI_NOTIFY_FILE = env.str("LINLI_NOTIFY_FILE", default=str(DATA_DIR / "notifications.jsonl"))
# The site's address in front of the links of e-mails and SMS (e.g. https://linli.example.gov.cn).
LINLI_SITE_URL = env.str("LINLI_SITE_URL", default="http://127.0.0.1:8000")
# The SMS gateway (HttpSmsBackend): POST {"phone", "text"} as JSON with a bearer token.
LINLI_SMS_URL = env.str("LINLI_SMS_URL", default="")
LINLI_SMS_TOKEN = env.str("LINLI_SMS_TOKEN", default="")
LINLI_SMS_TEMPLATE = env.str("LINLI_SMS_TEMPLATE", default="【邻里】{text} {url}")
LINLI_SMS_TIMEOUT = env.float("LINLI_SMS_TIMEOUT", default=5.0)
# Electors of an owners' vote are reminded once when it closes within this many hours.
LINLI_VOTE_REMINDER_HOURS = env.int("LINLI_VOTE_REMINDER_HOURS", default=24)
# The facility register (docs/facilities.md, "Rules"): an inspection due within this many days is
# on the workbench; a facility named by FAILURES requests or more within FAILURE_DAYS days is a
# topic candidate (repeated failures).
LINLI_INSPECTION_SOON_DAYS = env.int("LINLI_INSPECTION_SOON_DAYS", default=30)
LINLI_FACILITY_FAILURES = env.int("LINLI_FACILITY_FAILURES", default=3)
LINLI_FACILITY_FAILURE_DAYS = env.int("LINLI_FACILITY_FAILURE_DAYS", default=30)

# 住宅专项维修资金 (docs/funds.md, RULES.md R2.1–R2.2): a house below this share of its own first
# deposit must top up (需续交); a use may not take a compound's balance below LINLI_FUND_FLOOR_PERCENT
# of its first deposits. Policy "national" (the floor only) or "shanghai" (below the floor, the
# owners top up to LINLI_FUND_TOPUP_PERCENT within LINLI_FUND_TOPUP_DAYS days).
LINLI_FUND_HOUSE_PERCENT = env.int("LINLI_FUND_HOUSE_PERCENT", default=30)
LINLI_FUND_FLOOR_POLICY = env.str("LINLI_FUND_FLOOR_POLICY", default="national")
if LINLI_FUND_FLOOR_POLICY not in ("national", "shanghai"):
    raise ImproperlyConfigured("LINLI_FUND_FLOOR_POLICY must be national or shanghai")
LINLI_FUND_FLOOR_PERCENT = env.int("LINLI_FUND_FLOOR_PERCENT", default=30)
LINLI_FUND_TOPUP_PERCENT = env.int("LINLI_FUND_TOPUP_PERCENT", default=50)
LINLI_FUND_TOPUP_DAYS = env.int("LINLI_FUND_TOPUP_DAYS", default=90)

# Share of a request's time limit after which its handlers get a reminder (预警 · 催办).
LINLI_WARN_SHARE = env.float("LINLI_WARN_SHARE", default=0.8)

# Searches by a whole ID number or phone (people/search.py): at most LIMIT per user in WINDOW
# seconds, counted in the cache below.
LINLI_IDENTIFIER_SEARCH_LIMIT = env.int("LINLI_IDENTIFIER_SEARCH_LIMIT", default=30)
LINLI_IDENTIFIER_SEARCH_WINDOW = env.int("LINLI_IDENTIFIER_SEARCH_WINDOW", default=600)
# The search counts must be shared by every app process: production's default is a file cache
# in LINLI_DATA_DIR (the gunicorn workers of one machine); several machines share the database
# cache: CACHE_URL=dbcache://linli_cache, then `manage.py createcachetable` (docs/deploy.md).
CACHES = {
    "default": env.cache_url(
        "CACHE_URL", default="locmemcache://" if DEBUG else f"filecache://{DATA_DIR / 'cache'}?max_entries=100000"
    )
}

TASKS = {
    "default": {
        "BACKEND": env.str("LINLI_TASK_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "linli.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "linli.core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "linli.core.api.schema.ChineseAutoSchema",
    "EXCEPTION_HANDLER": "linli.core.api.errors.exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    # lazy: the document is written in the request's language (Chinese by default)
    "TITLE": gettext_lazy("Linli API"),
    "DESCRIPTION": gettext_lazy(
        "The REST API of Linli, the community governance platform: places, the household register, requests "
        "and work orders, topics, meetings and owners' votes. The same scope rules as the screens: outside "
        "one's scope is a 404. Sign in for a token at /api/v1/auth/token/ and send it as "
        '“Authorization: Token …”. Errors are {"errors": [{"field", "message", "code"}]}.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # choice sets that share a field name get their own schema names
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "linli.orgs.models.Kind",
        "MeetingKindEnum": "linli.deliberation.models.Meeting.Kind",
        "CaseStateEnum": "linli.cases.models.State",
        "CheckInStateEnum": "linli.party.models.CheckIn.State",
        "CommitmentStateEnum": "linli.party.models.Commitment.State",
        "AgreementStateEnum": "linli.party.models.Agreement.State",
        "FacilityStateEnum": "linli.facilities.models.Facility.State",
        "FacilityKindEnum": "linli.facilities.models.FacilityKind",
        "NeedStateEnum": "linli.projects.models.Need.State",
        "ResourceStateEnum": "linli.projects.models.Resource.State",
        "ProjectStateEnum": "linli.projects.models.Project.State",
        "NeedSourceEnum": "linli.projects.models.Need.Source",
        "FundingSourceEnum": "linli.projects.models.Funding.Source",
        "ResourceKindEnum": "linli.projects.models.Resource.Kind",
        "FundUseStateEnum": "linli.funds.models.Use.State",
        "EntryKindEnum": "linli.funds.models.EntryKind",
        "WishStateEnum": "linli.wishes.models.State",
        "ClaimantKindEnum": "linli.wishes.models.ClaimantKind",
    },
}

# Content-Security-Policy (django-csp): nothing inline, nothing from elsewhere. Templates carry no
# style attributes or event handlers (linli/static/linli/linli.js does that work); base.html's
# scripts carry the per-response nonce, which is how a template would run a script of its own.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # Bootstrap draws its select arrows and toggler as data: SVGs
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}

# DEBUG shows the product's own 404/500 pages too (core.middleware); 1 keeps Django's technical ones
LINLI_TECHNICAL_ERRORS = env.bool("LINLI_TECHNICAL_ERRORS", default=False)

# one-time links handed over in person (accounts.OneTimeLink): a password reset, an invitation
LINLI_RESET_LINK_HOURS = env.int("LINLI_RESET_LINK_HOURS", default=24)
LINLI_INVITATION_HOURS = env.int("LINLI_INVITATION_HOURS", default=7 * 24)
# a resident's own registration (accounts.actions.registration_allowed): attempts per address an hour
LINLI_REGISTRATIONS_PER_HOUR = env.int("LINLI_REGISTRATIONS_PER_HOUR", default=5)
# a signed-in session's "last seen" (accounts.SignInSession) is written at most once per this many minutes
LINLI_SESSION_SEEN_MINUTES = env.int("LINLI_SESSION_SEEN_MINUTES", default=5)

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
