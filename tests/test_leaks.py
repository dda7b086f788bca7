"""No communiqué the public may not read leaks out: drafts, communiqués in review, scheduled ones
before their time and those withdrawn as published in error are in no page, list, archive,
search result, feed, sitemap, structured data or neighbour link, in no page kept in the cache,
and their photos' addresses cannot be guessed. A scheduled one appears once its time has come.
"""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from pytest_django.asserts import assertContains

from communiques.models import Communique
from communiques.search import search
from tests.factories import CommuniqueFactory, ImageFactory
from tests.test_views import detail_url, url
from tests.test_workflow import withdraw

pytestmark = pytest.mark.django_db

KABUL = ZoneInfo("Asia/Kabul")
# 8 July 2019, 09:00 in Kabul: 17 Saratan 1398.
MOMENT = dt.datetime(2019, 7, 8, 9, 0, tzinfo=KABUL)
DAY = dt.timedelta(days=1)
LANGUAGES = ["fa-af", "fr"]
# Every hidden communiqué's texts carry these words, which nothing public contains.
MARK_FR = "Zanzibar"
MARK_FA = "زنگبار"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(MOMENT, tick=False):
        yield


def hidden(key, **state):
    communique = CommuniqueFactory(
        slug=f"hidden-{key}",
        title_fr=f"{MARK_FR} : {key}",
        title_fa_af=f"{MARK_FA} {key}",
        body_fr=f"<p>Le texte {MARK_FR} qui ne doit pas paraître.</p>",
        body_fa_af=f"<p>متن {MARK_FA} که نباید دیده شود.</p>",
        **state,
    )
    ImageFactory(communique=communique, caption_fr=f"Photo {MARK_FR}")
    return communique


def withdrawn_in_error():
    communique = hidden("withdrawn-in-error", published_at=MOMENT - 2 * DAY)
    communique.status = Communique.Status.WITHDRAWN
    communique.withdrawal_kind = Communique.WithdrawalKind.IN_ERROR
    communique.save()
    return communique


@pytest.fixture
def site():
    """Two published communiqués, and between them in time every kind that must stay hidden."""
    older = CommuniqueFactory(slug="older", title_fr="Plus ancien", published_at=MOMENT - 3 * DAY)
    newer = CommuniqueFactory(slug="newer", title_fr="Plus récent", published_at=MOMENT - DAY)
    # Drafts and communiqués in review may already carry the time an editor means to publish
    # them at: between the two published ones, where a careless neighbour query would find them.
    hidden_ones = {
        "draft": hidden("draft", status=Communique.Status.DRAFT, published_at=MOMENT - 2 * DAY),
        "in review": hidden(
            "in-review", status=Communique.Status.IN_REVIEW, published_at=MOMENT - 2 * DAY
        ),
        "scheduled": hidden("scheduled", published_at=MOMENT + DAY),
        "withdrawn in error": withdrawn_in_error(),
    }
    return older, newer, hidden_ones


def public_addresses(language, published):
    """Every public address where a communiqué could show, in one language."""
    older, newer = published
    category = older.category.slug
    addresses = [
        url("index", language),
        url("category", language, slug=category),
        url("archive-year", language, year=2019),
        url("archive-month", language, year=2019, month=7),
        # Words of the hidden ones' texts, but not the marks themselves, which the page repeats.
        url("search", language) + ("?q=zanzibar" if language == "fr" else "?q=نباید"),
        url("feed-rss", language),
        url("feed-atom", language),
        url("category-feed-rss", language, category=category),
        url("category-feed-atom", language, category=category),
        detail_url(older, language),
        detail_url(newer, language),
    ]
    if language == "fa-af":
        addresses += [
            url("solar-archive-year", language, year=1398),
            url("solar-archive-month", language, year=1398, month=4),
        ]
    return addresses


def traces(communique):
    """What would betray a communiqué on a page: its words, its address, its photos' files."""
    names = [name for image in communique.images.all() for name in image.stored_names()]
    return [MARK_FR, MARK_FA, communique.slug, *names]


def leaks(reader, addresses, communiques):
    found = []
    for address in addresses:
        response = reader.get(address)
        text = response.content.decode()
        found.extend(
            (address, trace)
            for communique in communiques
            for trace in traces(communique)
            if trace in text
        )
    return found


def test_hidden_communiques_are_on_no_public_page_feed_sitemap_or_search(site):
    older, newer, hidden_ones = site
    reader = Client()
    addresses = [
        *(a for language in LANGUAGES for a in public_addresses(language, (older, newer))),
        "/sitemap.xml",
        "/robots.txt",
    ]

    # The positive control: the published ones are found where the hidden ones are looked for.
    assertContains(reader.get(url("index", "fr")), "Plus ancien")
    assertContains(reader.get("/sitemap.xml"), older.slug)
    assert leaks(reader, addresses, hidden_ones.values()) == []
    # And again from the cache, where each of these pages is now kept.
    assert leaks(reader, addresses, hidden_ones.values()) == []


