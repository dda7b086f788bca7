"""A real Chromium for the browser tests: Debian's, launched once per session.

Playwright cannot download its own browsers here, so it drives /usr/bin/chromium.
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = (
            f"Browser tests need Chromium at {CHROMIUM}: install it with "
            "`apt-get install -y chromium`."
        )
        # CI must run them: a skipped browser suite there would hide a broken page.
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def serve_media(route):
    """Answer uploads from MEDIA_ROOT: the live server serves static files, not media."""
    path = unquote(urlsplit(route.request.url).path).removeprefix("/" + settings.MEDIA_URL)
    file = Path(settings.MEDIA_ROOT) / path
    if file.is_file():
        route.fulfill(path=file)
    else:
        route.fulfill(status=404)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.route(f"**/{settings.MEDIA_URL}**", serve_media)
    page = context.new_page()
    yield page
    context.close()
