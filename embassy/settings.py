"""Settings for the Communiqués project, read from the environment.

There is one settings module: anything that differs between a laptop and production is an
environment variable (see README, "Configuration").
"""

import os
from pathlib import Path

import dj_database_url
from django.conf import global_settings
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off. "
            "For local work, set DJANGO_DEBUG=1 (make run does)."
        )
    SECRET_KEY = "insecure-local-development-key-never-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
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
    "communiques",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions (it may read the language from them) and before CommonMiddleware
    # (which needs the language prefix resolved to append slashes correctly).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "embassy.urls"
WSGI_APPLICATION = "embassy.wsgi.application"

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
        },
    },
]

# The embedded default is a SQLite file beside the project; production sets DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}

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
LANGUAGE_CODE = os.environ.get("DJANGO_LANGUAGE_CODE", LANGUAGES[0][0])
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True

# Dates are those of the embassy: a communiqué published at 23:30 UTC is dated the next day
# in Kabul (UTC+4:30).
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Asia/Kabul")
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
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

COMMUNIQUES_PER_PAGE = 10
# French and English Solar Hijri month names: "afghan" (Hamal…) or "iranian" (Farvardin…).
COMMUNIQUES_SOLAR_MONTH_NAMES = "afghan"

# Uploaded images (communiques/images.py). A camera's JPEG is 3 to 12 MB; anything larger is
# refused before it is decoded. Decoding 40 megapixels takes 120 to 160 MB of memory: the pixel
# limit is what bounds a worker's memory, whatever the file's size.
COMMUNIQUES_MAX_UPLOAD_BYTES = 15 * 1024 * 1024
COMMUNIQUES_MAX_IMAGE_PIXELS = 40_000_000
