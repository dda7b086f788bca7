"""Hostile input typed into the admin, imported, or put in a public address.

Each gets a clear error in the user's language, or is made harmless, and nothing already stored
is lost; no public address answers 500, on SQLite as on PostgreSQL.
"""

import datetime as dt
import re
import xml.etree.ElementTree as ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from communiques.importers import CommuniqueImportError, communique_import
from communiques.models import Category, Communique, SiteSettings, SourceLink
from communiques.search import MAX_QUERY_LENGTH
from communiques.text import strip_hidden_characters
from tests.factories import CategoryFactory, CommuniqueFactory, SourceLinkFactory
from tests.test_admin import (
    ADD_URL,
    add_inline_form,
    change_url,
    form_data,
    new_communique_data,
    speak,
)
from tests.test_images import inline_errors
from tests.test_importers import FRENCH, FRENCH_TITLE, SAMPLE_URL

pytestmark = pytest.mark.django_db

RLO, PDF, RLE, LRI, PDI = "\u202e", "\u202c", "\u202b", "\u2066", "\u2069"
ZWSP, BOM, ZWNJ, ZWJ, LRM, RLM = "\u200b", "\ufeff", "\u200c", "\u200d", "\u200e", "\u200f"
TAG_A = "\U000e0061"  # an invisible tag character: text no reader sees


@pytest.fixture
def english_admin(admin_client):
    return speak(admin_client, "en")


# --- Characters that hide or disguise text ---------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        # "exe.jpg" that reads "gpj.exe" once reversed by the override.
        (f"Rapport{RLO}gpj.exe", "Rapportgpj.exe"),
        # Pasted from a messenger: an embedding around Dari words.
        (f"{RLE}نشست ائتلاف{PDF}", "نشست ائتلاف"),
        (f"Visite{LRI} officielle{PDI}", "Visite officielle"),
        (f"Vi{ZWSP}si{BOM}te{TAG_A}", "Visite"),
        ("Titre\x01\x0b\x1b\x7f\x85 officiel", "Titre officiel"),
        # Spelling and marks stay: می‌گردد, a joiner, direction marks.
        (f"می{ZWNJ}گردد{ZWJ} (NATO){LRM}{RLM}", f"می{ZWNJ}گردد{ZWJ} (NATO){LRM}{RLM}"),
    ],
)
def test_hidden_characters_are_removed_from_a_typed_title_and_spelling_stays(
    english_admin, typed, stored
):
    page = english_admin.get(ADD_URL)

    response = english_admin.post(ADD_URL, new_communique_data(page, title_fr=typed))

    assert response.status_code == 302
    assert Communique.objects.get().title_fr == stored


def test_hidden_characters_are_removed_from_every_text_of_the_communique_form(english_admin):
    page = english_admin.get(ADD_URL)
    data = new_communique_data(
        page,
        subtitle_fr=f"Sous-titre{RLO}",
        lead_fr=f"Chapô{ZWSP}\x0c",
        body_fr=f"<p>Texte{RLO} &#8238;et &#1;fin</p>",
        place_fr=f"Kab{BOM}oul",
    )
    add_inline_form(page, data, "links", url=SAMPLE_URL, label_fr=f"{RLO}fdp.exe")

    response = english_admin.post(ADD_URL, data)

    assert response.status_code == 302
    communique = Communique.objects.get()
    assert (communique.subtitle_fr, communique.lead_fr, communique.place_fr) == (
        "Sous-titre",
        "Chapô",
        "Kaboul",
    )
    assert communique.body_fr == "<p>Texte et fin</p>"
    assert communique.links.get().label_fr == "fdp.exe"


def test_hidden_characters_are_removed_from_category_names_and_site_settings(english_admin):
    category = english_admin.post(
        reverse("admin:communiques_category_add"),
        {
            "name_fa_af": f"{RLE}سفر{PDF}",
            "name_ps": "سفر",
            "name_fr": f"Vis{ZWSP}ite",
            "name_en": "Visit",
            "slug": "visit",
        },
    )
    site = english_admin.post(
        reverse("admin:communiques_sitesettings_add"),
        {"name_fa_af": f"سفارت{RLO}", "name_fr": "Ambassade", "tagline_fr": f"Presse{BOM}"},
    )

    assert (category.status_code, site.status_code) == (302, 302)
    assert Category.objects.values_list("name_fa_af", "name_fr").get() == ("سفر", "Visite")
    assert SiteSettings.objects.values_list("name_fa_af", "tagline_fr").get() == (
        "سفارت",
        "Presse",
    )


