import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from communiques.models import Communique
from tests.browser.conftest import ADMIN_PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = ADMIN_PASSWORD
ACTIVE = re.compile(r"\bactive\b")


@pytest.fixture
def admin_language():
    return "en"


@pytest.fixture
def add_page(page, live_server, admin_language):
    """The add form of a communiqué, logged in, in the admin language (English unless told)."""
    get_user_model().objects.create_superuser("officer", "officer@example.org", PASSWORD)
    sign_in(page, live_server, "officer", admin_language)
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    page.goto(reverse("admin:communiques_communique_add"))
    yield page
    assert errors == []


def editor(page, field):
    return page.locator(f".prose-editor:has(#id_{field})")


def editable(page, field):
    return editor(page, field).locator("[contenteditable=true]")


def toolbar_button(page, field, name):
    return editor(page, field).locator(f'.prose-menubar__button[data-name="{name}"]')


def direction(locator):
    return locator.evaluate("element => getComputedStyle(element).direction")


def test_a_dari_body_is_typed_right_to_left_made_bold_and_saved_with_its_date_token(add_page):
    page = add_page
    page.click('a[href="#tab_id_body_fa_af"]')
    dari = editable(page, "body_fa_af")
    expect(dari).to_be_visible()
    assert direction(dari) == "rtl"
    expect(dari).to_have_attribute("lang", "fa-AF")

    dari.click()
    bold = toolbar_button(page, "body_fa_af", "bold")
    bold.click()
    expect(bold).to_have_class(ACTIVE)
    page.keyboard.type("نشست ائتلاف")
    page.keyboard.press("ControlOrMeta+B")
    expect(bold).not_to_have_class(ACTIVE)
    page.keyboard.type(" [[2019-06-25|long]]")

    # The token is shown left to right, as typed, not mirrored by the Dari around it.
    expect(dari.locator(".date-token")).to_have_text("[[2019-06-25|long]]")
    assert direction(dari.locator(".date-token")) == "ltr"

    page.click('a[href="#tab_id_body_fr"]')
    expect(dari).to_be_hidden()
    french = editable(page, "body_fr")
    assert direction(french) == "ltr"
    french.click()
    page.keyboard.type("Réunion de la coalition.")

    page.click('a[href="#tab_id_title_fa_af"]')
    page.fill("#id_title_fa_af", "نشست ائتلاف بین‌المللی")
    page.fill("#id_slug", "reunion-de-la-coalition")
    page.click('input[name="_save"]')

    expect(page.locator(".messagelist .success")).to_be_visible()
    communique = Communique.objects.get()
    assert communique.body_fa_af == "<p><strong>نشست ائتلاف</strong> [[2019-06-25|long]]</p>"
    assert communique.body_fr == "<p>Réunion de la coalition.</p>"


BODY_FIELDS = (
    ("body_fa_af", "fa-AF", "rtl"),
    ("body_ps", "ps", "rtl"),
    ("body_fr", "fr", "ltr"),
    ("body_en", "en", "ltr"),
)


@pytest.mark.parametrize(("admin_language", "toolbar_direction"), [("fr", "ltr"), ("fa-af", "rtl")])
def test_each_body_editor_works_in_its_tab_in_its_language_direction(add_page, toolbar_direction):
    page = add_page
    for field, tag, text_direction in BODY_FIELDS:
        area = editable(page, field)

        page.click(f'a[href="#tab_{field.replace("body", "id_body")}"]')

        expect(area).to_be_visible()
        expect(area).to_have_attribute("lang", tag)
        assert direction(area) == text_direction
        assert area.evaluate("element => getComputedStyle(element).textAlign") == "start"
        # The toolbar is part of the admin's interface: it follows the admin's direction.
        assert direction(editor(page, field).locator(".prose-menubar")) == toolbar_direction
        # Initialised while its tab was hidden, the editor takes typing once the tab is shown.
        area.click()
        page.keyboard.type("Texte")
        assert page.locator(f"#id_{field}").input_value() == "<p>Texte</p>"


@pytest.mark.parametrize("admin_language", ["fa-af"])
def test_a_link_made_in_the_editor_reaches_the_page_with_rel_noopener_noreferrer(
    add_page, live_server
):
    page = add_page
    page.click('a[href="#tab_id_body_fa_af"]')
    area = editable(page, "body_fa_af")
    area.click()
    page.keyboard.type("وزارت خارجه")
    page.keyboard.press("ControlOrMeta+A")

    toolbar_button(page, "body_fa_af", "link").click()
    address = page.locator(".prose-editor-dialog input[name=href]")
    expect(address).to_be_visible()
    # An address is Latin text, even in a right-to-left admin.
    assert direction(address) == "ltr"
    address.fill("https://mfa.gov.af/")
    page.locator(".prose-editor-dialog button[type=submit]").click()

    expect(area.locator("a")).to_have_attribute("href", "https://mfa.gov.af/")
    page.click('a[href="#tab_id_title_fa_af"]')
    page.fill("#id_title_fa_af", "وزارت خارجه")
    page.fill("#id_slug", "ministry")
    page.select_option("#id_status", Communique.Status.PUBLISHED)
    page.fill("#id_published_at_0", "2019-06-25")
    page.fill("#id_published_at_1", "10:00")
    page.click('input[name="_save"]')
    expect(page.locator(".messagelist .success")).to_be_visible()

    with translation.override("fa-af"):
        page.goto(live_server.url + Communique.objects.get().get_absolute_url())

    link = page.locator(".communique-body a")
    expect(link).to_have_attribute("href", "https://mfa.gov.af/")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(link).not_to_have_attribute("target", re.compile(".*"))
