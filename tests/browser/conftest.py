"""A real Chromium for the browser tests: Debian's, launched once per session.

Playwright cannot download its own browsers here, so it drives /usr/bin/chromium.
"""

import functools
import io
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import PIL.Image
import PIL.ImageDraw
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

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


def demo_photo(width: int, height: int, hue: int) -> SimpleUploadedFile:
    """Return a JPEG upload enough like a photo to judge a page by: sky, land, a building."""
    image = PIL.Image.new("RGB", (width, height))
    draw = PIL.ImageDraw.Draw(image)
    horizon = height * 2 // 3
    for y in range(height):
        if y < horizon:
            shade = 150 + 90 * y // horizon
            draw.line([(0, y), (width, y)], fill=(shade - 60, shade - 20 + hue % 30, shade))
        else:
            shade = 120 - 50 * (y - horizon) // (height - horizon)
            draw.line([(0, y), (width, y)], fill=(shade + 40, shade + 25, shade))
    left = width // 3 + hue % (width // 3)
    draw.rectangle([left, horizon - height // 4, left + width // 5, horizon], fill=(214, 205, 190))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


@functools.cache
def processed_demo_photo(variant: int):
    """Return a demo photo processed as an upload is, once per test session: it takes a while."""
    from communiques.images import process_upload

    return process_upload(demo_photo(960, 640, hue=variant * 37))


def demo_logo() -> SimpleUploadedFile:
    """Return a PNG emblem in the colours of the French flag, as the demo embassy's logo."""
    image = PIL.Image.new("RGB", (96, 64), "white")
    draw = PIL.ImageDraw.Draw(image)
    draw.rectangle([0, 0, 31, 63], fill=(0, 35, 149))
    draw.rectangle([64, 0, 95, 63], fill=(237, 41, 57))
    draw.rectangle([0, 0, 95, 63], outline=(200, 205, 210))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def demo_site():
    """The demo content as `make run` serves it, with its photos uploaded and a logo: the sample.

    The demo files leave the places of their photos empty; each gets a generated photo here.
    """
    from communiques.demo import ORIGINAL_SAMPLE, load_demo
    from communiques.models import Communique, Image, SiteSettings

    load_demo()
    for number, image in enumerate(Image.objects.order_by("pk")):
        image.attach(processed_demo_photo(number % 3))
        image.alt_text_fa_af = "نمایی از محل برگزاری برنامه"
        image.alt_text_ps = "د غونډې د ځای انځور"
        image.alt_text_fr = "Vue du lieu de l’événement"
        image.alt_text_en = "A view of the venue"
        image.save()
    site_settings = SiteSettings.load()
    site_settings.logo.save("logo.png", demo_logo())
    return Communique.objects.get(slug=ORIGINAL_SAMPLE[0])


ADMIN_PASSWORD = "a long password for the press officer"


def sign_in(page, live_server, username, admin_language="en"):
    """Sign in through the admin's login form, as a person would, with the admin in a language.

    The user must exist with ADMIN_PASSWORD.
    """
    from django.urls import reverse
    from playwright.sync_api import expect

    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": admin_language, "url": live_server.url}]
    )
    page.goto(reverse("admin:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", ADMIN_PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_be_visible()
    return page
