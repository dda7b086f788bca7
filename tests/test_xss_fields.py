"""Script typed into any field of the admin never runs on a public page, nor in a feed.

Field by field, a payload is saved through the real admin forms (client.post), then the public
pages that show the field are read as an anonymous reader reads them: the communiqué's page, the
list, search results, the category's page, the feeds and the page's JSON-LD. None may hold an
element, attribute or address that runs script (tests/active_content.py), and the plain-text
fields show the payload as text, escaped.
"""

import xml.etree.ElementTree as ElementTree

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from communiques.models import Category, Communique
from tests.active_content import active_content, json_ld, page_active_content
from tests.test_admin import ADD_URL, add_inline_form, change_url, form_data, new_communique_data
from tests.test_admin import speak as speak_admin
from tests.test_images import photo

pytestmark = pytest.mark.django_db

# Closes an attribute and an element, then tries a script, an event handler and a script address.
PAYLOAD = (
    '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    '<a href="javascript:alert(3)">Zanzibar</a>'
)
# Valid for Django's URLValidator, which allows quotes and angle brackets in a path.
URL_PAYLOAD = 'https://www.diplomatie.gouv.fr/fr/?q="><script>alert(1)</script>'
# A quoted local part may hold angle brackets: Django's EmailValidator accepts it.
EMAIL_PAYLOAD = '"<script>alert(1)</script>"@example.org'
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


@pytest.fixture
def editor(admin_client):
    return speak_admin(admin_client, "en")


def post_category(client, name_fr):
    response = client.post(
        reverse("admin:communiques_category_add"),
        {"name_fa_af": "سفر", "name_fr": name_fr, "slug": "visites"},
    )
    assert response.status_code == 302
    return Category.objects.get(slug="visites")


def post_site_settings(client, **values):
    data = {"name_fa_af": "سفارت فرانسه", "name_fr": "Ambassade de France", **values}
    response = client.post(reverse("admin:communiques_sitesettings_add"), data)
    assert response.status_code == 302


def post_communique(client, category, **values):
    """Add a published communiqué in Dari and French, with a photo and a link, as typed."""
    image_values = {
        "alt_text_fr": values.pop("alt_text_fr", "Photo de la réunion"),
        "caption_fr": values.pop("caption_fr", "La réunion"),
        "credit": values.pop("credit", "MEAE"),
    }
    link_values = {
        "url": values.pop("url", "https://www.diplomatie.gouv.fr/fr/"),
        "label_fr": values.pop("label_fr", "Pour en savoir plus"),
    }
    page = client.get(ADD_URL)
    typed = {
        "category": str(category.pk),
        "title_fr": "Réunion de la coalition Zanzibar",
        "lead_fr": "Le chapô.",
        "place_fr": "Kaboul",
        **values,
    }
    data = new_communique_data(page, **typed)
    add_inline_form(
        page,
        data,
        "images",
        file=SimpleUploadedFile("photo.png", photo((64, 48))),
        alt_text_fa_af="عکس جلسه",
        after_paragraph="1",
        **image_values,
    )
    add_inline_form(page, data, "links", **link_values)
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Communique.objects.get()