def test_a_required_name_made_only_of_hidden_characters_is_refused_as_empty(english_admin):
    response = english_admin.post(
        reverse("admin:communiques_category_add"),
        {"name_fa_af": f"{RLO}{ZWSP}", "name_fr": "Visite", "slug": "visit"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name_fa_af"] == ["This field is required."]
    assert not Category.objects.exists()


@pytest.mark.parametrize("feed", ["feed-rss", "feed-atom"])
def test_a_control_character_typed_in_a_title_leaves_the_feeds_readable(english_admin, feed):
    page = english_admin.get(ADD_URL)
    english_admin.post(
        ADD_URL, new_communique_data(page, title_fr="Réunion\x01 de\x1b la coalition")
    )
    english_admin.logout()

    with translation.override("fr"):
        response = english_admin.get(reverse(f"communiques:{feed}"))

    assert response.status_code == 200
    titles = [
        element.text
        for element in ElementTree.fromstring(response.content).iter()
        if element.tag.rpartition("}")[2] == "title"
    ]
    assert "Réunion de la coalition" in titles


@pytest.mark.django_db
def test_a_control_character_saved_outside_the_admin_leaves_the_feeds_readable(client):
    # The shell, a restore or a bulk script reach the model without any form.
    CommuniqueFactory(title_fr="Visite\x01 du\u202e ministre", body_fr="<p>Texte</p>")

    with translation.override("fr"):
        response = client.get(reverse("communiques:feed-rss"))

    assert response.status_code == 200
    assert "<title>Visite du ministre</title>" in response.content.decode()


def test_hidden_characters_are_removed_from_an_imported_file(tmp_path):
    path = tmp_path / "coalition.fr.txt"
    hidden = FRENCH.replace("Coalition internationale", f"Coalition{RLO} inter{ZWSP}nationale\x01")
    path.write_text(hidden.replace("Réunion des directeurs", f"Réunion{BOM} des directeurs"))

    with translation.override("en"):
        communique = communique_import(path=path, language="fr").communique

    assert communique.title_fr == FRENCH_TITLE
    assert communique.subtitle_fr == "Réunion des directeurs politiques"


def test_hidden_characters_are_never_in_stored_text_once_removed():
    every_hidden = "".join(
        chr(code)
        for code in [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x202A, 0x202E, 0x2066, 0x2069]
        if chr(code) not in "\t\n\r"
    )

    assert strip_hidden_characters(f"a{every_hidden}b\t\n\r{ZWNJ}{ZWJ}{LRM}") == (
        f"ab\t\n\r{ZWNJ}{ZWJ}{LRM}"
    )


# --- Over-long text and NUL characters: Django's own messages, in the admin's language ---------


def translated_length_error(language, limit, length):
    with translation.override(language):
        return ngettext(
            "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
            limit,
        ) % {"limit_value": limit, "show_value": length}


def translated(language, message):
    with translation.override(language):
        return gettext(message)


@pytest.mark.parametrize("language", ["fa-af", "ps", "fr", "en"])
def test_a_100000_character_title_is_refused_in_the_admins_language_and_kept(
    admin_client, language
):
    client = speak(admin_client, language)
    page = client.get(ADD_URL)
    title = "ب" * 100_000

    response = client.post(ADD_URL, new_communique_data(page, title_fa_af=title))

    assert response.status_code == 200
    message = translated_length_error(language, 500, 100_000)
    assert response.context["adminform"].form.errors["title_fa_af"] == [message]
    if language != "en":
        assert message != translated_length_error("en", 500, 100_000)
    # Nothing typed is lost: the whole title is in the form again.
    assert title in response.content.decode()
    assert not Communique.objects.exists()


@pytest.mark.parametrize("language", ["fa-af", "ps", "fr"])
def test_a_nul_character_is_refused_in_the_admins_language(admin_client, language):
    client = speak(admin_client, language)
    page = client.get(ADD_URL)

    response = client.post(
        ADD_URL, new_communique_data(page, title_fr="Réunion\x00", body_fr="<p>a\x00b</p>")
    )

    assert response.status_code == 200
    message = translated(language, "Null characters are not allowed.")
    assert message != "Null characters are not allowed."
    errors = response.context["adminform"].form.errors
    assert errors["title_fr"] == [message]
    assert errors["body_fr"] == [message]
    assert not Communique.objects.exists()


def test_a_refused_change_loses_nothing_already_stored(english_admin):
    communique = CommuniqueFactory(title_fr="Avant", status=Communique.Status.DRAFT)
    data = form_data(english_admin.get(change_url(communique)))
    data.update(title_fr="x" * 100_000, body_fr="<p>\x00</p>")

    response = english_admin.post(change_url(communique), data)

    assert response.status_code == 200
    communique.refresh_from_db()
    assert (communique.title_fr, communique.body_fr) == (
        "Avant",
        "<p>Premier paragraphe.</p><p>Second paragraphe.</p>",
    )


def test_the_importer_refuses_a_file_with_nul_characters_naming_the_line(tmp_path):
    path = tmp_path / "coalition.fr.txt"
    path.write_text(FRENCH.replace("Réunion des directeurs", "Réunion\x00 des directeurs"))

    with translation.override("en"), pytest.raises(CommuniqueImportError) as refusal:
        communique_import(path=path, language="fr")

    assert str(refusal.value) == (
        "The file holds NUL characters (the first on line 3): it is not plain text. Save it as "
        "UTF-8 text and import it again."
    )
    assert not Communique.objects.exists()


@pytest.mark.parametrize(
    ("content", "refusal"),
    [
        ("Visit\n\nText.\n", "The file holds NUL characters (the first on line 1)"),
        ("Visite\n\nRéunion.\n", "The file is not UTF-8 text (byte 18 is not UTF-8)"),
    ],
)
def test_the_importer_refuses_a_utf16_file_without_its_mark(tmp_path, content, refusal):
    path = tmp_path / "visit.en.txt"
    path.write_bytes(content.encode("utf-16-le"))

    with translation.override("en"), pytest.raises(CommuniqueImportError, match=re.escape(refusal)):
        communique_import(path=path, language="en")

    assert not Communique.objects.exists()


def test_the_importer_refuses_an_overlong_title_and_writes_nothing(tmp_path):
    path = tmp_path / "coalition.fr.txt"
    path.write_text(FRENCH.replace("Coalition internationale", "Coalition " * 60, 1))

    with translation.override("en"), pytest.raises(CommuniqueImportError) as refusal:
        communique_import(path=path, language="fr")

    assert "at most 500 characters" in str(refusal.value)
    assert not Communique.objects.exists()


# --- Addresses of source links ------------------------------------------------------------------

CREDENTIALS = (
    "Remove the user name and password from the address: the page would show them to every reader."
)


def private(host):
    return (
        f"{host} is an address of a private network, which readers cannot reach: give the public "
        "address of the page."
    )


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("https://press:s3cret@www.diplomatie.gouv.fr/fr/", CREDENTIALS),
        ("https://press@www.diplomatie.gouv.fr/fr/", CREDENTIALS),
        ("http://localhost:8000/admin/", private("localhost")),
        ("http://127.0.0.1/", private("127.0.0.1")),
        ("http://127.8.9.10/", private("127.8.9.10")),
        ("http://10.1.2.3/intranet", private("10.1.2.3")),
        ("http://172.16.0.5/", private("172.16.0.5")),
        ("http://192.168.1.1/", private("192.168.1.1")),
        ("http://169.254.169.254/latest/meta-data/", private("169.254.169.254")),
        ("http://[::1]/", private("::1")),
        ("http://[::ffff:127.0.0.1]/", private("::ffff:127.0.0.1")),
        ("http://[fe80::1]/", private("fe80::1")),
        ("https://printer.local/", private("printer.local")),
        ("https://files.embassy.internal/doc.pdf", private("files.embassy.internal")),
        ("javascript:alert(1)", "Enter a valid URL."),
        ("data:text/html,<script>alert(1)</script>", "Enter a valid URL."),
        ("vbscript:msgbox(1)", "Enter a valid URL."),
    ],
)
def test_a_link_with_credentials_a_private_address_or_active_scheme_is_refused_and_kept(
    english_admin, url, error
):
    page = english_admin.get(ADD_URL)
    data = add_inline_form(page, new_communique_data(page), "links", url=url, label_fr="Le texte")

    response = english_admin.post(ADD_URL, data)

    assert response.status_code == 200
    assert inline_errors(response) == [{"url": [error]}]
    assert "Réunion de la coalition" in response.content.decode()
    assert not Communique.objects.exists()
    assert not SourceLink.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "https://www.diplomatie.gouv.fr/fr/",
        "http://93.184.215.14/communique.pdf",
        "https://[2606:4700:4700::1111]/",
        "https://localhost-news.example.org/",
    ],
)
def test_a_public_address_is_accepted(english_admin, url):
    page = english_admin.get(ADD_URL)
    data = add_inline_form(page, new_communique_data(page), "links", url=url, label_fr="Le texte")

    response = english_admin.post(ADD_URL, data)

    assert response.status_code == 302
    assert SourceLink.objects.get().url == url


