from pathlib import Path

import pytest
from playwright.sync_api import expect

from communiques.importers import communique_import

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE = (
    Path(__file__).resolve().parents[2] / "demo" / "coalition-against-daesh-2019-06-25.fa-AF.txt"
)


@pytest.fixture
def sample():
    return communique_import(path=SAMPLE, language="fa-af", publish=True).communique


@pytest.mark.parametrize(
    ("query", "marked"),
    [
        ("داعش", "داعش"),
        # The sample writes its years in Persian digits.
        ("2019", "۲۰۱۹"),
    ],
)
def test_the_search_box_of_the_header_finds_the_sample(page, sample, query, marked):
    page.goto("/fa-af/")

    box = page.locator('header form[role="search"] input[name="q"]')
    box.fill(query)
    box.press("Enter")

    page.wait_for_url("**/fa-af/search/?q=*")
    results = page.locator(".search-results .summary-title a")
    expect(results).to_have_count(1)
    expect(results).to_have_text(sample.title_fa_af)
    expect(page.locator(".search-results mark").first).to_have_text(marked)
    # The search page offers its own box, with the query, in place of the header's.
    expect(page.locator('form[role="search"]')).to_have_count(1)
    expect(page.locator("#search-query")).to_have_value(query)


def test_the_search_page_reads_right_to_left_in_dari(page, sample):
    page.goto("/fa-af/search/?q=داعش")

    direction = page.locator(".search-results").evaluate(
        "(element) => getComputedStyle(element).direction"
    )
    assert direction == "rtl"