def post_change(client, communique, **values):
    data = form_data(client.get(change_url(communique)))
    data.update(values)
    response = client.post(change_url(communique), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    communique.refresh_from_db()


def with_change_note(client, communique):
    post_change(client, communique, body_fr="<p>Texte complété.</p>", change_note_fr=PAYLOAD)


def withdrawn_with_notice(client, communique):
    post_change(
        client,
        communique,
        status=Communique.Status.WITHDRAWN,
        withdrawal_kind=Communique.WithdrawalKind.NOTICE,
        withdrawal_reason_fa_af="دلیل",
        withdrawal_reason_fr=PAYLOAD,
    )


# field: (where it is typed, what it is, whether the public lists still show the communiqué)
FIELDS = {
    "title": ("communique", {"title_fr": f"Zanzibar {PAYLOAD}"}),
    "subtitle": ("communique", {"subtitle_fr": PAYLOAD}),
    "lead": ("communique", {"lead_fr": PAYLOAD}),
    "body": ("communique", {"body_fr": f"<p>{PAYLOAD}</p><svg onload=alert(4)></svg>"}),
    "place": ("communique", {"place_fr": PAYLOAD}),
    "image alternative text": ("communique", {"alt_text_fr": PAYLOAD}),
    "image caption": ("communique", {"caption_fr": PAYLOAD}),
    "image credit": ("communique", {"credit": PAYLOAD}),
    "link label": ("communique", {"label_fr": PAYLOAD}),
    "link address": ("communique", {"url": URL_PAYLOAD}),
    "change note": ("change note", {}),
    "withdrawal reason": ("withdrawal", {}),
    "category name": ("category", {}),
    "site name": ("site", {"name_fr": PAYLOAD}),
    "site tagline": ("site", {"tagline_fr": PAYLOAD}),
    "press contact": ("site", {"contact_email": EMAIL_PAYLOAD}),
}
# What each field shows as text on the communiqué's page, escaped: the body is rich text,
# sanitised rather than escaped.
SHOWN_AS_TEXT = {
    "body": None,
    "link address": URL_PAYLOAD,
    "press contact": EMAIL_PAYLOAD,
}


def fr(name, **kwargs):
    with translation.override("fr"):
        return reverse(f"communiques:{name}", kwargs=kwargs or None)


def feed_texts(content, atom):
    """Return (text, is_html) for each element of a feed whose text a reader shows."""
    root = ElementTree.fromstring(content)
    texts = []
    for element in root.iter():
        tag = element.tag
        if not element.text:
            continue
        if atom:
            # Atom says which texts are HTML; the others are plain text.
            texts.append((element.text, element.get("type") == "html"))
        elif tag in ("description", CONTENT, "title"):
            # RSS readers read titles and descriptions as HTML.
            texts.append((element.text, True))
        else:
            texts.append((element.text, False))
    return texts


@pytest.mark.parametrize("field", FIELDS)
def test_script_typed_in_any_field_never_runs_on_a_public_page_and_shows_as_text(
    client, editor, field
):
    where, values = FIELDS[field]
    post_site_settings(editor, **(values if where == "site" else {}))
    category = post_category(editor, PAYLOAD if where == "category" else "Visites")
    communique = post_communique(editor, category, **(values if where == "communique" else {}))
    if where == "change note":
        with_change_note(editor, communique)
    elif where == "withdrawal":
        withdrawn_with_notice(editor, communique)
    client.logout()
    listed = where != "withdrawal"

    detail = client.get(fr("detail", slug=communique.slug))
    pages = {
        "detail": detail,
        "list": client.get(fr("index")),
        "search": client.get(fr("search"), {"q": "Zanzibar"}),
        "category": client.get(fr("category", slug=category.slug)),
        "detail in Dari": client.get(reverse("communiques:detail", args=[communique.slug])),
    }
    if listed:
        # A month without communiqués has no archive page.
        pages["archive"] = client.get(fr("archive-month", year=2019, month=6))

    for name, response in pages.items():
        assert response.status_code == 200, name
        html = response.content.decode()
        assert page_active_content(html) == [], name
        for document in json_ld(html):
            assert document["@type"] == "NewsArticle"
    shown = SHOWN_AS_TEXT.get(field, PAYLOAD)
    if shown is not None:
        assert escape(shown) in detail.content.decode()
    if field == "title":
        (article,) = json_ld(detail.content.decode())
        assert article["headline"] == f"Zanzibar {PAYLOAD}"
    if listed:
        assert communique in pages["search"].context["communiques"]
        assert communique in pages["list"].context["communiques"]

    for feed, atom in (("feed-rss", False), ("feed-atom", True)):
        response = client.get(fr(feed))
        assert response.status_code == 200
        texts = feed_texts(response.content, atom)
        assert any("Réunion" in text or "Zanzibar" in text for text, _html in texts) == listed
        for text, is_html in texts:
            if is_html:
                assert active_content(text) == [], (feed, text)
