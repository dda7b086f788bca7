import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django.asserts import assertContains, assertNotContains

from communiques.importers import communique_import
from communiques.models import Communique
from communiques.search import MAX_QUERY_LENGTH, clean_query, full_text_search, search
from tests.factories import CommuniqueFactory, ImageFactory

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parent.parent / "demo"
SAMPLE = DEMO / "coalition-against-daesh-2019-06-25.fa-AF.txt"
ZWNJ = "\u200c"


def search_url(language="fa-af"):
    with translation.override(language):
        return reverse("communiques:search")


@pytest.fixture
def sample():
    return communique_import(path=SAMPLE, language="fa-af", publish=True).communique


def found(query, language="fa-af"):
    return list(search(query, language))


# --- What a search finds -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "داعش",
        # The sample writes its years in Persian digits.
        "2019",
        "۲۰۱۹",
        # The sample writes «می گردد» with a space; a reader may type the non-joiner.
        "می گردد",
        f"می{ZWNJ}گردد",
        # Arabic letters typed for Persian ones; the ezafe written with its hamza.
        "كشورهاي",
        "جلسهء روئسای سیاسی",
        # Every word must be there, wherever it stands.
        "پاریس ائتلاف",
    ],
)
def test_search_finds_the_sample_however_the_query_is_spelled(sample, query):
    assert found(query) == [sample]


def test_a_space_in_the_text_finds_a_non_joiner_in_the_query_and_the_reverse():
    joined = CommuniqueFactory(body_fa_af=f"<p>این کار انجام می{ZWNJ}گردد.</p>")

    assert found("می گردد") == [joined]
    assert found(f"می{ZWNJ}گردد") == [joined]


def test_search_finds_nothing_for_a_word_that_is_not_there(sample):
    assert found("داعش افغانستان‌نامه") == []
    # Positive control: the first word alone is there.
    assert found("داعش") == [sample]


@pytest.mark.parametrize("query", ["", "   ", "'; -- ()", "<b></b>"])
def test_a_query_without_words_finds_nothing(sample, query):
    assert found(query) == []


def test_search_finds_exactly_the_published_and_due_communiques_of_the_language():
    now = timezone.now()
    cases = {
        "published": {},
        "draft": {"status": Communique.Status.DRAFT},
        "withdrawn": {"status": Communique.Status.WITHDRAWN},
        "future": {"published_at": now + dt.timedelta(hours=1)},
        "french only": {"title_fa_af": "", "body_fa_af": ""},
    }
    for name, fields in cases.items():
        CommuniqueFactory(
            slug=name.replace(" ", "-"),
            title_fr=f"Coalition {name}",
            **{"title_fa_af": f"ائتلاف {name}", **fields},
        )

    assert [c.slug for c in found("ائتلاف")] == ["published"]
    assert sorted(c.slug for c in found("coalition", "fr")) == ["french-only", "published"]


def test_a_word_of_another_version_is_not_found_in_this_one():
    communique = CommuniqueFactory(title_fr="Coalition contre Daech")

    assert found("daech", "fa-af") == []
    assert found("daech", "fr") == [communique]


def test_pashto_keeps_its_arabic_yeh_apart():
    communique = CommuniqueFactory(title_ps="د سولې خبرې کوي", body_ps="<p>متن</p>")

    assert found("کوي", "ps") == [communique]
    # In Dari the same letters fold: ي is ی there, and not in Pashto.
    assert found("کوی", "ps") == []


def test_a_partial_save_of_a_text_rewrites_its_search_document():
    communique = CommuniqueFactory()
    assert found("هرات") == []

    communique.title_fa_af = "نشست هرات"
    communique.save(update_fields=["title_fa_af"])

    assert found("هرات") == [communique]


def test_the_command_rewrites_search_text_that_a_bulk_update_left_behind():
    communique = CommuniqueFactory(title_fa_af="نشست هرات")
    Communique.objects.update(search_text_fa_af="")
    assert found("هرات") == []

    output = io.StringIO()
    call_command("update_search_text", stdout=output)

    assert found("هرات") == [communique]
    assert "1" in output.getvalue()


def test_date_tokens_are_searched_as_the_reader_sees_them():
    communique = CommuniqueFactory(lead_fa_af="جلسه به تاریخ [[2019-06-25]] برگزار شد.")

    # «۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸»
    assert found("سرطان ۱۳۹۸") == [communique]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking is PostgreSQL's")
def test_postgresql_ranks_the_closest_match_first():
    CommuniqueFactory(slug="once", title_fa_af="ائتلاف", published_at=timezone.now())
    CommuniqueFactory(
        slug="often",
        title_fa_af="ائتلاف ائتلاف",
        body_fa_af="<p>ائتلاف و ائتلاف</p>",
        published_at=timezone.now() - dt.timedelta(days=3),
    )

    assert [c.slug for c in found("ائتلاف")] == ["often", "once"]


# --- The search page ---------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["داعش", "2019"])
def test_search_page_lists_the_sample_with_the_words_marked(client, sample, query):
    response = client.get(search_url(), {"q": query})

    assert response.status_code == 200
    assert list(response.context["communiques"]) == [sample]
    assertContains(response, '<meta name="robots" content="noindex">', html=True)
    assertContains(response, f'<a href="{sample.get_absolute_url()}">', count=1)
    marked = "داعش" if query == "داعش" else "۲۰۱۹"
    assertContains(response, f"<mark>{marked}</mark>")