def test_a_private_address_is_refused_in_dari(admin_client):
    client = speak(admin_client, "fa-af")
    page = client.get(ADD_URL)
    data = add_inline_form(
        page, new_communique_data(page), "links", url="http://10.0.0.1/", label_fr="x"
    )

    response = client.post(ADD_URL, data)

    expected = (
        "10.0.0.1 آدرس یک شبکهٔ خصوصی است که خوانندگان به آن دسترسی ندارند: آدرس عمومی صفحه را "
        "بدهید."
    )
    assert inline_errors(response) == [{"url": [expected]}]


def test_a_link_changed_to_a_private_address_leaves_the_stored_link_as_it_was(english_admin):
    communique = CommuniqueFactory(status=Communique.Status.DRAFT)
    link = SourceLinkFactory(communique=communique)
    data = form_data(english_admin.get(change_url(communique)))
    data["links-0-url"] = "https://admin:admin@192.168.0.1/"

    response = english_admin.post(change_url(communique), data)

    assert response.status_code == 200
    link.refresh_from_db()
    assert link.url == "https://www.diplomatie.gouv.fr/fr/"


@pytest.mark.parametrize(
    "url", ["https://press:s3cret@www.diplomatie.gouv.fr/fr/", "http://192.168.1.10/communique"]
)
def test_the_importer_refuses_a_link_with_credentials_or_a_private_address(tmp_path, url):
    path = tmp_path / "coalition.fr.txt"
    path.write_text(FRENCH.replace(SAMPLE_URL, url))

    with translation.override("en"), pytest.raises(CommuniqueImportError, match="was refused"):
        communique_import(path=path, language="fr")

    assert not Communique.objects.exists()
    assert not SourceLink.objects.exists()


