import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from communiques.dates import format_dual
from communiques.models import Communique
from tests.browser.conftest import ADMIN_PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = ADMIN_PASSWORD


@pytest.fixture
def dari_add_page(page, live_server):
    """The add form of a communiqué, in an admin logged in and speaking Dari."""
    get_user_model().objects.create_superuser("officer", "officer@example.org", PASSWORD)
    sign_in(page, live_server, "officer", "fa-af")
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    page.goto(reverse("admin:communiques_communique_add"))
    yield page
    assert errors == []


def test_typing_a_solar_date_shows_it_in_both_calendars_before_saving(dari_add_page):
    page = dari_add_page
    display = page.locator('output[for="id_event_date"]')
    expect(display).to_be_empty()

    page.locator("#id_event_date").press_sequentially("1398/04/04")

    expect(display).to_have_text("۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸")
    assert not Communique.objects.exists()


def test_persian_digits_in_the_publication_date_are_read_too(dari_add_page):
    page = dari_add_page

    page.locator("#id_published_at_0").press_sequentially("۱۳۹۸/۰۴/۱۷")

    expect(page.locator('output[for="id_published_at_0"]')).to_have_text(
        "۸ جولای ۲۰۱۹ / ۱۷ سرطان ۱۳۹۸"
    )


def test_a_date_that_does_not_exist_is_explained_once_the_input_is_left(dari_add_page):
    page = dari_add_page
    display = page.locator('output[for="id_event_date"]')
    event_date = page.locator("#id_event_date")

    event_date.press_sequentially("1398/12/31")
    # While typing, a date not yet complete is no error.
    expect(display).to_be_empty()
    event_date.press("Tab")

    expect(display).to_have_text("تاریخ هجری شمسی 1398/12/31 وجود ندارد: ماه و روز را بررسی کنید.")
    expect(display).to_have_class("dual-date dual-date-error")

    event_date.fill("")
    event_date.press_sequentially("1399/12/30")
    expect(display).to_have_text("۲۰ مارچ ۲۰۲۱ / ۳۰ حوت ۱۳۹۹")
    expect(display).to_have_class("dual-date")


def test_the_today_shortcut_of_the_admin_still_works_and_updates_the_display(dari_add_page):
    page = dari_add_page
    event_date = page.locator("#id_event_date")

    page.locator(".field-event_date .datetimeshortcuts a").first.click()

    expect(event_date).not_to_have_value("")
    today = dt.date.fromisoformat(event_date.input_value())
    expect(page.locator('output[for="id_event_date"]')).to_have_text(format_dual(today, "fa-af"))
