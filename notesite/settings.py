"""Settings for notesite, read from the environment.

Every variable has a safe development default, except that production (DEBUG=0) refuses to
start without a real SECRET_KEY and ALLOWED_HOSTS. README.md lists the variables.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0.")
    SECRET_KEY = "django-insecure-development-only-key"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG=0.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "topics",
    "papers",
    "accounts",
    "annotations",
    "notesite",  # {% site_url %} (notesite/templatetags/site.py)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "notesite.middleware.ContentSecurityPolicyMiddleware",
    "notesite.middleware.RefuseControlCharactersMiddleware",
    "papers.middleware.NoteViewsMiddleware",
    # Above the page cache, and only on a 404: an old blog address answers 301 to its note.
    "papers.redirects.OldAddressMiddleware",
    # Cached pages for anonymous readers are answered here, with the headers above; the
    # middleware below runs only for pages being rendered (papers/caching/pages.py).
    "papers.caching.pages.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "papers.caching.pages.PageStoreMiddleware",
]

ROOT_URLCONF = "notesite.urls"
WSGI_APPLICATION = "notesite.wsgi.application"

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
                "papers.caching.pages.csrf_placeholder",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A transaction takes the write lock when it begins, so two writers queue (for up to the
    # busy timeout) instead of failing half-way with "database is locked"; import_notes relies
    # on it to run one import at a time.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed names need `collectstatic`; development serves the sources.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "notesite.storage.StaticFilesStorage"
    },
}
# Images pasted into a note in the admin's editor (papers.uploads): a phone's photo fits, a
# picture larger than 40 megapixels (whose decoding alone takes 120 MB and more) does not.
NOTE_IMAGE_MAX_BYTES = 10 * 2**20
NOTE_IMAGE_MAX_PIXELS = 40_000_000

TAGGIT_CASE_INSENSITIVE = True

# Who notes are by, in feeds, citations and JSON-LD.
SITE_AUTHOR = os.environ.get("SITE_AUTHOR", "notesite")

# Cache: Redis when REDIS_URL is set (shared by every app server, so rate limits hold across
# them), else this process's memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": {
        "BACKEND": "papers.caching.backend.ResilientRedisCache"
        if REDIS_URL
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": REDIS_URL,
        # Several sites (or test runs) can share one Redis under different prefixes.
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "notesite"),
    }
}
if REDIS_URL:
    # A Redis that hangs costs a request half a second, then counts as down
    # (papers/caching/backend.py).
    CACHES["default"]["OPTIONS"] = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}

# Whole pages for anonymous readers (papers/caching/pages.py): how long an entry lives, 0 for
# no page cache. Saves make pages fresh at once; this only bounds how old view counts get.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
# Each process also keeps the pages it served last in its own memory, this many MB, so that a
# hit makes no round trip to Redis (papers/caching/memory.py).
PAGE_CACHE_MEMORY_MB = int(os.environ.get("PAGE_CACHE_MEMORY_MB", "32"))
# Note views are held by each process and pushed to Redis this often (a process killed without
# exiting loses what it holds), and written to the database this often (papers/viewcounts.py).
VIEW_COUNT_PUSH_SECONDS = float(os.environ.get("VIEW_COUNT_PUSH_SECONDS", "1"))
VIEW_COUNT_FLUSH_SECONDS = int(os.environ.get("VIEW_COUNT_FLUSH_SECONDS", "60"))

# Readers' accounts (accounts/) and email: printed to the console in
# development, SMTP in production.
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "papers:index"
EMAIL_BACKEND = (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "notesite <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Who is emailed about new comments; empty sends nothing.
NOTESITE_AUTHOR_EMAIL = os.environ.get("NOTESITE_AUTHOR_EMAIL", "author@localhost" if DEBUG else "")
# What the admin's "从 arXiv 填写" asks for a paper's fields (papers/arxiv_api.py).
ARXIV_API_URL = os.environ.get("ARXIV_API_URL", "https://export.arxiv.org/api/query")

# Comments (annotations/): moderation, the edit window and abuse limits.
COMMENTS_MODERATE_ANONYMOUS = env_bool("COMMENTS_MODERATE_ANONYMOUS", True)
COMMENTS_EDIT_WINDOW_MINUTES = int(os.environ.get("COMMENTS_EDIT_WINDOW_MINUTES", "15"))
COMMENTS_MIN_SECONDS = int(os.environ.get("COMMENTS_MIN_SECONDS", "3"))
COMMENTS_FORM_MAX_AGE = int(os.environ.get("COMMENTS_FORM_MAX_AGE", str(2 * 3600)))
# (posts, seconds): per client address and per account.
COMMENTS_RATE_LIMITS = [
    (int(os.environ.get("COMMENTS_RATE_PER_MINUTE", "5")), 60),
    (int(os.environ.get("COMMENTS_RATE_PER_HOUR", "30")), 3600),
]
# Sign-ups and password-reset emails: (posts, seconds) per client address (and, for resets,
# per email address asked for, so nobody's inbox is flooded).
SIGNUP_RATE_LIMIT = (int(os.environ.get("SIGNUP_RATE_PER_HOUR", "5")), 3600)
PASSWORD_RESET_RATE_LIMIT = (int(os.environ.get("PASSWORD_RESET_RATE_PER_HOUR", "5")), 3600)
# Logins (the readers' /accounts/login/ and the admin's, accounts/limits.py): (failures,
# seconds) per client address and per account from one address; past them a login is refused
# with 429, even with the right password.
LOGIN_RATE_LIMITS = {
    "address": (int(os.environ.get("LOGIN_RATE_PER_ADDRESS", "10")), 300),
    "username": (int(os.environ.get("LOGIN_RATE_PER_USERNAME", "5")), 300),
}
# How many proxies of ours stand in front of the app and append to X-Forwarded-For; 0 trusts
# only REMOTE_ADDR.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Production hardening; each can be relaxed from the environment (e.g. behind a TLS proxy
# that already redirects, set SECURE_SSL_REDIRECT=0).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers check over plain HTTP
# The database's sessions, telling the reader cards (papers/caching/readers.py) of changes.
SESSION_ENGINE = "papers.caching.sessions"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# notesite.middleware sends it on every response. No inline script anywhere (JSON-LD is data
# that browsers never run, so script-src never refuses it); KaTeX sets style attributes on
# its spans, hence style-src-attr; notes may show images from any https site.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:", "https:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "object-src": ["'none'"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
