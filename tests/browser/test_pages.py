import pytest

from tests.factories import CommuniqueFactory, ImageFactory, SourceLinkFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FONT_LOADED = """async () => {
    await document.fonts.ready;
    return [...document.fonts].some(
        (face) => face.family.replaceAll('"', "") === "Vazirmatn" && face.status === "loaded"
    );
}"""


def direction(page, selector):
    return page.locator(selector).evaluate("(element) => getComputedStyle(element).direction")


@pytest.fixture
def communique():
    communique = CommuniqueFactory()
    ImageFactory(communique=communique)
    SourceLinkFactory(communique=communique)
    return communique


def test_dari_page_reads_right_to_left_in_vazirmatn(page, communique):
    page.goto(f"/fa-af/communiques/{communique.slug}/")

    assert direction(page, "article") == "rtl"
    assert page.evaluate(FONT_LOADED)
    font = page.locator("h1").evaluate("(element) => getComputedStyle(element).fontFamily")
    assert font.replace('"', "").startswith("Vazirmatn,")


def test_french_page_reads_left_to_right(page, communique):
    page.goto(f"/fr/communiques/{communique.slug}/")

    assert direction(page, "article") == "ltr"
    assert page.locator("html").get_attribute("lang") == "fr"


def test_language_switcher_takes_the_reader_from_dari_to_french(page, communique):
    page.goto(f"/fa-af/communiques/{communique.slug}/")

    page.locator('.language-switcher a[hreflang="fr"]').click()

    page.wait_for_url(f"**/fr/communiques/{communique.slug}/")
    assert page.locator("h1").inner_text() == communique.title_fr
    assert direction(page, "article") == "ltr"


def test_skip_link_moves_focus_to_the_main_content(page, communique):
    page.goto(f"/fa-af/communiques/{communique.slug}/")
    skip_link = page.locator(".skip-link")
    assert skip_link.bounding_box()["y"] < 0

    page.keyboard.press("Tab")
    assert skip_link.evaluate("(element) => element === document.activeElement")
    assert skip_link.bounding_box()["y"] >= 0

    page.keyboard.press("Enter")

    assert page.evaluate("() => document.activeElement.id") == "main"


# Counts the calls instead of opening the print dialog, which would block a headless browser.
STUB_PRINT = "window.print = () => { window.printCalls = (window.printCalls || 0) + 1; };"


def test_print_button_appears_with_javascript_and_prints_the_page(page, communique):
    page.add_init_script(STUB_PRINT)
    page.goto(f"/fa-af/communiques/{communique.slug}/")
    button = page.locator(".print-button")
    assert button.is_visible()
    assert page.evaluate("window.printCalls") is None

    button.click()

    assert page.evaluate("window.printCalls") == 1


def test_print_button_stays_hidden_without_javascript(browser, live_server, communique):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()

    page.goto(f"/fa-af/communiques/{communique.slug}/")

    assert page.locator(".print-button").count() == 1
    assert not page.locator(".print-button").is_visible()
    context.close()
