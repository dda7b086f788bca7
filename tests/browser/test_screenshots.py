"""Screenshots of the public pages at phone and desktop widths, and what a glance at them checks.

The images are written to test-results/screenshots/ (README, "Screenshots") for a person to look
at; the tests assert what can be asserted: direction, font, images, width, print.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "test-results" / "screenshots"
VIEWPORTS = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 900},
}
PAGES = [
    ("detail", "fa-af"),
    ("detail", "ps"),
    ("detail", "fr"),
    ("list", "fa-af"),
]
VAZIRMATN_LOADED = """async () => {
    await document.fonts.ready;
    return [...document.fonts].some(
        (face) => face.family.replaceAll('"', "") === "Vazirmatn" && face.status === "loaded"
    );
}"""
BROKEN_IMAGES = """() => [...document.images]
    .filter((image) => !(image.complete && image.naturalWidth > 0))
    .map((image) => image.currentSrc || image.src)"""


def address(name, language, communique):
    with translation.override(language):
        if name == "detail":
            return communique.get_absolute_url()
        return reverse("communiques:index")


def load_every_image(page):
    """Bring each image into view, so that the lazy ones load too, and wait for them all."""
    for image in page.locator("img").all():
        image.scroll_into_view_if_needed()
    page.wait_for_function("() => [...document.images].every((image) => image.complete)")
    page.evaluate("window.scrollTo(0, 0)")


def computed(page, selector, prop):
    return page.locator(selector).first.evaluate(f"(element) => getComputedStyle(element).{prop}")


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize(("name", "language"), PAGES)
def test_screenshot_shows_the_page_whole_with_its_images(page, demo_site, name, language, viewport):
    page.set_viewport_size(VIEWPORTS[viewport])
    page.goto(address(name, language, demo_site))
    page.evaluate("document.fonts.ready")

    load_every_image(page)

    assert page.locator("img").count() > 0
    assert page.evaluate(BROKEN_IMAGES) == []
    # Nothing wider than the screen: a phone reader never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-{language}-{viewport}.png", full_page=True)


@pytest.mark.parametrize(("name", "language"), [("detail", "fa-af"), ("list", "fa-af")])
def test_dari_page_reads_right_to_left_in_vazirmatn(page, demo_site, name, language):
    page.goto(address(name, language, demo_site))

    assert computed(page, "main", "direction") == "rtl"
    assert page.evaluate(VAZIRMATN_LOADED)
    assert computed(page, "h1", "fontFamily").replace('"', "").startswith("Vazirmatn,")
    assert computed(page, ".site-name-text", "fontFamily").replace('"', "").startswith("Vazirmatn,")


@pytest.mark.parametrize("language", ["fa-af", "fr"])
def test_printing_hides_the_navigation_and_shows_where_sources_lead(page, demo_site, language):
    page.goto(address("detail", language, demo_site))
    navigation = [
        ".site-nav",
        ".language-switcher",
        ".site-header [role=search]",
        ".site-footer",
        ".print-button",
        ".neighbours",
    ]
    for selector in navigation:
        assert page.locator(selector).first.is_visible(), selector

    load_every_image(page)

    page.emulate_media(media="print")

    for selector in [".skip-link", *navigation]:
        assert not page.locator(selector).first.is_visible(), selector
    assert page.locator("h1").is_visible()
    source = page.locator("a.source-link").first
    printed = source.evaluate("(link) => getComputedStyle(link, '::after').content")
    assert source.get_attribute("href") in printed
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"detail-{language}-print.png", full_page=True)
