"""Environment for the test run, set before pytest-django reads the settings.

Loaded with `-p tests.environment` (pyproject.toml) so that a bare `pytest` works as well as
`make test`. Only defaults: anything already in the environment (DATABASE_URL) wins.

Being a plugin, it is loaded in every process of a parallel run, the pytest-xdist controller
too: that process writes the closing report, and never loads tests/browser/conftest.py.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be
# usable from the live-server tests around it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_terminal_summary(terminalreporter):
    """Say once, at the end, why the browser tests were skipped (Chromium missing).

    Without it the reason shows only with `-rs`, and then once per test file; in a parallel run
    every worker skips its own share of them.
    """
    reasons = set()
    for report in terminalreporter.stats.get("skipped", []):
        if "browser" in report.keywords and isinstance(report.longrepr, tuple):
            reasons.add(report.longrepr[2].removeprefix("Skipped: "))
    if reasons:
        terminalreporter.write_sep("=", "browser tests skipped", yellow=True, bold=True)
        for reason in sorted(reasons):
            terminalreporter.write_line(reason, yellow=True)
