"""Settings for the Communiqués project, read from the environment.

There is one settings module: anything that differs between a laptop and production is an
environment variable (see README, "Configuration").
"""

import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE
from django.conf import global_settings
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """Return an environment variable; an empty one counts as unset, as compose passes `VAR=`."""
    return os.environ.get(name, "").strip() or default


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off. "
            "For local work, set DJANGO_DEBUG=1 (make run does)."
        )
    SECRET_KEY = "insecure-local-development-key-never-use-in-production"
elif SECRET_KEY.startswith("change-me") and not DEBUG:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is still the placeholder of .env.example. Generate one with: "
        'python3 -c "import secrets; print(secrets.token_urlsafe(50))"'
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not ALLOWED_HOSTS:
    # Without it every request would answer 400: better to refuse to start, saying why.
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off: the host names the site "
        "answers to, comma-separated (e.g. communiques.example.org)."
    )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # modeltranslation must come before the admin so that its tabbed forms win.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # The body's rich-text editor: its widget and its JavaScript and CSS, served as static files.
    "django_prose_editor",
    # Versions of communiqués, their images and links (communiques/history.py).
    "simple_history",
    # Failed sign-ins and lockouts (embassy/security.py), listed in the admin for editors.
    "axes",
    # The Content-Security-Policy header (CONTENT_SECURITY_POLICY below).
    "csp",
    "communiques",
]

MIDDLEWARE = [
    # First, so that its duration covers every other middleware and its log line every answer,
    # including the redirects and refusals of the middleware below.
    "embassy.middleware.RequestLogMiddleware",
    # A view that fails for want of the database gets the static 503 page (its place in the list
    # does not matter: it only handles the view's exception).
    "embassy.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions (it may read the language from them) and before CommonMiddleware
    # (which needs the language prefix resolved to append slashes correctly).
    "django.middleware.locale.LocaleMiddleware",
    # After LocaleMiddleware (the language is part of a page's key) and before everything only a
    # page being rendered needs: a page served from the cache skips the rest.
    "communiques.cache.PageCacheMiddleware",
    # Inside the page cache: a public page is stored with its policy, which then costs nothing
    # to send again (the key names the policy: cache.release). Its nonce is for the admin only,
    # which is never cached (embassy/security.py).
    "embassy.security.ContentSecurityPolicyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: each version records the user who saved it.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as its documentation asks: it turns a sign-in refused by the lockout into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "embassy.urls"

# Where the admin is served: an address nobody guesses keeps the sign-in page out of the
# scanners' lists. It must not begin like a public address (a language, static files…).
ADMIN_PATH = env("DJANGO_ADMIN_PATH", "admin").strip("/") + "/"
# Each segment: letters, digits, - . _ ~, not starting with a dot (no "." or "..").
_ADMIN_SEGMENT = r"[A-Za-z0-9_~-][A-Za-z0-9._~-]*"
if not re.fullmatch(rf"{_ADMIN_SEGMENT}(?:/{_ADMIN_SEGMENT})*/", ADMIN_PATH):
    raise ImproperlyConfigured(
        f"DJANGO_ADMIN_PATH must be a path of letters, digits, '-', '.', '_' or '~', each part "
        f"starting with no dot (e.g. office-7f3k), not {ADMIN_PATH!r}."
    )
WSGI_APPLICATION = "embassy.wsgi.application"

# The public pages are Jinja2 templates (jinja2/): rendering was the largest part of an
# uncached page, and Jinja2 takes about half the time Django's template language took
# (bench/README.md). The admin, the feeds' entries, the sitemap and robots.txt stay Django
# templates (templates/). Jinja2 comes first: a name it does not have falls through to Django's.
PUBLIC_CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.template.context_processors.i18n",
    # site_settings: the embassy's name and logo, read at most once per request.
    "communiques.context_processors.site_settings",
    # addresses and origin: the header's links, the language versions' host.
    "communiques.context_processors.site_addresses",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "communiques.templating.environment",
            "context_processors": PUBLIC_CONTEXT_PROCESSORS,
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                *PUBLIC_CONTEXT_PROCESSORS,
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The embedded default is a SQLite file beside the project; production sets DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(env("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer fails a request (and the readiness probe) within seconds,
    # instead of holding a worker for the operating system's TCP timeout of minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(env("DJANGO_DB_CONNECT_TIMEOUT", "5"))
    )

# --- Cache -------------------------------------------------------------------------------------
# Redis is shared by every web process and node; without it each process keeps its own cache in
# memory, which is right for one machine and for tests.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's own, reusing its Redis client (embassy/caches.py).
            "BACKEND": "embassy.caches.ReusedClientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("DJANGO_CACHE_KEY_PREFIX", "communiques"),
            # A Redis that is down or unreachable must cost a request a fraction of a second,
            # not a worker: the page is then served uncached.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            # Whole pages of 20 to 60 KB: room for the recent communiqués in every language,
            # within some 50 MB per process (Django's default is 300 entries).
            "OPTIONS": {"MAX_ENTRIES": 1000},
        }
    }

