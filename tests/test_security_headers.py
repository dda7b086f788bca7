"""The security headers every answer carries: the Content-Security-Policy (strict on public
pages, which run scripts from files only; the admin adds a per-request nonce for the body
editor's import map), HSTS, Referrer-Policy, X-Content-Type-Options and X-Frame-Options."""

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from communiques import views
from tests.factories import CommuniqueFactory, ImageFactory
from tests.test_views import detail_url, url

pytestmark = pytest.mark.django_db

PUBLIC_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def policy(response, header="Content-Security-Policy"):
    """Return the policy of an answer as {directive: [sources]}."""
    directives = (part.split() for part in response[header].split(";") if part.strip())
    return {name: sources for name, *sources in directives}


@pytest.fixture
def communique():
    communique = CommuniqueFactory(slug="coalition", title_fr="La coalition se réunit")
    ImageFactory(communique=communique)
    return communique


def public_addresses(communique):
    return {
        "list": url("index", "fr"),
        "communiqué": detail_url(communique, "fr"),
        "Dari communiqué": detail_url(communique, "fa-af"),
        "archive": url("archive-year", "fr", year=communique.published_at.year),
        "category": url("category", "fr", slug=communique.category.slug),
        "search": url("search", "fr") + "?q=coalition",
        "RSS feed": url("feed-rss", "fr"),
        "Atom feed": url("feed-atom", "fr"),
        "sitemap": "/sitemap.xml",
        "robots.txt": "/robots.txt",
        "not found": "/fr/communiques/nowhere/",
    }


ADDRESS_NAMES = [
    "list",
    "communiqué",
    "Dari communiqué",
    "archive",
    "category",
    "search",
    "RSS feed",
    "Atom feed",
    "sitemap",
    "robots.txt",
    "not found",
]


@pytest.mark.parametrize("name", ADDRESS_NAMES)
def test_every_public_answer_carries_the_strict_policy_first_and_from_the_cache(
    client, communique, name
):
    address = public_addresses(communique)[name]

    first = client.get(address)
    cached = client.get(address)

    assert first.status_code in (200, 404)
    assert policy(first) == PUBLIC_POLICY
    assert policy(cached) == PUBLIC_POLICY
    assert "unsafe-inline" not in first["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
        ("Referrer-Policy", "same-origin"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ],
)
@pytest.mark.parametrize("name", ["list", "communiqué", "RSS feed", "not found"])
def test_every_public_answer_over_https_carries_the_security_headers(
    client, communique, name, header, value
):
    address = public_addresses(communique)[name]

    assert client.get(address, secure=True)[header] == value
    # And from the cache, where the page was stored with its own headers.
    assert client.get(address, secure=True)[header] == value


def test_hsts_is_sent_over_https_only(client, communique):
    # A browser ignores it over plain HTTP; the proxy redirects HTTP to HTTPS first.
    assert "Strict-Transport-Security" not in client.get(url("index", "fr"))


class Markup(HTMLParser):
    """What a page could run or style inline: script elements, style elements and attributes."""

    def __init__(self):
        super().__init__()
        self.scripts = []
        self.inline_styles = []
        self.handlers = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs)
        if tag == "style" or "style" in attrs:
            self.inline_styles.append((tag, attrs))
        self.handlers.extend(name for name in attrs if name.startswith("on"))


@pytest.mark.parametrize(
    "name", ["list", "communiqué", "Dari communiqué", "archive", "category", "search", "not found"]
)
def test_public_pages_run_scripts_from_files_only_and_style_from_stylesheets(
    client, communique, name
):
    response = client.get(public_addresses(communique)[name])
    markup = Markup()
    markup.feed(response.text)

    inline = [s for s in markup.scripts if "src" not in s]
    # JSON-LD is data, which the browser never runs: script-src does not apply to it.
    assert all(s.get("type") == "application/ld+json" for s in inline)
    assert markup.inline_styles == []
    assert markup.handlers == []


def test_the_communique_page_runs_its_print_script_from_a_file(client, communique):
    markup = Markup()
    markup.feed(client.get(detail_url(communique, "fr")).text)

    assert [s["src"] for s in markup.scripts if "src" in s] == ["/static/js/print.js"]
    assert [s.get("type") for s in markup.scripts if "src" not in s] == ["application/ld+json"]


def test_the_admin_change_form_allows_its_import_map_by_a_nonce_of_its_own(login, communique):
    editor = login("editor")
    change_url = reverse("admin:communiques_communique_change", args=[communique.pk])

    first = editor.get(change_url)
    second = editor.get(change_url)

    nonces = []
    for response in (first, second):
        sources = policy(response)["script-src"]
        [nonce] = [s[len("'nonce-") : -1] for s in sources if s.startswith("'nonce-")]
        assert sources[0] == "'self'" and "'unsafe-inline'" not in sources
        assert re.search(rf'<script type="importmap" nonce="{re.escape(nonce)}">', response.text)
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
    assert policy(first)["frame-ancestors"] == ["'none'"]


def test_admin_pages_without_the_editor_need_no_nonce(login):
    response = login("editor").get(reverse("admin:index"))

    assert policy(response)["script-src"] == ["'self'"]


def test_the_public_pages_never_carry_a_nonce_even_for_staff(login, communique):
    # Public pages are cached whole: a nonce in them would be the same for every reader.
    response = login("editor").get(detail_url(communique, "fr"))

    assert policy(response) == PUBLIC_POLICY
    assert "nonce" not in response.text


def test_the_500_page_keeps_its_own_inline_style_and_nothing_else(monkeypatch, communique):
    def fail(self):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(views.CommuniqueListView, "get_queryset", fail)
    response = Client(raise_request_exception=False).get(url("index", "fr"))

    assert response.status_code == 500
    [style] = re.findall(r"<style>(.*?)</style>", response.text, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert policy(response)["style-src"] == ["'self'", f"'sha256-{digest}'"]
    assert policy(response)["script-src"] == ["'self'"]