# --- Public addresses: every hostile parameter answers 404 or a page, never 500 ----------------


@pytest.fixture
def published():
    """A communiqué published in June 2019, so that archives from then to now exist."""
    return CommuniqueFactory(
        published_at=dt.datetime(2019, 6, 25, 10, tzinfo=dt.UTC),
        title_fa_af="ائتلاف بین المللی",
        title_fr="Coalition internationale",
    )


@pytest.mark.parametrize(
    ("address", "status"),
    [
        ("/fa-af/?page=1", 200),
        ("/fa-af/?page=last", 200),
        ("/fa-af/?page=0", 404),
        ("/fa-af/?page=-1", 404),
        ("/fa-af/?page=99999", 404),
        ("/fa-af/?page=abc", 404),
        ("/fa-af/?page=1e9", 404),
        ("/fa-af/?page=%00", 404),
        ("/fa-af/?page=99999999999999999999999999", 404),
        ("/fa-af/?page=1&page=2", 404),
        ("/fa-af/archive/2019/", 200),
        ("/fa-af/archive/2019/06/", 200),
        ("/fa-af/archive/2019/06/?page=0", 404),
        ("/fa-af/archive/2019/06/?page=abc", 404),
        ("/fa-af/archive/0000/", 404),
        ("/fa-af/archive/0000/01/", 404),
        ("/fa-af/archive/9999/", 404),
        ("/fa-af/archive/9999/12/", 404),
        ("/fa-af/archive/99999/", 404),
        ("/fa-af/archive/2019/13/", 404),
        ("/fa-af/archive/2019/00/", 404),
        ("/fa-af/archive/2019/6/", 404),
        ("/fa-af/archive/solar/1398/04/", 200),
        ("/fa-af/archive/solar/1398/13/", 404),
        ("/fa-af/archive/solar/0000/", 404),
        ("/fa-af/archive/solar/0000/01/", 404),
        ("/fa-af/archive/solar/9999/", 404),
        ("/fa-af/archive/solar/9999/12/", 404),
        ("/fr/archive/solar/1398/04/", 404),
        ("/fa-af/categories/press-release/", 200),
        ("/fa-af/categories/press-release/?page=-1", 404),
        ("/fa-af/categories/no-such-category/", 404),
        ("/fa-af/categories/%3Cscript%3E/", 404),
        ("/fa-af/feeds/no-such-category/rss/", 404),
        ("/fa-af/feeds/no-such-category/atom/", 404),
        ("/fa-af/communiques/no-such-communique/", 404),
        ("/fa-af/communiques/%FF%FE/", 404),
        ("/fa-af/communiques/preview/not-a-token/", 404),
        ("/fa-af/search/?q=ائتلاف&page=0", 404),
        ("/fa-af/search/?q=ائتلاف&page=2", 404),
        ("/fa-af/search/?q=ائتلاف&page=abc", 404),
        ("/fa-af/search/?q=%FF%FE%00", 200),
        ("/xx/", 404),
    ],
)
def test_a_hostile_address_answers_a_page_or_404_never_500(client, published, address, status):
    response = client.get(address)

    assert response.status_code == status


