"""The Content-Security-Policy, as Chromium enforces it: nothing a page needs is refused.

Each page records the violations the browser reports (the `securitypolicyviolation` event,
listened to by a script the browser injects itself, which the policy does not govern).
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from tests.browser.conftest import ADMIN_PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = ADMIN_PASSWORD
LISTEN = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
});
"""


@pytest.fixture
def watched(page):
    page.add_init_script(LISTEN)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def violations():
        return page.evaluate("window.cspViolations") + errors

    return violations


def public(name, language, **kwargs):
    with translation.override(language):
        return reverse(f"communiques:{name}", kwargs=kwargs or None)


@pytest.mark.parametrize("language", ["fa-af", "fr"])
def test_public_pages_load_everything_under_the_strict_policy(page, watched, demo_site, language):
    addresses = [
        public("index", language),
        public("detail", language, slug=demo_site.slug),
        public("search", language) + "?q=coalition",
        public("category", language, slug=demo_site.category.slug),
        f"/{language}/nowhere/",
    ]
    for address in addresses:
        page.goto(address)
        page.wait_for_load_state("networkidle")
        assert watched() == [], address
    # The photos, the font and the stylesheet did load: the page is styled, the photo decoded.
    page.goto(public("detail", language, slug=demo_site.slug))
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.querySelector('figure img').naturalWidth") > 0
    assert page.evaluate("getComputedStyle(document.body).marginTop") == "0px"


def test_the_admin_change_form_works_under_its_policy(page, watched, demo_site, live_server):
    get_user_model().objects.create_superuser("editor", "editor@example.org", PASSWORD)
    sign_in(page, live_server, "editor")

    page.goto(reverse("admin:communiques_communique_change", args=[demo_site.pk]))
    # The tabs (jQuery UI), the body editor (an ES module through the import map) and the
    # dual-calendar dates all run.
    page.click('a[href="#tab_id_body_fr"]')
    body = page.locator(".prose-editor:has(#id_body_fr) [contenteditable=true]")
    expect(body).to_be_visible()
    body.click()
    page.keyboard.press("End")
    page.keyboard.type(" Ajout.")
    expect(body).to_contain_text("Ajout.")
    page.wait_for_load_state("networkidle")
    assert watched() == []

    for address in [
        reverse("admin:index"),
        reverse("admin:communiques_communique_changelist"),
        reverse("admin:communiques_communique_history", args=[demo_site.pk]),
    ]:
        page.goto(address)
        page.wait_for_load_state("networkidle")
        assert watched() == [], address
