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
    "env", [{"DJANGO_SECRET_KEY": "s3cret"}, {"DJANGO_DEBUG": "1"}], ids=["with a key", "debug"]
)
def test_settings_load_with_a_key_or_in_debug(env):
    assert import_settings(env).returncode == 0
