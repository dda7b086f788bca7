import datetime as dt
import html
import re
from zoneinfo import ZoneInfo

import feedparser
import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from communiques.models import Communique
from tests.factories import CategoryFactory, CommuniqueFactory, ImageFactory
from tests.test_workflow import edit_published

pytestmark = pytest.mark.django_db

KABUL = ZoneInfo("Asia/Kabul")
FORMATS = ["rss", "atom"]


def feed_url(kind, language="fa-af", category=None):
    with translation.override(language):
        if category is None:
            return reverse(f"communiques:feed-{kind}")
        return reverse(f"communiques:category-feed-{kind}", kwargs={"category": category})


def read_feed(client, address):
    response = client.get(address)
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def largest_jpeg_name(image):
    jpegs = [r for r in image.renditions if r["format"] == "jpeg"]
    return max(jpegs, key=lambda r: r["width"])["name"]


@pytest.fixture
def coalition():
    communique = CommuniqueFactory(
        title_fa_af="ائتلاف بین المللی برضد «داعش»",
        lead_fa_af="جلسهٔ [[2019-06-25]] در پاریس.",
        body_fa_af="<p>پاراگراف اول.</p><p>تاریخ [[2019-06-25|solar]].</p>",
        title_fr="Coalition internationale contre Daech",
        lead_fr="Réunion du [[2019-06-25]] à Paris.",
        body_fr="<p>Premier paragraphe.</p>",
        published_at=dt.datetime(2019, 7, 8, 9, 0, tzinfo=KABUL),
    )
    ImageFactory(communique=communique, after_paragraph=1)
    return communique


# --- Language, dates and content ---------------------------------------------------------------


@pytest.mark.parametrize("kind", FORMATS)
@pytest.mark.parametrize(
    ("language", "tag", "title"),
    [
        ("fa-af", "fa-AF", "ائتلاف بین المللی برضد «داعش»"),
        ("fr", "fr", "Coalition internationale contre Daech"),
    ],
)
def test_feed_declares_its_language_and_lists_that_version(
    client, coalition, kind, language, tag, title
):
    parsed = read_feed(client, feed_url(kind, language))

    assert parsed.feed.language == tag
    [entry] = parsed.entries
    assert entry.title == title
    assert entry.link == f"http://testserver{feed_url('rss', language)[: -len('feeds/rss/')]}" + (
        f"communiques/{coalition.slug}/"
    )


def test_atom_feed_declares_its_language_on_the_root_element(client, coalition):
    response = client.get(feed_url("atom"))

    assert re.search(
        rb'<feed xml:lang="fa-AF" xmlns="http://www.w3.org/2005/Atom">', response.content
    )


@pytest.mark.parametrize("kind", FORMATS)
def test_entries_are_dated_by_first_publication_until_a_change_note(client, coalition, kind):
    [entry] = read_feed(client, feed_url(kind)).entries

    assert entry.published_parsed[:6] == (2019, 7, 8, 4, 30, 0)  # 09:00 in Kabul, as UTC
    if kind == "atom":
        # Never updated in public: its first publication, not the moment the row was written.
        assert entry.updated_parsed[:6] == (2019, 7, 8, 4, 30, 0)


def feed_dates(kind):
    """Return the feed's own last-updated moment and its entry's, as UTC tuples (RSS items have
    none of their own)."""
    parsed = read_feed(Client(), feed_url(kind))
    [entry] = parsed.entries
    return parsed.feed.updated_parsed[:6], (entry.updated_parsed[:6] if kind == "atom" else None)


@pytest.mark.parametrize("kind", FORMATS)
def test_only_a_change_note_moves_the_feeds_last_updated_date(login, kind):
    with time_machine.travel(dt.datetime(2019, 7, 8, 9, 0, tzinfo=KABUL), tick=False):
        communique = CommuniqueFactory(published_at=timezone.now())
    editor = login("editor")
    first = (2019, 7, 8, 4, 30, 0)
    noted = (2019, 7, 20, 6, 30, 0)  # 11:00 in Kabul

    with time_machine.travel(dt.datetime(2019, 7, 10, 10, 0, tzinfo=KABUL), tick=False):
        minor = edit_published(editor, communique, minor_change="on")
    assert minor.status_code == 302
    communique.refresh_from_db()
    assert communique.updated_at > communique.published_at  # the row did change
    assert feed_dates(kind) == (first, first if kind == "atom" else None)

    with time_machine.travel(dt.datetime(2019, 7, 20, 11, 0, tzinfo=KABUL), tick=False):
        noted_save = edit_published(editor, communique, change_note_fr="Titre corrigé.")
    assert noted_save.status_code == 302
    assert feed_dates(kind) == (noted, noted if kind == "atom" else None)


def test_atom_dates_are_iso_8601_in_the_embassy_time_zone(client, coalition):
    content = client.get(feed_url("atom")).content.decode()

    assert "<published>2019-07-08T09:00:00+04:30</published>" in content


