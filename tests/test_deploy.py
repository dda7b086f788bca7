"""The container's entrypoint script, run as the image runs it, with a stand-in for python."""

import json
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"

# Records each call, one line of arguments each. `python -c` is the entrypoint's database check:
# it answers with FAKE_DATABASE_STATUS (0: up, 3: not reachable yet, other: broken settings).
FAKE_PYTHON = """#!/bin/sh
if [ "$1" = "-c" ]; then
    echo "check-database" >> "$CALLS"
    exit "${FAKE_DATABASE_STATUS:-0}"
fi
echo "$*" >> "$CALLS"
"""


@pytest.fixture
def fake_python(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    python = bin_dir / "python"
    python.write_text(FAKE_PYTHON)
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    return bin_dir


def run_entrypoint(fake_python, tmp_path, **env):
    calls = tmp_path / "calls"
    calls.touch()
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), "echo", "ok"],
        cwd=ROOT,
        env={
            "PATH": f"{fake_python}:/usr/bin:/bin",
            "CALLS": str(calls),
            "DB_WAIT_INTERVAL": "0",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=30,
    )
    return result, calls.read_text().splitlines()


def test_it_checks_the_database_migrates_then_execs_the_command(fake_python, tmp_path):
    result, calls = run_entrypoint(fake_python, tmp_path)

    assert result.returncode == 0, result.stderr
    assert calls == ["check-database", "manage.py migrate --noinput"]
    assert result.stdout == "ok\n"


def test_it_waits_for_a_database_that_comes_up_late(fake_python, tmp_path):
    # Not reachable twice, then up: a counter file turns the fake's answer.
    late = fake_python / "python"
    late.write_text(
        FAKE_PYTHON.replace(
            'exit "${FAKE_DATABASE_STATUS:-0}"',
            '[ "$(grep -c check-database "$CALLS")" -ge 3 ] && exit 0; exit 3',
        )
    )

    result, calls = run_entrypoint(fake_python, tmp_path, DB_WAIT_ATTEMPTS="5")

    assert result.returncode == 0, result.stderr
    assert calls == ["check-database"] * 3 + ["manage.py migrate --noinput"]
    assert result.stdout == "ok\n"


def test_a_database_that_never_comes_up_fails_after_the_bounded_retries(fake_python, tmp_path):
    result, calls = run_entrypoint(
        fake_python, tmp_path, FAKE_DATABASE_STATUS="3", DB_WAIT_ATTEMPTS="4"
    )

    assert result.returncode != 0
    assert calls == ["check-database"] * 4
    assert "did not answer after 4 attempts" in result.stderr
    assert "ok" not in result.stdout


def test_broken_settings_fail_at_once_without_waiting(fake_python, tmp_path):
    result, calls = run_entrypoint(
        fake_python, tmp_path, FAKE_DATABASE_STATUS="1", DB_WAIT_ATTEMPTS="4"
    )

    assert result.returncode == 1
    assert calls == ["check-database"]


def test_a_failed_migration_stops_the_container_before_the_command(fake_python, tmp_path):
    failing = fake_python / "python"
    failing.write_text(FAKE_PYTHON + "exit 1\n")

    result, calls = run_entrypoint(fake_python, tmp_path)

    assert result.returncode != 0
    assert calls == ["check-database", "manage.py migrate --noinput"]
    assert "ok" not in result.stdout


def test_the_entrypoint_is_executable_and_posix_sh():
    assert os.access(ENTRYPOINT, os.X_OK)
    assert ENTRYPOINT.read_text().startswith("#!/bin/sh\n")
    # dash is Debian's /bin/sh and knows only POSIX: a bashism fails its syntax check.
    assert subprocess.run(["dash", "-n", str(ENTRYPOINT)]).returncode == 0


# --- The configuration ------------------------------------------------------------------------

SETTINGS_VARIABLE = re.compile(r"""\benv(?:_bool|_list)?\(\s*"([A-Z][A-Z0-9_]*)\"""")


def variables_read_by_settings():
    text = (ROOT / "embassy" / "settings.py").read_text()
    # dj-database-url reads DATABASE_URL itself.
    return set(SETTINGS_VARIABLE.findall(text)) | {"DATABASE_URL"}


def documented_variables():
    # A variable named in a comment counts: DATABASE_URL is explained there, not set.
    return set(re.findall(r"\b[A-Z][A-Z0-9_]{2,}\b", (ROOT / ".env.example").read_text()))


def test_the_settings_read_variables_and_the_scan_finds_them():
    # The positive control of the two tests below.
    assert {
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "REDIS_URL",
    } <= variables_read_by_settings()


def test_every_variable_the_settings_read_is_documented_in_the_example_configuration():
    assert variables_read_by_settings() - documented_variables() == set()


def test_every_variable_the_settings_read_reaches_the_web_containers():
    compose = (ROOT / "docker-compose.yml").read_text()
    passed = set(re.findall(r"^  ([A-Z][A-Z0-9_]*):", compose, re.MULTILINE))

    # The image itself sets the folders (Dockerfile).
    assert variables_read_by_settings() - passed == {"DJANGO_MEDIA_ROOT", "DJANGO_STATIC_ROOT"}


@pytest.mark.skipif(
    shutil.which("docker-compose") is None,
    reason="docker-compose is not installed (apt-get install -y docker-compose; CI does)",
)
def test_the_compose_file_is_valid_with_the_example_configuration():
    result = subprocess.run(
        [
            "docker-compose",
            "-f",
            "docker-compose.yml",
            "--env-file",
            ".env.example",
            "config",
            "-q",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr


def test_collectstatic_hashes_every_static_file_and_finds_every_reference(settings, tmp_path):
    # As at image build time, without whitenoise's compression (45 s for brotli): a stylesheet
    # that refers to a missing file fails the hashing step, which is what this guards.
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }

    call_command("collectstatic", interactive=False, verbosity=0)

    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    assert "css/site.css" in manifest
    assert "fonts/vazirmatn/Vazirmatn-wght.woff2" in manifest
    assert "admin/css/base.css" in manifest
