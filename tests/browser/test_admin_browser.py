import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import ADMIN_PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = ADMIN_PASSWORD


@pytest.fixture
def admin_language():
    return "en"


@pytest.fixture
def admin_page(page, live_server, admin_language):
    """A browser page logged in to the admin, in the admin language (English unless a test says)."""
    get_user_model().objects.create_superuser("officer", "officer@example.org", PASSWORD)
    return sign_in(page, live_server, "officer", admin_language)


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


@pytest.fixture
def translator_page(page, live_server):
    """A browser page logged in to the admin, in English, as the French translator."""
    from communiques.permissions import assign_role, setup_roles, translator_group_name

    setup_roles()
    user = get_user_model().objects.create_user("farid", password=PASSWORD, is_staff=True)
    assign_role(user, translator_group_name("fr"))
    return sign_in(page, live_server, "farid")


def test_a_translator_types_in_their_tab_and_reads_the_original_rendered_beside_it(
    translator_page,
):
    from tests.browser.test_screenshots import SCREENSHOTS
    from tests.factories import CommuniqueFactory

    page = translator_page
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    communique = CommuniqueFactory(
        body_fa_af="<p>نشست <strong>ائتلاف</strong> در پاریس برگزار شد.</p><p>پاراگراف دوم.</p>"
    )
    page.goto(reverse("admin:communiques_communique_change", args=[communique.pk]))

    # Their own language is open, though the admin speaks English.
    expect(page.locator("#id_title_fr")).to_be_visible()
    expect(page.locator("#id_title_en")).to_be_hidden()
    page.click('a[href="#tab_id_body_fa_af"]')
    original = page.locator("#id_body_fa_af")
    expect(original).to_be_visible()
    expect(original.locator("p")).to_have_count(2)
    expect(original.locator("strong")).to_have_text("ائتلاف")
    assert original.evaluate("element => getComputedStyle(element).direction") == "rtl"
    assert original.get_attribute("lang") == "fa-AF"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("fieldset", has=original).screenshot(
        path=SCREENSHOTS / "admin-translator-fr-reads-dari.png"
    )
    assert errors == []