def test_search_page_marks_the_title_and_escapes_everything_else(client):
    CommuniqueFactory(
        title_fa_af="<b>ائتلاف</b> برضد «داعش»", lead_fa_af="جلسهٔ <i>ائتلاف</i> در پاریس"
    )

    response = client.get(search_url(), {"q": "ائتلاف"})

    assertContains(response, "&lt;b&gt;<mark>ائتلاف</mark>&lt;/b&gt; برضد «داعش»")
    assertContains(response, "جلسهٔ &lt;i&gt;<mark>ائتلاف</mark>&lt;/i&gt; در پاریس")
    assertNotContains(response, "<b>ائتلاف")


def test_search_page_says_when_nothing_is_found(client, sample):
    response = client.get(search_url("fr"), {"q": "داعش"})

    assert response.status_code == 200
    assertContains(response, "<bdi>داعش</bdi>")
    assert list(response.context["communiques"]) == []


def test_search_page_without_a_query_shows_the_form_and_asks_nothing(
    client, django_assert_num_queries
):
    # The site settings, for the page's header.
    with django_assert_num_queries(1):
        response = client.get(search_url())

    assertContains(response, 'role="search"', count=1)
    assertContains(response, 'name="q"')


def test_search_results_are_paginated_and_pages_keep_the_query(client, settings):
    settings.COMMUNIQUES_PER_PAGE = 2
    now = timezone.now()
    for days in (1, 2, 3):
        CommuniqueFactory(title_fa_af=f"ائتلاف {days}", published_at=now - dt.timedelta(days=days))

    first = client.get(search_url(), {"q": "ائتلاف"})
    second = client.get(search_url(), {"q": "ائتلاف", "page": 2})

    assert len(first.context["communiques"]) == 2
    assert len(second.context["communiques"]) == 1
    assertContains(first, 'href="?q=%D8%A7%D8%A6%D8%AA%D9%84%D8%A7%D9%81&amp;page=2"')


def test_every_page_has_a_search_box_in_its_language(client):
    communique = CommuniqueFactory()

    for address in (reverse("communiques:index"), communique.get_absolute_url()):
        response = client.get(address)
        assertContains(
            response,
            f'<form class="search-form" role="search" action="{search_url()}" method="get">',
        )


@pytest.mark.parametrize(
    "query",
    [
        "'; DROP TABLE communiques_communique; --",
        "داعش' OR 1=1 --",
        "%_%\\",
        ".*[(+?{",
        "a:* & !b | (c <-> d)",
        "'''",
        "<script>alert(1)</script>",
        "\x00داعش\x1b",
        "ا" * 10_000,
        "داعش " * 2_000,
    ],
)
def test_hostile_queries_answer_a_page(client, sample, query):
    response = client.get(search_url(), {"q": query})

    assert response.status_code == 200
    assertNotContains(response, "<script>alert(1)</script>")


def test_a_long_query_is_cut_with_a_message(client, sample):
    query = "داعش " + "ب" * 10_000

    response = client.get(search_url("en"), {"q": query})

    assert response.status_code == 200
    assertContains(response, "only its first 200 characters were searched")
    assert len(response.context["query"]) <= MAX_QUERY_LENGTH


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("  داعش \n 2019 ", ("داعش 2019", False)),
        ("\x00داعش\x07", ("داعش", False)),
        (f"می{ZWNJ}گردد", (f"می{ZWNJ}گردد", False)),
        ("a" * 250, ("a" * MAX_QUERY_LENGTH, True)),
    ],
)
def test_a_query_is_cleaned_before_it_is_searched(raw, cleaned):
    assert clean_query(raw) == cleaned


@pytest.mark.parametrize("communiques", [1, 12])
def test_search_uses_a_constant_number_of_queries(
    client, settings, django_assert_max_num_queries, communiques
):
    settings.COMMUNIQUES_PAGE_CACHE = False
    for _ in range(communiques):
        communique = CommuniqueFactory(title_fa_af="ائتلاف")
        ImageFactory.create_batch(2, communique=communique)

    # The count for the paginator, the page, the images of the page; and once per change of
    # content, the site settings.
    with django_assert_max_num_queries(4):
        response = client.get(search_url(), {"q": "ائتلاف"})
    with django_assert_max_num_queries(3):
        client.get(search_url(), {"q": "ائتلاف"})

    assert len(response.context["communiques"]) == min(communiques, 10)


def test_search_results_are_read_without_other_languages_texts(client, sample):
    response = client.get(search_url(), {"q": "داعش"})

    [result] = response.context["communiques"]
    not_read = result.get_deferred_fields()
    assert result.pk == sample.pk
    # The excerpt is taken from the body in the page's language; nothing else is read of it.
    assert "body_fa_af" not in not_read
    assert {"body_fr", "search_text_fa_af", "search_vector_fa_af"} <= not_read


def applied_from_migrations():
    recorder = MigrationRecorder(connection)
    return recorder.has_table() and ("communiques", "0006_search_vectors_and_list_index") in (
        recorder.applied_migrations()
    )


def test_postgresql_answers_a_search_from_the_stored_and_indexed_vector():
    if connection.vendor != "postgresql":
        pytest.skip("full-text search is PostgreSQL's")
    sample = CommuniqueFactory(title_fa_af="ائتلاف بین المللی")

    plan = full_text_search(Communique.objects.all(), "fa-af", ["ائتلاف"]).explain()

    assert found("ائتلاف") == [sample]
    # The vector as stored: no document is parsed again to match or rank.
    assert "to_tsvector" not in plan
    if applied_from_migrations():
        with connection.cursor() as cursor:
            # With a handful of rows a sequential scan is cheaper: ask whether the index can serve.
            cursor.execute("SET enable_seqscan = off")
            plan = full_text_search(Communique.objects.all(), "fa-af", ["ائتلاف"]).explain()
            cursor.execute("SET enable_seqscan = on")
        assert "communique_search_vector_fa_af_gin" in plan