@pytest.mark.parametrize("kind", FORMATS)
def test_entries_carry_the_full_text_with_dates_written_and_absolute_photos(
    client, coalition, kind
):
    [entry] = read_feed(client, feed_url(kind)).entries
    [image] = coalition.images.all()

    content = entry.content[0].value
    assert "<p>پاراگراف اول.</p>" in content
    assert '<time datetime="2019-06-25">۴ سرطان ۱۳۹۸</time>' in content
    assert f'src="http://testserver/media/{largest_jpeg_name(image)}"' in content
    assert 'alt="عکس جلسه"' in content
    # The lead, in the summary, with its date written out.
    assert '<time datetime="2019-06-25">۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸</time>' in entry.summary


@pytest.mark.parametrize("kind", FORMATS)
def test_the_lead_photo_is_an_enclosure_from_its_largest_jpeg(client, coalition, kind):
    [entry] = read_feed(client, feed_url(kind)).entries
    [image] = coalition.images.all()

    [enclosure] = entry.enclosures
    assert enclosure.href == f"http://testserver/media/{largest_jpeg_name(image)}"
    assert enclosure.type == "image/jpeg"
    assert int(enclosure.length) == image.file.storage.size(largest_jpeg_name(image))


def test_a_communique_without_photos_has_no_enclosure(client):
    CommuniqueFactory()

    [entry] = read_feed(client, feed_url("rss")).entries

    assert entry.enclosures == []


@pytest.mark.parametrize("kind", FORMATS)
def test_markup_in_a_title_or_lead_stays_text(client, kind):
    CommuniqueFactory(title_fa_af="<script>alert(1)</script> ائتلاف", lead_fa_af="a < b & c")

    [entry] = read_feed(client, feed_url(kind)).entries

    # An RSS title is read as HTML, an Atom one as text: either way it shows as written.
    title = "<script>alert(1)</script> ائتلاف"
    expected = {
        "rss": ("text/html", html.escape(title, quote=False)),
        "atom": ("text/plain", title),
    }
    assert (entry.title_detail.type, entry.title) == expected[kind]
    assert "a &lt; b &amp; c" in entry.summary


# --- Which communiqués ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", FORMATS)
def test_feed_lists_exactly_the_published_and_due_communiques_of_its_language(client, kind):
    now = timezone.now()
    cases = {
        "published": {},
        "draft": {"status": Communique.Status.DRAFT},
        "withdrawn": {"status": Communique.Status.WITHDRAWN},
        "future": {"published_at": now + dt.timedelta(hours=1)},
        "french-only": {"title_fa_af": "", "body_fa_af": ""},
    }
    for slug, fields in cases.items():
        CommuniqueFactory(slug=slug, **fields)

    dari = read_feed(client, feed_url(kind, "fa-af")).entries
    french = read_feed(client, feed_url(kind, "fr")).entries

    assert [entry.link.split("/")[-2] for entry in dari] == ["published"]
    assert sorted(entry.link.split("/")[-2] for entry in french) == ["french-only", "published"]


@pytest.mark.parametrize("kind", FORMATS)
def test_category_feed_lists_only_that_category(client, kind):
    speeches = CategoryFactory(slug="speeches", name_fa_af="سخنرانی‌ها", name_fr="Discours")
    CommuniqueFactory(slug="press")
    CommuniqueFactory(slug="speech", category=speeches)

    parsed = read_feed(client, feed_url(kind, "fr", "speeches"))

    assert [entry.link.split("/")[-2] for entry in parsed.entries] == ["speech"]
    assert parsed.feed.title.startswith("Discours · ")
    assert [tag.term for tag in parsed.entries[0].tags] == ["Discours"]


def test_feed_of_an_unknown_category_is_not_found(client):
    assert client.get(feed_url("rss", category="no-such-category")).status_code == 404


def test_feed_is_newest_first_and_limited(client):
    now = timezone.now()
    for days in range(25):
        CommuniqueFactory(slug=f"day-{days}", published_at=now - dt.timedelta(days=days + 1))

    entries = read_feed(client, feed_url("rss")).entries

    assert [entry.link.split("/")[-2] for entry in entries] == [f"day-{d}" for d in range(20)]


def test_every_page_points_to_the_feeds_of_its_language(client):
    response = client.get(reverse("communiques:index"))
    html = response.content.decode()

    for kind in FORMATS:
        link = (
            f'<link rel="alternate" type="application/{kind}+xml" title="(?P<title>[^"]+)" '
            f'href="{feed_url(kind)}">'
        )
        assert re.search(re.escape(link).replace(re.escape('(?P<title>[^"]+)'), '[^"]+'), html)


# --- Query budget ------------------------------------------------------------------------------


@pytest.mark.parametrize("communiques", [1, 12])
@pytest.mark.parametrize(
    ("category", "queries"),
    [
        # The site settings, the communiqués with their categories, their images.
        (None, 3),
        # And the category.
        ("press-release", 4),
    ],
)
def test_feed_uses_a_constant_number_of_queries(
    client, django_assert_num_queries, communiques, category, queries
):
    for _ in range(communiques):
        communique = CommuniqueFactory()
        ImageFactory.create_batch(2, communique=communique)

    with django_assert_num_queries(queries):
        response = client.get(feed_url("atom", category=category))

    assert len(feedparser.parse(response.content).entries) == communiques
