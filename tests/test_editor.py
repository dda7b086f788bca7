"""The body's rich-text editor in the admin, and what the sanitiser makes of what it posts."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django_prose_editor.config import allowlist_from_extensions
from pytest_django.asserts import assertContains

from communiques import text
from communiques.forms import body_editor_extensions
from communiques.models import Communique
from tests.factories import CommuniqueFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:communiques_communique_add")
EDITOR_ATTRIBUTE = "data-django-prose-editor-configurable"
DIRECTIONS = [
    ("fa-af", "fa-AF", "rtl"),
    ("ps", "ps", "rtl"),
    ("fr", "fr", "ltr"),
    ("en", "en", "ltr"),
]
TITLES = {
    "fa-af": "نشست ائتلاف بین‌المللی",
    "ps": "د نړیوال ائتلاف غونډه",
    "fr": "Réunion de la coalition",
    "en": "Coalition meeting",
}

# What a browser could post as a body, whatever the editor offers: a crafted request needs no
# editor at all.
HOSTILE_BODY = (
    '<p style="color: red" onclick="alert(1)">Texte <strong>important</strong>.</p>'
    "<script>alert(2)</script>"
    '<img src="x" onerror="alert(3)">'
    '<p><a href="javascript:alert(4)">piège</a> '
    '<a href="https://www.diplomatie.gouv.fr/" target="_blank" style="color: red">source</a> '
    '<a href="mailto:presse@example.org">presse</a></p>'
    "<table><tr><td>cellule</td></tr></table>"
    '<p><span style="background: yellow">couleur</span></p>'
)
SANITISED_BODY = (
    "<p>Texte <strong>important</strong>.</p>"
    '<p><a rel="noopener noreferrer">piège</a> '
    '<a href="https://www.diplomatie.gouv.fr/" rel="noopener noreferrer">source</a> '
    '<a href="mailto:presse@example.org" rel="noopener noreferrer">presse</a></p>'
    "cellule"
    "<p><span>couleur</span></p>"
)


def speak(client, language):
    """Choose the admin's language the way a browser does: the admin is not under i18n_patterns."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


class _Textareas(HTMLParser):
    def __init__(self):
        super().__init__()
        self.textareas = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "textarea":
            self.textareas[attributes["name"]] = attributes


def textareas(response):
    parser = _Textareas()
    parser.feed(response.content.decode())
    return parser.textareas


def add_form_data(client, **values):
    """Return what the add form posts with its inlines left empty, and the values given."""
    response = client.get(ADD_URL)
    data = {
        "original_language": settings.LANGUAGE_CODE,
        "status": Communique.Status.DRAFT,
        "outdated_translations": Communique.OutdatedTranslations.STAY_ONLINE,
    }
    for inline in response.context["inline_admin_formsets"]:
        for bound_field in inline.formset.management_form:
            data[bound_field.html_name] = bound_field.value()
    data.update(values)
    return data


def publish(client, language, body):
    """Post a new published communiqué in one language through the admin; return it, saved."""
    field = language.replace("-", "_")
    data = add_form_data(
        client,
        **{
            f"title_{field}": TITLES[language],
            f"body_{field}": body,
            "slug": "coalition-meeting",
            "status": Communique.Status.PUBLISHED,
            "published_at_0": "2019-06-25",
            "published_at_1": "10:00:00",
        },
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Communique.objects.get()


def public_body(client, communique, language):
    """Return the body of the public page of a language version, as the reader gets it."""
    with translation.override(language):
        response = client.get(communique.get_absolute_url())
    assert response.status_code == 200
    (body,) = re.findall(r'<div class="communique-body">(.*?)</div>', response.text, re.DOTALL)
    return response, body


class TestTheForm:
    @pytest.mark.parametrize("form", ["add", "change"])
    @pytest.mark.parametrize("admin_language", ["en", "fr"])
    @pytest.mark.parametrize(("language", "tag", "direction"), DIRECTIONS)
    def test_every_body_is_an_editor_in_the_direction_of_its_language(
        self, admin_client, form, admin_language, language, tag, direction
    ):
        communique = CommuniqueFactory()
        url = ADD_URL
        if form == "change":
            url = reverse("admin:communiques_communique_change", args=[communique.pk])

        response = speak(admin_client, admin_language).get(url)

        body = textareas(response)[f"body_{language.replace('-', '_')}"]
        assert EDITOR_ATTRIBUTE in body
        assert (body["lang"], body["dir"]) == (tag, direction)
        assert response.wsgi_request.LANGUAGE_CODE == admin_language

    @pytest.mark.parametrize(("language", "tag", "direction"), DIRECTIONS)
    def test_the_lead_stays_a_plain_textarea(self, admin_client, language, tag, direction):
        response = speak(admin_client, "en").get(ADD_URL)

        lead = textareas(response)[f"lead_{language.replace('-', '_')}"]
        assert EDITOR_ATTRIBUTE not in lead
        assert (lead["lang"], lead["dir"]) == (tag, direction)

    def test_the_page_loads_the_editor_from_our_static_files_and_its_language_script(
        self, admin_client
    ):
        response = speak(admin_client, "en").get(ADD_URL)

        # Each tag carries the request's nonce: the admin's CSP allows the inline import map by it.
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])[1]
        assertContains(response, f'<script type="importmap" nonce="{nonce}">')
        assertContains(
            response,
            f'<script src="/static/django_prose_editor/configurable.js" nonce="{nonce}" '
            'type="module"></script>',
            html=True,
        )
        assertContains(
            response,
            f'<script src="/static/communiques/admin/body_editor.js" nonce="{nonce}"></script>',
            html=True,
        )
        # Nothing from a CDN: the admin works offline and under a strict CSP.
        (importmap,) = re.findall(r'<script type="importmap"[^>]*>(.*?)</script>', response.text)
        addresses = [
            *json.loads(importmap)["imports"].values(),
            *re.findall(r'<(?:script|link)[^>]* (?:src|href)="([^"]*)"', response.text),
        ]
        assert all(
            address.startswith("/") and not address.startswith("//") for address in addresses
        )


