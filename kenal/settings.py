"""Django settings for Kenal.

Everything is read from the environment through the small typed helpers below, and
everything has a default that works with no setup: the embedded SQLite database under
``KENAL_DATA_DIR`` (``./var``), Bahasa Indonesia and English, Asia/Jakarta.
Set ``DATABASE_URL`` for PostgreSQL and ``KENAL_PRODUCTION=true`` behind HTTPS.
"""

from __future__ import annotations

import os
import secrets
import stat
import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def _private_data_dir(path: Path) -> Path:
    """The data directory holds the database, the secret key and the first password:
    readable by its owner only. One that others can read is tightened when it is ours
    and not a shared directory (sticky, like /tmp); otherwise we say so."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.stat()
    if stat.S_IMODE(info.st_mode) & 0o077:
        if info.st_uid == os.getuid() and not info.st_mode & stat.S_ISVTX:
            path.chmod(0o700)
        else:
            warnings.warn(f"Kenal's data directory {path} can be read by other users.", stacklevel=1)
    return path


def _private_file(path: Path) -> None:
    """Create ``path`` (or tighten it) readable and writable by its owner only."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(0o600)


DATA_DIR = _private_data_dir(Path(env_str("KENAL_DATA_DIR", str(Path.cwd() / "var"))).resolve())
PRODUCTION = env_bool("KENAL_PRODUCTION")
DEBUG = env_bool("KENAL_DEBUG")


def _secret_key() -> str:
    """The key comes from the environment; without it, a random key is made once and
    kept in the data directory, so no key ever lives in the repository."""
    key = env_str("KENAL_SECRET_KEY")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    existed = path.exists()
    _private_file(path)
    if existed:
        return path.read_text().strip()
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("KENAL_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("KENAL_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "kenal.core",
    "kenal.audit",
    "kenal.accounts",
    "kenal.parties",
    "kenal.commerce",
    "kenal.agreements",
    "kenal.interactions",
    "kenal.classification",
    "kenal.interchange",
    "kenal.api",
    "ninja",
    "kenal.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kenal.api.middleware.ApiErrorsAsJsonMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kenal.accounts.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a login attempt during a lockout into the
    # lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kenal.urls"
WSGI_APPLICATION = "kenal.wsgi.application"

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
            ],
            "builtins": ["kenal.core.templatetags.kenal"],
        },
    }
]


def _databases() -> dict[str, dict]:
    url = env_str("DATABASE_URL")
    if url:
        db = dj_database_url.parse(url, conn_max_age=env_int("KENAL_DB_CONN_MAX_AGE", 60))
    else:
        # Made here with mode 600, so SQLite (which gives its -wal and -shm files the
        # database's mode) never creates it readable by others.
        _private_file(DATA_DIR / "kenal.sqlite3")
        db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "kenal.sqlite3")}
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web server read while an import or the worker writes; IMMEDIATE
        # transactions make writers queue instead of failing with "database is locked".
        db.setdefault("OPTIONS", {}).update(
            {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-64000; PRAGMA temp_store=MEMORY;"
                ),
            }
        )
    return {"default": db}


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Logins are throttled per username and address: KENAL_LOGIN_FAILURE_LIMIT failures in
# a row are allowed; a further one locks that pair out for KENAL_LOGIN_LOCKOUT_MINUTES
# (counted from the last attempt), when even the right password waits. A successful
# login clears the count. Axes refuses the attempt that reaches its own limit, hence +1.
AXES_FAILURE_LIMIT = env_int("KENAL_LOGIN_FAILURE_LIMIT", 5) + 1
AXES_COOLOFF_TIME = timedelta(minutes=env_int("KENAL_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "kenal.accounts.lockout.login_locked_out"
AXES_VERBOSE = False
# Behind a reverse proxy every request comes from the proxy's address, so one person's
# failures would lock everyone out. KENAL_TRUSTED_PROXIES says how many proxies stand in
# front of Kenal; their X-Forwarded-For then gives the client's address. Without it the
# header is ignored: a client could write any address there.
KENAL_TRUSTED_PROXIES = env_int("KENAL_TRUSTED_PROXIES", 0)
AXES_CLIENT_IP_CALLABLE = "kenal.accounts.lockout.client_address"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "parties:list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env_str("KENAL_LANGUAGE", "id")
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("KENAL_TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True
KENAL_DEFAULT_CURRENCY = env_str("KENAL_CURRENCY", "IDR")
KENAL_DEFAULT_REGION = env_str("KENAL_PHONE_REGION", "ID")

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise serves from the apps' folders (below) but expects STATIC_ROOT to exist.
STATIC_ROOT.mkdir(mode=0o700, parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Served straight from the apps' static folders, so `make run` needs no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Calls to the API per token (or per signed-in user): "<count>/<s|min|hour|day>".
KENAL_API_RATE = env_str("KENAL_API_RATE", "120/min")
# The API's call counts live in a cache every server process on the machine shares (a
# per-process memory cache would let each worker allow the full rate).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(_private_data_dir(DATA_DIR / "cache")),
    }
}

# The relationship engine prepares its one-party statement on PostgreSQL and asks the
# server whether it still is, so a pooler in transaction mode is fine; one in statement
# mode (or any that forbids prepared statements) needs this off.
KENAL_PREPARED_STATEMENTS = env_bool("KENAL_PREPARED_STATEMENTS", True)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("KENAL_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("KENAL_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

EMAIL_HOST = env_str("KENAL_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("KENAL_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("KENAL_FROM_EMAIL", "kenal@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("KENAL_LOG_LEVEL", "WARNING")},
}