def test_a_hostile_accept_language_header_still_chooses_a_language(client):
    response = client.get("/", headers={"accept-language": "x" * 10_000 + ",fa;q=abc,<script>"})

    assert response.status_code == 302
    assert response["Location"] == "/fa-af/"


@pytest.mark.parametrize(
    "query",
    [
        "' OR 1=1 --",
        "'; DROP TABLE communiques_communique; --",
        ".*(a+)+$",
        "(a|aa)*b",
        "%",
        "_",
        "\\",
        "%_%\\'",
        "a:* | !b & (c <-> d)",
        "\x00",
        "ائتلاف\x00",
    ],
)
def test_sql_like_and_regex_syntax_in_a_query_is_searched_as_text(client, published, query):
    # A positive control: a real word finds the communiqué.
    found = client.get("/fa-af/search/", {"q": "ائتلاف"})
    assert list(found.context["communiques"]) == [published]

    response = client.get("/fa-af/search/", {"q": query})

    assert response.status_code == 200
    expected = [published] if "ائتلاف" in query else []
    assert list(response.context["communiques"]) == expected


def test_a_10000_character_query_is_cut_before_it_reaches_the_database(client, published):
    # Some 13,000 characters, 3,000 different words: each word searched costs a condition.
    query = " ".join(str(number) for number in range(3_000))

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/fa-af/search/", {"q": query})

    assert response.status_code == 200
    assert response.context["query_was_cut"] is True
    assert len(response.context["query"]) <= MAX_QUERY_LENGTH
    # The statements as sent, their parameters written in: none holds the whole query.
    assert max(len(query["sql"]) for query in queries) < 10_000


def test_a_future_archive_month_answers_404_even_with_a_page(client, published):
    next_year = timezone.localdate().year + 1

    response = client.get(f"/fa-af/archive/{next_year}/01/", {"page": "1"})

    assert response.status_code == 404


def test_an_unknown_category_feed_answers_404_while_a_known_one_answers(client):
    CategoryFactory()

    assert client.get("/fr/feeds/press-release/rss/").status_code == 200
    assert client.get("/fr/feeds/press-releases/rss/").status_code == 404