def stripped_by_the_sanitiser(extensions):
    """Return what nh3 would strip of what editor extensions write: tags and tag.attribute pairs.

    What each extension writes is django-prose-editor's own account of it.
    """
    allowed = allowlist_from_extensions(extensions)
    stripped = {tag for tag in allowed["tags"] if tag not in text.ALLOWED_TAGS}
    for tag, attributes in allowed["attributes"].items():
        # nh3 writes rel itself, on every link.
        kept = text.ALLOWED_ATTRIBUTES.get(tag, set()) | text.GENERIC_ATTRIBUTES | {"rel"}
        stripped |= {f"{tag}.{attribute}" for attribute in attributes if attribute not in kept}
    return stripped


class TestTheEditorFollowsTheSanitiser:
    def test_the_editor_offers_only_markup_the_sanitiser_keeps(self, admin_client):
        response = speak(admin_client, "en").get(ADD_URL)
        config = json.loads(textareas(response)["body_fr"][EDITOR_ATTRIBUTE])

        # An ordered list always carries its numbering style, which nh3 strips; the editor does not
        # offer to change it, so the default it comes back with is what was there.
        assert stripped_by_the_sanitiser(config["extensions"]) == {
            "ol.start",
            "ol.type",
            "ol.data-type",
        }

    @pytest.mark.parametrize(
        "extensions",
        [
            ("Image",),
            ("Figure", "Caption", "Image"),
            ("Table", "TableRow", "TableHeader", "TableCell"),
            ("Color", "TextStyle"),
            ("Highlight", "TextStyle"),
            ("TextAlign", "TextStyle"),
            ("CodeBlock",),
        ],
        ids=lambda extensions: extensions[0],
    )
    def test_an_extension_writing_what_the_sanitiser_strips_would_be_caught(self, extensions):
        assert stripped_by_the_sanitiser(dict.fromkeys(extensions, True))

    def test_the_editor_offers_the_formatting_of_a_communique(self):
        extensions = body_editor_extensions()

        assert {
            "Bold",
            "Italic",
            "Underline",
            "Strike",
            "BulletList",
            "OrderedList",
            "ListItem",
            "Link",
            "Blockquote",
            "HardBreak",
        } <= extensions.keys()
        assert extensions["Heading"] == {"levels": [2, 3, 4]}
        assert extensions["Link"] == {"enableTarget": False}
        # Their start and style would be stripped: not offered.
        assert extensions["OrderedList"] == {"enableListAttributes": False}
        for stripped in ("Image", "Figure", "Table", "Color", "Highlight", "TextAlign", "HTML"):
            assert stripped not in extensions


class TestWhatTheEditorPosts:
    @pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
    def test_hostile_markup_is_stored_sanitised_and_never_reaches_the_page(
        self, admin_client, client, language
    ):
        communique = publish(admin_client, language, HOSTILE_BODY)

        with translation.override(language):
            assert communique.body == SANITISED_BODY
        response, body = public_body(client, communique, language)
        assert "alert(" not in response.text
        for active in ("<script", "onerror", "onclick", "javascript:", "<img", "style=", "<table"):
            assert active not in body

    def test_a_link_opens_without_giving_the_page_control_or_the_referrer(
        self, admin_client, client
    ):
        editor_html = '<p>Voir <a href="https://www.diplomatie.gouv.fr/">le ministère</a>.</p>'

        communique = publish(admin_client, "fr", editor_html)

        _response, body = public_body(client, communique, "fr")
        assert body.strip() == (
            '<p>Voir <a href="https://www.diplomatie.gouv.fr/" rel="noopener noreferrer">'
            "le ministère</a>.</p>"
        )

    @pytest.mark.parametrize(
        ("language", "shown"),
        [
            ("fa-af", "سه شنبه ۲۵ جون ۲۰۱۹ میلادی (۴ سرطان ۱۳۹۸ هجری شمسی)"),
            ("fr", "mardi 25 juin 2019 (4 Saratan 1398 de l’hégire solaire)"),
        ],
    )
    def test_a_date_token_is_stored_as_typed_and_shown_in_the_language(
        self, admin_client, client, language, shown
    ):
        editor_html = "<p><strong>Kabul</strong> [[2019-06-25|long]]</p>"

        communique = publish(admin_client, language, editor_html)

        with translation.override(language):
            assert communique.body == editor_html
        _response, body = public_body(client, communique, language)
        assert f'<time datetime="2019-06-25">{shown}</time>' in body
        assert "[[" not in body