@pytest.mark.parametrize("key", ["draft", "in review", "scheduled", "withdrawn in error"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_hidden_communiques_own_address_answers_not_found_without_its_words(site, key, language):
    communique = site[2][key]

    response = Client().get(detail_url(communique, language))

    assert response.status_code == 404
    assert [t for t in traces(communique) if t in response.content.decode()] == []


def test_published_neighbours_link_each_other_over_the_hidden_ones(site):
    older, newer, _hidden = site

    older_page = Client().get(detail_url(older, "fr"))
    newer_page = Client().get(detail_url(newer, "fr"))

    assert older_page.context["neighbours"].newer == newer
    assert newer_page.context["neighbours"].older == older


@pytest.mark.parametrize(("language", "word"), [("fr", "zanzibar"), ("fa-af", MARK_FA)])
def test_search_finds_no_hidden_communique_on_either_database(site, language, word):
    older, _newer, hidden_ones = site

    # PostgreSQL's full-text path or the containment path elsewhere: search() picks it, over the
    # published communiqués unless told otherwise.
    assert list(search(word, language)) == []
    # The positive controls: a published one is found, and the hidden ones' words are searchable.
    assert older in search("اعلامیه" if language == "fa-af" else "ancien", language)
    everything = search(word, language, communiques=Communique.objects.all())
    assert set(everything) == set(hidden_ones.values())


def test_photo_file_names_are_random_not_derived_from_the_communique(site):
    _older, _newer, hidden_ones = site
    draft = hidden_ones["draft"]
    again = ImageFactory(communique=draft)

    names = [*draft.images.all()[0].stored_names(), *again.stored_names()]
    stems = {re.sub(r"(-\d+)?\.\w+$", "", name.rsplit("/", 1)[1]) for name in names}

    # One random stem per upload, 128 bits (22 URL-safe characters), shared by its renditions.
    assert len(stems) == 2
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", stem) for stem in stems)
    # Two uploads to the same communiqué share nothing, so no part of a name comes from it (its
    # id's digits may still turn up by chance in 22 random characters: only its slug is checked).
    assert not any(draft.slug in stem for stem in stems)


def test_a_page_kept_in_the_cache_loses_a_communique_withdrawn_as_published_in_error(login):
    communique = CommuniqueFactory(
        slug="soon-withdrawn", title_fr=f"{MARK_FR} publié", published_at=MOMENT - DAY
    )
    neighbour = CommuniqueFactory(slug="stays", published_at=MOMENT - 2 * DAY)
    reader = Client()
    addresses = [
        url("index", "fr"),
        url("feed-rss", "fr"),
        "/sitemap.xml",
        detail_url(neighbour, "fr"),
        url("search", "fr") + "?q=zanzibar",
    ]
    # The positive control: every page shows it, and is now kept in the cache.
    assert {address for address, _trace in leaks(reader, addresses, [communique])} == set(addresses)
    assert reader.get(detail_url(communique, "fr")).status_code == 200

    response = withdraw(login("editor"), communique, withdrawal_kind="in_error")

    assert response.status_code == 302
    assert leaks(reader, addresses, [communique]) == []
    assert reader.get(detail_url(communique, "fr")).status_code == 404


def test_staff_reading_a_draft_on_the_public_site_never_fill_the_cache_for_readers(login):
    draft = CommuniqueFactory(
        slug="draft-read-by-staff", status=Communique.Status.DRAFT, published_at=None
    )
    editor = login("editor")

    assert editor.get(detail_url(draft, "fr")).status_code == 200
    assert editor.get(url("index", "fr")).status_code == 200

    reader = Client()
    assert reader.get(detail_url(draft, "fr")).status_code == 404
    assert leaks(reader, [url("index", "fr")], [draft]) == []


def test_a_scheduled_communique_appears_everywhere_once_its_time_has_come(site):
    older, newer, hidden_ones = site
    scheduled = hidden_ones["scheduled"]
    reader = Client()
    addresses = [
        url("index", "fr"),
        url("feed-rss", "fr"),
        url("feed-atom", "fa-af"),
        "/sitemap.xml",
        url("search", "fr") + "?q=zanzibar",
        url("archive-month", "fr", year=2019, month=7),
        detail_url(newer, "fr"),
    ]
    # Every page rendered, and cached, before its time.
    assert leaks(reader, addresses, [scheduled]) == []

    with time_machine.travel(scheduled.published_at, tick=False):
        shown = {address for address, _trace in leaks(reader, addresses, [scheduled])}
        page = reader.get(detail_url(scheduled, "fr"))

    assert shown == set(addresses)
    assert page.status_code == 200
    # The other hidden ones are still hidden.
    others = [c for key, c in hidden_ones.items() if key != "scheduled"]
    with time_machine.travel(scheduled.published_at, tick=False):
        found = leaks(reader, [url("index", "fr"), "/sitemap.xml"], others)
    assert [trace for _address, trace in found if trace not in (MARK_FR, MARK_FA)] == []
