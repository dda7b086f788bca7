import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long password for the press officer"


@pytest.fixture
def admin_language():
    return "en"


@pytest.fixture
def admin_page(page, live_server, admin_language):
    """A browser page logged in to the admin, in the admin language (English unless a test says)."""
    get_user_model().objects.create_superuser("officer", "officer@example.org", PASSWORD)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": admin_language, "url": live_server.url}]
    )
    page.goto(reverse("admin:login"))
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_be_visible()
    return page


@pytest.fixture
def add_page(admin_page):
    errors = []
    admin_page.on("pageerror", lambda error: errors.append(error))
    admin_page.goto(reverse("admin:communiques_communique_add"))
    yield admin_page
    assert errors == []


def test_language_tabs_render_and_switch_to_the_french_title(add_page):
    page = add_page

    expect(page.locator(".ui-tabs").first).to_be_visible()
    expect(page.locator("#id_title_fr")).to_be_hidden()

    page.click('a[href="#tab_id_title_fr"]')

    expect(page.locator("#id_title_fr")).to_be_visible()
    expect(page.locator("#id_title_en")).to_be_hidden()


@pytest.mark.parametrize(
    ("admin_language", "language", "text", "direction"),
    [
        ("en", "fa_af", "اعلامیهٔ مطبوعاتی", "rtl"),
        ("en", "ps", "مطبوعاتي اعلامیه", "rtl"),
        ("en", "fr", "Communiqué de presse", "ltr"),
        ("fa-af", "fr", "Communiqué de presse", "ltr"),
        ("fa-af", "en", "Press release", "ltr"),
    ],
)
def test_a_title_input_is_written_in_the_direction_of_its_language(
    add_page, language, text, direction
):
    page = add_page
    page.click(f'a[href="#tab_id_title_{language}"]')
    title = page.locator(f"#id_title_{language}")

    title.fill(text)

    assert title.input_value() == text
    assert title.evaluate("element => getComputedStyle(element).direction") == direction


def test_the_slug_follows_the_english_title_or_else_the_french_one(add_page):
    page = add_page
    slug = page.locator("#id_slug")

    page.click('a[href="#tab_id_title_fr"]')
    page.locator("#id_title_fr").fill("Réunion de la coalition")
    assert slug.input_value() == "reunion-de-la-coalition"

    page.click('a[href="#tab_id_title_en"]')
    page.locator("#id_title_en").fill("Coalition meeting")
    assert slug.input_value() == "coalition-meeting"
