"""Environment for the test run, set before pytest-django reads the settings.

Loaded with `-p tests.environment` (pyproject.toml) so that a bare `pytest` works as well as
`make test`. Only defaults: anything already in the environment (DATABASE_URL) wins.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be
# usable from the live-server tests around it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
