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


def test_check_deploy_is_clean_with_the_https_redirect_behind_the_proxy_and_a_moved_admin():
    result = check_deploy(
        production_environment(
            DJANGO_SECURE_SSL_REDIRECT="1",
            DJANGO_SECURE_PROXY_SSL_HEADER="1",
            DJANGO_ADMIN_PATH="office-7f3k",
        )
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_on_cookies_sent_over_plain_http():
    # The positive control of the test above, for the session and CSRF cookies.
    result = check_deploy(production_environment(DJANGO_SECURE_COOKIES="0"))

    assert result.returncode != 0
    assert "security.W012" in result.stderr
    assert "security.W016" in result.stderr


class TestAdminPath:
    expression = (
        "(lambda u: (u.reverse('admin:index'), u.resolve(u.reverse('admin:login')).url_name, "
        "sorted(str(p.pattern) for p in u.get_resolver().url_patterns "
        "if getattr(p, 'app_name', None) == 'admin')))"
        "(__import__('django.urls', fromlist=['reverse']))"
    )

    def test_the_admin_is_at_admin_by_default(self):
        assert read_settings(production_environment(), self.expression) == (
            "('/admin/', 'login', ['admin/'])"
        )

    def test_the_variable_moves_the_admin_and_nothing_is_left_at_admin(self):
        env = production_environment(DJANGO_ADMIN_PATH="/office-7f3k/")

        assert read_settings(env, self.expression) == "('/office-7f3k/', 'login', ['office-7f3k/'])"

    @pytest.mark.parametrize(
        ("path", "message"),
        [
            ("fr", "begins like a public address"),
            ("static/admin", "begins like a public address"),
            ("health", "begins like a public address"),
            ("office 7", "must be a path of letters"),
            ("../admin", "must be a path of letters"),
        ],
    )
    def test_a_path_that_would_clash_or_is_not_a_path_is_a_clear_error(self, path, message):
        result = import_settings(production_environment(DJANGO_ADMIN_PATH=path))

        assert result.returncode != 0
        assert message in result.stderr


class TestSignInThrottling:
    def test_five_failures_and_half_an_hour_by_default_per_account_and_address(self):
        expression = (
            "settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME, "
            "settings.AXES_LOCKOUT_PARAMETERS"
        )

        assert read_settings(production_environment(), expression) == (
            "5 0:30:00 [['username', 'ip_address']]"
        )

    def test_the_limit_and_the_cool_off_are_configurable_and_zero_waits_for_an_editor(self):
        env = production_environment(
            DJANGO_LOGIN_FAILURE_LIMIT="3", DJANGO_LOGIN_COOLOFF_MINUTES="0"
        )

        assert read_settings(env, "settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME") == (
            "3 None"
        )


class TestContentSecurityPolicyMedia:
    expression = "settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']"

    def s3(self, **extra):
        return production_environment(
            DJANGO_MEDIA_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="embassy-media", **extra
        )

    def test_local_photos_come_from_the_site_itself(self):
        assert read_settings(production_environment(), self.expression) == "[\"'self'\", 'data:']"

    def test_photos_in_a_bucket_are_allowed_from_its_public_host(self):
        assert (
            read_settings(self.s3(AWS_S3_CUSTOM_DOMAIN="media.example.org"), self.expression)
            == "[\"'self'\", 'data:', 'https://media.example.org']"
        )
        assert (
            read_settings(
                self.s3(AWS_S3_ENDPOINT_URL="https://s3.fr-par.scw.cloud/"), self.expression
            )
            == "[\"'self'\", 'data:', 'https://s3.fr-par.scw.cloud']"
        )
        assert read_settings(self.s3(AWS_S3_REGION_NAME="eu-west-3"), self.expression) == (
            "[\"'self'\", 'data:', 'https://embassy-media.s3.amazonaws.com', "
            "'https://embassy-media.s3.eu-west-3.amazonaws.com']"
        )
