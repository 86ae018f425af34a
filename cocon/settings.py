"""Cocon settings, read from environment variables only (see docs/operations.md).

Nothing here needs editing for a deployment: set the variables instead.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from whitenoise.compress import Compressor

from cocon.core.envtools import env_bool, env_list, parse_email_url

BASE_DIR = Path(__file__).resolve().parent
TESTING = "pytest" in sys.modules or os.environ.get("COCON_TESTING") == "1"

DATA_DIR = Path(os.environ.get("COCON_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in DATA_DIR."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Behind a TLS-terminating proxy: secure cookies, HSTS and redirect to HTTPS.
HTTPS = env_bool("COCON_HTTPS", False)
SITE_URL = os.environ.get("COCON_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "ninja",
    "cocon.core",
    "cocon.accounts",
    "cocon.territory",
    "cocon.voices",
    "cocon.reports",
    "cocon.barometer",
    "cocon.ideas",
    "cocon.guichet",
    "cocon.processes",
    "cocon.api",
    "cocon.backoffice",
    "cocon.demo",
]

MIDDLEWARE = [
    "cocon.core.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cocon.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cocon.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "cocon.urls"
WSGI_APPLICATION = "cocon.wsgi.application"

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
                "cocon.core.context_processors.cocon",
            ],
        },
    },
]
FORM_RENDERER = "cocon.core.forms.CoconFormRenderer"

# --- Database: SQLite under DATA_DIR unless DATABASE_URL says otherwise ---------------
_sqlite_path = DATA_DIR / "cocon.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{_sqlite_path}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL + IMMEDIATE let several server processes share one SQLite file safely.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: shared between processes (database table by default, Redis if set) ---------
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cocon_cache",
        }
    }

# --- Accounts ----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "backoffice:home"
LOGOUT_REDIRECT_URL = "core:home"
# Lockout: this many failures for one email (or one address) within the window locks it.
LOGIN_FAILURE_LIMIT = int(os.environ.get("COCON_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("COCON_LOGIN_LOCKOUT_SECONDS", "900"))
PASSWORD_RESET_TIMEOUT = 3 * 3600
SESSION_COOKIE_AGE = 14 * 24 * 3600

# --- Internationalisation: French first, English available -------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# attachments of contributions: never under MEDIA_ROOT, served by permission-checked views
PRIVATE_MEDIA_ROOT = DATA_DIR / "private"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if TESTING or DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = TESTING or DEBUG
# Whitenoise's defaults plus source maps: compressing the API docs' bundle maps doubled
# collectstatic time (docs/benchmarks.md) for files nobody downloads compressed.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Email through the outbox ---------------------------------------------------------
_email = parse_email_url(os.environ.get("EMAIL_URL", "console://"))
globals().update(_email)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Cocon <ne-pas-repondre@cocon.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# "inline": sent right after the transaction commits, in the web process.
# "worker": left in the outbox for `cocon worker` (production with several processes).
OUTBOX_MODE = os.environ.get("COCON_OUTBOX_MODE", "inline")
# Contact data left to receive an answer is erased this many months after closure.
VOICE_CONTACT_RETENTION_MONTHS = int(os.environ.get("COCON_CONTACT_RETENTION_MONTHS", "12"))
# Signalements: how far outside the box of the commune centres a report may be placed
REPORT_BOUNDS_MARGIN_M = float(os.environ.get("COCON_REPORT_BOUNDS_MARGIN_M", "3000"))

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# HSTS preload is a per-domain commitment taken by the operator (SECURE_HSTS_PRELOAD=true),
# not a default: its absence is not a deployment fault.
SILENCED_SYSTEM_CHECKS = [] if env_bool("SECURE_HSTS_PRELOAD", False) else ["security.W021"]
# Extra origins allowed for images (map tiles), e.g. "https://tiles.example.org".
# The origin of REPORT_TILE_URL is added to img-src automatically (core.middleware).
CSP_IMG_EXTRA = env_list("COCON_CSP_IMG_SRC", [])
# Signalements: background tiles of the public map (any XYZ tile server; {s} for
# subdomains). The pages stay usable without them (list, filters, commune field).
REPORT_TILE_URL = os.environ.get("COCON_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
REPORT_TILE_ATTRIBUTION = os.environ.get(
    "COCON_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
)
REPORT_TILE_MAX_ZOOM = int(os.environ.get("COCON_TILE_MAX_ZOOM", "19"))
# Public forms: submissions per client address per hour.
PUBLIC_FORM_RATE_PER_HOUR = int(os.environ.get("COCON_PUBLIC_FORM_RATE", "20"))
# Barometer questionnaires per client address per hour: higher than other public forms,
# a town-hall kiosk or a company network answers many times from one address (each browser
# stays limited; invitation codes cannot be guessed: 32^10 combinations).
SURVEY_ANSWER_RATE_PER_HOUR = int(os.environ.get("COCON_SURVEY_ANSWER_RATE", "300"))

# --- API --------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

# --- Logging: one JSON object per line on stdout -------------------------------------------
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "cocon.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT if LOG_FORMAT in ("json", "text") else "json",
        }
    },
    "root": {"handlers": ["stdout"], "level": "WARNING" if TESTING else LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "cocon.requests": {"level": "WARNING" if TESTING else "INFO"},
        # WeasyPrint logs every layout step of every PDF at INFO
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

if TESTING:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
