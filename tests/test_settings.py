import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def import_settings(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "embassy.settings", **env},
        capture_output=True,
        text=True,
    )


def test_a_missing_secret_key_with_debug_off_is_a_clear_error():
    result = import_settings({})

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    "env",
    [{"DJANGO_SECRET_KEY": "s3cret", "DJANGO_ALLOWED_HOSTS": "example.org"}, {"DJANGO_DEBUG": "1"}],
    ids=["with a key and hosts", "debug"],
)
def test_settings_load_with_a_key_or_in_debug(env):
    assert import_settings(env).returncode == 0


def test_missing_allowed_hosts_with_debug_off_is_a_clear_error():
    result = import_settings({"DJANGO_SECRET_KEY": "s3cret"})

    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off" in result.stderr


def test_the_placeholder_secret_key_of_the_example_configuration_is_refused():
    result = import_settings(
        {"DJANGO_SECRET_KEY": "change-me-to-50-random-characters", "DJANGO_ALLOWED_HOSTS": "a.org"}
    )

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is still the placeholder of .env.example" in result.stderr


def production_environment(**extra: str) -> dict[str, str]:
    # check --deploy wants at least 50 characters, of at least 5 different ones.
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "example.org",
        **extra,
    }


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
    )


def test_check_deploy_is_clean_with_only_a_secret_key_and_allowed_hosts():
    result = check_deploy(production_environment())

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_on_a_short_secret_key_and_without_hsts():
    # The positive control of the test above: the command does fail on warnings.
    result = check_deploy(
        production_environment(DJANGO_SECRET_KEY="short", DJANGO_SECURE_HSTS_SECONDS="0")
    )

    assert result.returncode != 0
    assert "security.W009" in result.stderr
    assert "security.W004" in result.stderr


def read_settings(env: dict[str, str], expression: str) -> str:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            f"from django.core.files.storage import storages; print({expression})",
        ],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "embassy.settings", **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


class TestProductionSecurity:
    def test_hsts_is_on_for_a_year_by_default_and_configurable(self):
        expression = "settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS"

        assert read_settings(production_environment(), expression) == "31536000 True"
        assert (
            read_settings(production_environment(DJANGO_SECURE_HSTS_SECONDS="3600"), expression)
            == "3600 True"
        )

    def test_the_proxy_header_and_the_https_redirect_are_opt_in(self):
        expression = (
            "getattr(settings, 'SECURE_PROXY_SSL_HEADER', None), settings.SECURE_SSL_REDIRECT"
        )

        assert read_settings(production_environment(), expression) == "None False"
        assert (
            read_settings(
                production_environment(
                    DJANGO_SECURE_PROXY_SSL_HEADER="1", DJANGO_SECURE_SSL_REDIRECT="1"
                ),
                expression,
            )
            == "('HTTP_X_FORWARDED_PROTO', 'https') True"
        )


class TestCache:
    def test_local_memory_without_redis_url(self):
        expression = "settings.CACHES['default']['BACKEND']"

        assert read_settings(production_environment(), expression) == (
            "django.core.cache.backends.locmem.LocMemCache"
        )

    def test_redis_with_redis_url(self):
        expression = "settings.CACHES['default']['BACKEND'], settings.CACHES['default']['LOCATION']"
        env = production_environment(REDIS_URL="redis://cache.internal:6379/0")

        assert read_settings(env, expression) == (
            "embassy.caches.ReusedClientRedisCache redis://cache.internal:6379/0"
        )


class TestMediaStorage:
    def test_local_files_by_default(self):
        expression = "settings.STORAGES['default']['BACKEND']"

        assert read_settings(production_environment(), expression) == (
            "django.core.files.storage.FileSystemStorage"
        )

    def test_s3_compatible_storage_by_configuration(self):
        # Nothing is sent anywhere: the storage is built from the settings, never used.
        env = production_environment(
            DJANGO_MEDIA_STORAGE="s3",
            AWS_STORAGE_BUCKET_NAME="embassy-media",
            AWS_S3_ENDPOINT_URL="https://s3.example.org",
            AWS_S3_REGION_NAME="fr-par",
        )
        expression = (
            "(lambda s: (type(s).__module__, type(s).__name__, s.bucket_name, s.endpoint_url, "
            "s.region_name, s.querystring_auth))(storages['default'])"
        )

        assert read_settings(env, expression) == (
            "('storages.backends.s3', 'S3Storage', 'embassy-media', 'https://s3.example.org', "
            "'fr-par', False)"
        )

    def test_s3_without_a_bucket_is_a_clear_error(self):
        result = import_settings(production_environment(DJANGO_MEDIA_STORAGE="s3"))

        assert result.returncode != 0
        assert "DJANGO_MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME" in result.stderr


def test_an_empty_variable_counts_as_unset():
    # docker-compose.yml passes `VAR: ${VAR:-}`: empty whenever .env leaves the variable out.
    env = production_environment(
        DJANGO_SECURE_HSTS_SECONDS="",
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="",
        DJANGO_LANGUAGE_CODE="",
        DJANGO_TIME_ZONE="",
        DJANGO_MEDIA_STORAGE="",
        DJANGO_MEDIA_ROOT="",
    )
    expression = (
        "settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "settings.LANGUAGE_CODE, settings.TIME_ZONE, settings.STORAGES['default']['BACKEND'], "
        "settings.MEDIA_ROOT == settings.BASE_DIR / 'media'"
    )

    assert read_settings(env, expression) == (
        "31536000 True fa-af Asia/Kabul django.core.files.storage.FileSystemStorage True"
    )