# Anonymous readers' public pages, cached whole (communiques/cache.py). A change of content
# makes them stale at once; the timeout bounds how long a page is kept, and how stale a process
# with its own cache (no REDIS_URL, several workers) can be after another process saved a change.
COMMUNIQUES_PAGE_CACHE = env_bool("DJANGO_PAGE_CACHE", True)
COMMUNIQUES_PAGE_CACHE_TIMEOUT = int(env("DJANGO_PAGE_CACHE_TIMEOUT", "300"))
# What browsers (max-age) and shared caches such as a CDN (s-maxage) may keep a public page for
# without asking again, in seconds: a publication reaches every reader within the longer one.
COMMUNIQUES_PAGE_MAX_AGE = int(env("DJANGO_PAGE_MAX_AGE", "60"))
COMMUNIQUES_PAGE_S_MAXAGE = int(env("DJANGO_PAGE_S_MAXAGE", "300"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages -------------------------------------------------------------------------------
# Django 5.2 does not know Pashto at all, and names Dari after Iranian Persian ("فارسی").
# Registering them here makes get_language_info(), get_language_bidi() and the admin behave.
LANG_INFO.update(
    {
        "fa-af": {
            "bidi": True,
            "code": "fa-af",
            "name": "Dari",
            "name_local": "دری",
        },
        "ps": {
            "bidi": True,
            "code": "ps",
            "name": "Pashto",
            "name_local": "پښتو",
        },
        # Windows names Dari by its ISO 639-3 code: a browser there asks for prs-AF. Without
        # these, Accept-Language: prs, fr would land a Dari reader on the French pages. Plain
        # fa (Iranian Persian) needs nothing: Django offers fa-af for it, as fr-ca for fr.
        "prs": {"fallback": ["fa-af"]},
        "prs-af": {"fallback": ["fa-af"]},
    }
)
LANGUAGES_BIDI = [*global_settings.LANGUAGES_BIDI, "ps"]

_ALL_LANGUAGES = {
    "fa-af": _("Dari"),
    "ps": _("Pashto"),
    "fr": _("French"),
    "en": _("English"),
    "fa": _("Persian"),
}
# The set of languages and the default one are settings: an embassy in Tehran would use
# DJANGO_LANGUAGES=fa,en,fr and DJANGO_LANGUAGE_CODE=fa. Changing the set needs a migration
# (modeltranslation adds one column per language).
LANGUAGES = [
    (code, _ALL_LANGUAGES[code]) for code in env_list("DJANGO_LANGUAGES", "fa-af,ps,fr,en")
]
LANGUAGE_CODE = env("DJANGO_LANGUAGE_CODE", LANGUAGES[0][0])
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True

# Dates are those of the embassy: a communiqué published at 23:30 UTC is dated the next day
# in Kabul (UTC+4:30).
TIME_ZONE = env("DJANGO_TIME_ZONE", "Asia/Kabul")
USE_TZ = True

# Public pages never mix languages: a missing French subtitle stays missing instead of
# silently showing the Dari one.
MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
MODELTRANSLATION_ENABLE_FALLBACKS = False
MODELTRANSLATION_AUTO_POPULATE = False

# modeltranslation's tabbed admin loads jQuery UI from a public CDN by default; serve our own
# tabs-only build so that the admin works offline and under a strict CSP.
JQUERY_URL = "admin/js/vendor/jquery/jquery.min.js"
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.tabs.min.js"

# --- Static and media files --------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploaded photos live in MEDIA_ROOT by default: one machine, one volume. Several web nodes
# share an S3-compatible bucket instead (AWS, MinIO, Scaleway, OVH…): DJANGO_MEDIA_STORAGE=s3.
_MEDIA_STORAGE = env("DJANGO_MEDIA_STORAGE", "local")
if _MEDIA_STORAGE == "local":
    _MEDIA_STORAGE_BACKEND = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif _MEDIA_STORAGE == "s3":
    if not env("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("DJANGO_MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    _MEDIA_STORAGE_BACKEND = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            # Empty for AWS itself; the address of any other S3-compatible service.
            "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env("AWS_S3_REGION_NAME") or None,
            # A CDN or the bucket's public host name; empty: the endpoint's own addresses.
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN") or None,
            # Photo addresses are unguessable and public once their communiqué is. Signed
            # addresses would expire inside cached pages and defeat a CDN.
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH"),
            # Renditions never change under a name: a new upload gets new names.
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
    # The credentials are read by boto3 itself, from AWS_ACCESS_KEY_ID and
    # AWS_SECRET_ACCESS_KEY or an instance role, so that they never pass through settings.
else:
    raise ImproperlyConfigured(
        f"DJANGO_MEDIA_STORAGE must be 'local' or 's3', not {_MEDIA_STORAGE!r}."
    )
STORAGES = {
    "default": _MEDIA_STORAGE_BACKEND,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security ----------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browsers remember HSTS only from an HTTPS answer: set it to 3600 while trying TLS out, since a
# browser that saw a year will refuse plain HTTP for a year.
SECURE_HSTS_SECONDS = int(env("DJANGO_SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD")
# Only behind a reverse proxy that sets X-Forwarded-Proto itself, overwriting the client's:
# otherwise any client could claim HTTPS.
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT")
# Probes come over plain HTTP, straight to a node, and must be answered rather than redirected.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SILENCED_SYSTEM_CHECKS = []
if not SECURE_SSL_REDIRECT:
    # The reverse proxy that ends TLS redirects HTTP to HTTPS (README, "Deploying"); Django can
    # only do it too once it trusts the proxy's header, or it would redirect forever.
    SILENCED_SYSTEM_CHECKS.append("security.W008")
if not SECURE_HSTS_PRELOAD:
    # Preloading binds the domain and every subdomain to HTTPS in browsers for months, whoever
    # hosts them: a decision for the domain's owner (DJANGO_SECURE_HSTS_PRELOAD), not a default.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

_RESERVED_PREFIXES = {
    *(code for code, _name in LANGUAGES),
    "i18n",
    "health",
    "sitemap.xml",
    "robots.txt",
    STATIC_URL.strip("/"),
    MEDIA_URL.strip("/"),
}
if ADMIN_PATH.split("/")[0].lower() in _RESERVED_PREFIXES:
    raise ImproperlyConfigured(
        f"DJANGO_ADMIN_PATH {ADMIN_PATH!r} begins like a public address: choose another."
    )

# --- Sign-in throttling (django-axes) ----------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First: it refuses a locked-out sign-in before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failures are counted per account and per address together. The press office signs in from
# one embassy network: counting per address alone would let one colleague's typos (or a
# stranger on the same network) lock everyone out, and counting per account alone would let
# anyone on the internet lock an editor out on the day of a publication. Per pair, a password
# guesser gets AXES_FAILURE_LIMIT tries per account and address, and the real owner, from
# their own address, is not locked out by them.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = int(env("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
# 0: locked until an editor lifts it (admin, "Access attempts": delete the row).
_LOGIN_COOLOFF_MINUTES = int(env("DJANGO_LOGIN_COOLOFF_MINUTES", "30"))
AXES_COOLOFF_TIME = timedelta(minutes=_LOGIN_COOLOFF_MINUTES) if _LOGIN_COOLOFF_MINUTES else None
# A person who mistyped a few times and then got in starts again from zero.
AXES_RESET_ON_SUCCESS = True
# Behind the bundled proxy every request comes from the proxy's address: the client's is the
# one the proxy wrote into X-Forwarded-For (embassy/security.py).
AXES_CLIENT_IP_CALLABLE = "embassy.security.client_ip_address"
# The page of a locked-out sign-in, in the reader's language, in the admin's frame.
AXES_LOCKOUT_CALLABLE = "embassy.security.lockout_response"
# Failures and lockouts are still logged (the account and address masked); not a line at every
# process's start, on the stdout that management commands print their results to.
AXES_VERBOSE = False

# --- Content-Security-Policy (django-csp) ------------------------------------------------------
# Public pages are cached whole (communiques/cache.py), so they cannot carry a nonce: they run
# scripts from files only, and the JSON-LD data block is data, which script-src does not govern.
_MEDIA_ORIGINS = []
if _MEDIA_STORAGE == "s3":
    _bucket = env("AWS_STORAGE_BUCKET_NAME")
    if env("AWS_S3_CUSTOM_DOMAIN"):
        _MEDIA_ORIGINS.append(f"https://{env('AWS_S3_CUSTOM_DOMAIN')}")
    elif env("AWS_S3_ENDPOINT_URL"):
        # Another S3-compatible service addresses the bucket under the endpoint's own host.
        _endpoint = urlsplit(env("AWS_S3_ENDPOINT_URL"))
        _MEDIA_ORIGINS.append(f"{_endpoint.scheme}://{_endpoint.netloc}")
    else:
        _MEDIA_ORIGINS.append(f"https://{_bucket}.s3.amazonaws.com")
        if env("AWS_S3_REGION_NAME"):
            _MEDIA_ORIGINS.append(f"https://{_bucket}.s3.{env('AWS_S3_REGION_NAME')}.amazonaws.com")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *_MEDIA_ORIGINS],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Added on the admin's pages, which are never cached: the body editor's import map is an inline
# script, allowed by this request's nonce (embassy/security.py). The editor (Tiptap) also writes
# its own <style> element, without which a space typed at the end of a line becomes a no-break
# space: inline styles are allowed in the admin, never inline scripts.
ADMIN_CONTENT_SECURITY_POLICY_UPDATE = {"script-src": [NONCE], "style-src": ["'unsafe-inline'"]}

# --- Logs --------------------------------------------------------------------------------------
# Everything goes to stdout, where the container runtime collects it. In JSON (the default with
# DEBUG off), one object per line, ready for a log collector; embassy.middleware adds one line per
# request, so gunicorn's own access log stays off.
LOG_FORMAT = env("DJANGO_LOG_FORMAT", "text" if DEBUG else "json").lower()
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT must be 'json' or 'text', not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "embassy.logs.JsonFormatter"},
        "text": {"format": "%(levelname)s %(name)s: %(message)s"},
    },
    "filters": {"request_id": {"()": "embassy.logs.RequestIdFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
}

COMMUNIQUES_PER_PAGE = 10
# French and English Solar Hijri month names: "afghan" (Hamal…) or "iranian" (Farvardin…).
COMMUNIQUES_SOLAR_MONTH_NAMES = "afghan"

# Uploaded images (communiques/images.py). A camera's JPEG is 3 to 12 MB; anything larger is
# refused before it is decoded. Decoding 40 megapixels takes 120 to 160 MB of memory: the pixel
# limit is what bounds a worker's memory, whatever the file's size.
COMMUNIQUES_MAX_UPLOAD_BYTES = 15 * 1024 * 1024
COMMUNIQUES_MAX_IMAGE_PIXELS = 40_000_000
