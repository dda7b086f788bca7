"""axe-core, run in the page, finds nothing wrong with the public pages, in Dari and in French.

Every rule axe runs by default counts, whatever its impact: WCAG 2.x A and AA, and the best
practices (landmarks, heading order, one main…). The script is vendored in tests/browser/vendor.

axe's own contrast rule passes over right-to-left text: its test for icon fonts draws a text's
first letter alone and the text clipped to that letter's width, and in Persian script the two
never match (the letter joins its neighbours, and the run starts from the other side). After three
such texts it takes Vazirmatn for an icon font and checks no Dari or Pashto text at all. The rule
added here runs the same contrast check on every element that has text, whatever its script.
"""

from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from communiques import dates
from communiques.views import archive_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"

PAGES = ["list", "detail", "archive", "category", "not found", "search"]


def search_address(communique):
    try:
        address = reverse("communiques:search")
    except NoReverseMatch:
        pytest.skip("The search page does not exist yet: communiques:search does not resolve.")
    return f"{address}?q=2019"


def archive_address(communique):
    """Return the archive of the sample's month, in the reader's calendar."""
    calendar = dates.archive_calendar(translation.get_language())
    year, month = dates.archive_month(timezone.localtime(communique.published_at), calendar)
    return archive_url(calendar, year, month)


ADDRESSES = {
    "list": lambda communique: reverse("communiques:index"),
    "detail": lambda communique: communique.get_absolute_url(),
    "archive": archive_address,
    "category": lambda communique: reverse(
        "communiques:category", kwargs={"slug": communique.category.slug}
    ),
    "not found": lambda communique: reverse("communiques:index") + "nothing-here/",
    "search": search_address,
}


CONTRAST_IN_EVERY_SCRIPT = """() => axe.configure({
    rules: [{
        id: "color-contrast-every-script",
        selector: "*",
        matches: (element) => [...element.childNodes].some(
            (child) => child.nodeType === Node.TEXT_NODE && child.nodeValue.trim()
        ),
        any: ["color-contrast"],
        tags: ["cat.color", "wcag2aa", "wcag143"],
        impact: "serious",
        metadata: {
            description: "Text in any script, right-to-left included, has enough contrast",
            help: "Elements must meet minimum color contrast ratio thresholds",
        },
    }],
})"""


def violations(page):
    """Run axe in the page; return each rule it finds broken, with the elements that break it."""
    # Through the DevTools protocol, which the page's Content-Security-Policy does not govern: a
    # script tag added to the page (add_script_tag) would be refused, as any inline script.
    page.evaluate(AXE.read_text())
    page.evaluate(CONTRAST_IN_EVERY_SCRIPT)
    results = page.evaluate("axe.run()")
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "elements": [node["target"] for node in violation["nodes"]],
        }
        for violation in results["violations"]
    ]


@pytest.mark.parametrize("language", ["fa-af", "fr"])
@pytest.mark.parametrize("name", PAGES)
def test_public_page_has_no_accessibility_violations(page, demo_site, language, name):
    with translation.override(language):
        address = ADDRESSES[name](demo_site)

    response = page.goto(address)

    assert response.status == (404 if name == "not found" else 200)
    # Fonts change the text's size and so the contrast axe measures: check the page as read.
    page.evaluate("document.fonts.ready")
    assert violations(page) == []


@pytest.mark.parametrize("language", ["fa-af", "fr"])
def test_detail_page_on_a_phone_has_no_accessibility_violations(page, demo_site, language):
    page.set_viewport_size({"width": 390, "height": 844})
    with translation.override(language):
        page.goto(demo_site.get_absolute_url())

    assert violations(page) == []


@pytest.mark.parametrize("language", ["fa-af", "ps", "fr"])
def test_the_contrast_check_sees_text_in_every_script(page, demo_site, language):
    with translation.override(language):
        page.goto(demo_site.get_absolute_url())
    # The positive control: a pale title must be found, in Persian script as in Latin.
    page.locator("h1").evaluate("(title) => { title.style.color = '#ccc'; }")

    found = {violation["rule"]: violation["elements"] for violation in violations(page)}

    assert found["color-contrast-every-script"] == [["h1"]]
