import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains

from communiques import dates
from communiques.models import Communique
from tests.factories import CommuniqueFactory

pytestmark = pytest.mark.django_db

KABUL = ZoneInfo("Asia/Kabul")
UTC = dt.UTC


def archive_url(name, language="fa-af", **kwargs):
    with translation.override(language):
        return reverse(f"communiques:{name}", kwargs=kwargs)


def saratan_1398(language="fa-af"):
    return archive_url("solar-archive-month", language, year=1398, month=4)


def published(slug, moment, **kwargs):
    return CommuniqueFactory(slug=slug, published_at=moment, **kwargs)


def slugs(response):
    return [communique.slug for communique in response.context["communiques"]]


# --- Month ranges and headings -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month", "first", "last"),
    [
        (1398, 1, dt.date(2019, 3, 21), dt.date(2019, 4, 20)),
        (1398, 4, dt.date(2019, 6, 22), dt.date(2019, 7, 22)),
        (1398, 12, dt.date(2020, 2, 20), dt.date(2020, 3, 19)),
        # 1403 is a leap year: Hut has 30 days, the last being 2025-03-20.
        (1403, 12, dt.date(2025, 2, 19), dt.date(2025, 3, 20)),
        (1404, 1, dt.date(2025, 3, 21), dt.date(2025, 4, 20)),
    ],
)
def test_solar_month_range_gives_the_gregorian_first_and_last_days(year, month, first, last):
    assert dates.solar_month_range(year, month) == (first, last)


@pytest.mark.parametrize(
    ("year", "month", "last"),
    [
        (2019, 2, dt.date(2019, 2, 28)),
        (2020, 2, dt.date(2020, 2, 29)),
        (2019, 12, dt.date(2019, 12, 31)),
    ],
)
def test_gregorian_month_range_ends_on_the_last_day_of_the_month(year, month, last):
    assert dates.gregorian_month_range(year, month) == (dt.date(year, month, 1), last)


def test_a_year_spans_its_first_and_last_months():
    assert dates.year_range(1398, "solar") == (dt.date(2019, 3, 21), dt.date(2020, 3, 19))
    assert dates.year_range(2019, "gregorian") == (dt.date(2019, 1, 1), dt.date(2019, 12, 31))


@pytest.mark.parametrize(
    ("year", "month", "calendar"),
    [
        (1398, 13, "solar"),
        (1398, 0, "solar"),
        (0, 1, "solar"),
        (2019, 13, "gregorian"),
        (0, 1, "gregorian"),
    ],
)
def test_a_month_that_does_not_exist_has_no_range(year, month, calendar):
    with pytest.raises(ValueError):
        dates.month_range(year, month, calendar)


@pytest.mark.parametrize(
    ("year", "month", "language", "calendar", "heading"),
    [
        (1398, 4, "fa-af", "solar", "سرطان ۱۳۹۸"),
        (2019, 6, "fa-af", "gregorian", "جون ۲۰۱۹"),
        (1398, 4, "ps", "solar", "چنګاښ ۱۳۹۸"),
        (1398, 4, "fa", "solar", "تیر ۱۳۹۸"),
        (2019, 6, "fr", "gregorian", "juin 2019"),
        (2019, 6, "en", "gregorian", "June 2019"),
        (1398, 4, "en", "solar", "Saratan 1398"),
    ],
)
def test_month_heading_follows_the_reader_conventions(year, month, language, calendar, heading):
    assert dates.format_month(year, month, language, calendar) == heading


@pytest.mark.parametrize("month", [0, 13, -1])
def test_a_month_number_out_of_range_has_no_name(month):
    with pytest.raises(ValueError):
        dates.month_name(month, "fa-af", "solar")


@pytest.mark.parametrize(
    ("language", "calendar"),
    [
        ("fa-af", "solar"),
        ("ps", "solar"),
        ("fa", "solar"),
        ("fr", "gregorian"),
        ("en", "gregorian"),
    ],
)
def test_readers_of_dari_pashto_and_persian_browse_the_archive_by_solar_month(language, calendar):
    assert dates.archive_calendar(language) == calendar


def test_a_moment_is_archived_under_its_date_in_kabul():
    # 23:30 UTC on 21 June 2019 is 04:00 on 22 June in Kabul: 1 Saratan 1398.
    moment = dt.datetime(2019, 6, 21, 23, 30, tzinfo=UTC)

    assert dates.archive_month(moment, "solar") == (1398, 4)
    assert dates.archive_month(moment, "gregorian") == (2019, 6)


# --- Who is listed --------------------------------------------------------------------------------


@pytest.fixture
def around_saratan_1398():
    """Communiqués on either side of the bounds of Saratan 1398 (2019-06-22 … 2019-07-22, Kabul)."""
    published("eve", dt.datetime(2019, 6, 21, 19, 0, tzinfo=UTC))  # 23:30 on the 21st in Kabul
    published("first-day", dt.datetime(2019, 6, 21, 23, 30, tzinfo=UTC))  # 04:00 on the 22nd
    published("middle", dt.datetime(2019, 7, 8, 9, 0, tzinfo=KABUL))
    published("last-day", dt.datetime(2019, 7, 22, 23, 59, tzinfo=KABUL))
    published("next-month", dt.datetime(2019, 7, 23, 0, 0, tzinfo=KABUL))
    published("draft", dt.datetime(2019, 7, 1, tzinfo=KABUL), status=Communique.Status.DRAFT)
    published(
        "withdrawn", dt.datetime(2019, 7, 2, tzinfo=KABUL), status=Communique.Status.WITHDRAWN
    )
    published("french-only", dt.datetime(2019, 7, 3, tzinfo=KABUL), title_fa_af="", body_fa_af="")


def test_saratan_1398_lists_exactly_the_communiques_published_then_in_kabul(
    client, around_saratan_1398
):
    response = client.get(saratan_1398())

    assert response.status_code == 200
    assert slugs(response) == ["last-day", "middle", "first-day"]


@time_machine.travel(dt.datetime(2019, 7, 10, 12, 0, tzinfo=UTC), tick=False)
def test_the_current_month_lists_only_what_is_already_public(client):
    published("yesterday", dt.datetime(2019, 7, 9, 12, 0, tzinfo=UTC))
    published("tomorrow", dt.datetime(2019, 7, 11, 12, 0, tzinfo=UTC))

    response = client.get(saratan_1398())

    assert slugs(response) == ["yesterday"]


def test_the_gregorian_archive_in_french_lists_the_french_communiques_of_the_month(client):
    published("may", dt.datetime(2019, 5, 31, 12, 0, tzinfo=KABUL))
    # 20:00 UTC on 30 June is 00:30 on 1 July in Kabul.
    published("first-of-july", dt.datetime(2019, 6, 30, 20, 0, tzinfo=UTC))
    published("june", dt.datetime(2019, 6, 25, 12, 0, tzinfo=KABUL))
    published("dari-only", dt.datetime(2019, 6, 26, tzinfo=KABUL), title_fr="", body_fr="")

    response = client.get(archive_url("archive-month", "fr", year=2019, month=6))

    assert response.status_code == 200
    assert slugs(response) == ["june"]
    assertContains(response, '<html lang="fr" dir="ltr">')
    assertContains(response, '<h1 class="page-title">juin 2019</h1>', html=True)
    # The month in the other calendar: 11 Jawza to 9 Saratan 1398.
    assertContains(
        response,
        '<p class="archive-span"><time datetime="2019-06-01">11 Jawza 1398</time> – '
        '<time datetime="2019-06-30">9 Saratan 1398</time></p>',
        html=True,
    )


def test_a_year_archive_lists_the_whole_solar_year(client):
    published("hut-1397", dt.datetime(2019, 3, 20, 12, 0, tzinfo=KABUL))
    published("hamal-1398", dt.datetime(2019, 3, 21, 12, 0, tzinfo=KABUL))
    published("hut-1398", dt.datetime(2020, 3, 19, 12, 0, tzinfo=KABUL))
    published("hamal-1399", dt.datetime(2020, 3, 20, 12, 0, tzinfo=KABUL))

    response = client.get(archive_url("solar-archive-year", year=1398))

    assert slugs(response) == ["hut-1398", "hamal-1398"]
    assertContains(response, '<h1 class="page-title">۱۳۹۸</h1>', html=True)


# --- What an archive page shows -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "language", "kwargs", "root", "heading"),
    [
        (
            "solar-archive-month",
            "fa-af",
            {"year": 1398, "month": 4},
            'lang="fa-AF" dir="rtl"',
            "سرطان ۱۳۹۸",
        ),
        (
            "solar-archive-month",
            "ps",
            {"year": 1398, "month": 4},
            'lang="ps" dir="rtl"',
            "چنګاښ ۱۳۹۸",
        ),
        (
            "archive-month",
            "fa-af",
            {"year": 2019, "month": 6},
            'lang="fa-AF" dir="rtl"',
            "جون ۲۰۱۹",
        ),
        ("archive-month", "fr", {"year": 2019, "month": 6}, 'lang="fr" dir="ltr"', "juin 2019"),
        ("archive-month", "en", {"year": 2019, "month": 6}, 'lang="en" dir="ltr"', "June 2019"),
    ],
)
def test_month_heading_is_written_in_the_reader_conventions(
    client, name, language, kwargs, root, heading
):
    CommuniqueFactory(
        published_at=dt.datetime(2019, 6, 25, 12, 0, tzinfo=KABUL),
        title_ps="د اعلامیې سرلیک",
        body_ps="<p>متن.</p>",
        title_en="A communiqué",
        body_en="<p>Text.</p>",
    )

    response = client.get(archive_url(name, language, **kwargs))

    assert response.status_code == 200
    assertContains(response, f"<html {root}>")
    assertContains(response, f'<h1 class="page-title">{heading}</h1>', html=True)
    assertContains(response, f"<title>{heading} · ", count=1)


def test_a_solar_month_shows_its_gregorian_span_and_a_way_back_to_its_year(client):
    CommuniqueFactory(published_at=dt.datetime(2019, 6, 25, 12, 0, tzinfo=KABUL))

    response = client.get(saratan_1398())

    assertContains(
        response,
        '<p class="archive-span"><time datetime="2019-06-22">۲۲ جون ۲۰۱۹</time> – '
        '<time datetime="2019-07-22">۲۲ جولای ۲۰۱۹</time></p>',
        html=True,
    )
    assertContains(
        response,
        f'<a href="{archive_url("solar-archive-year", year=1398)}">۱۳۹۸</a>',
        html=True,
    )


def test_a_past_month_without_communiques_says_so(client):
    CommuniqueFactory(published_at=dt.datetime(2019, 6, 25, 12, 0, tzinfo=KABUL))
    CommuniqueFactory(published_at=dt.datetime(2019, 9, 25, 12, 0, tzinfo=KABUL))

    response = client.get(archive_url("solar-archive-month", year=1398, month=5))

    assert response.status_code == 200
    assert slugs(response) == []
    assertContains(response, '<h1 class="page-title">اسد ۱۳۹۸</h1>', html=True)
    assertContains(
        response,
        '<p class="empty">در این مدت هیچ اعلامیه‌ای به این زبان نشر نشده است.</p>',
        html=True,
    )


def test_a_solar_archive_is_offered_in_pashto_but_not_in_french_or_english(client):
    CommuniqueFactory(published_at=dt.datetime(2019, 6, 25, 12, 0, tzinfo=KABUL))

    response = client.get(saratan_1398())

    versions = {version.code: version.url for version in response.context["language_versions"]}
    assert versions == {"fa-af": saratan_1398("fa-af"), "ps": saratan_1398("ps")}


def test_archive_pages_are_paginated_like_the_list(client, settings):
    settings.COMMUNIQUES_PER_PAGE = 2
    for day in (23, 24, 25):
        CommuniqueFactory(published_at=dt.datetime(2019, 6, day, 12, 0, tzinfo=KABUL))

    first = client.get(saratan_1398())
    second = client.get(saratan_1398(), {"page": 2})

    assert [c.published_at.day for c in first.context["communiques"]] == [25, 24]
    assert [c.published_at.day for c in second.context["communiques"]] == [23]
    assert client.get(saratan_1398(), {"page": 3}).status_code == 404


# --- Addresses that have no archive -------------------------------------------------------------


@time_machine.travel(dt.datetime(2019, 7, 10, 12, 0, tzinfo=UTC), tick=False)
@pytest.mark.parametrize(
    "path",
    [
        "/fa-af/archive/solar/1398/13/",
        "/fa-af/archive/solar/1398/00/",
        "/fa-af/archive/solar/1398/4/",
        "/fa-af/archive/2019/6/",
        "/fa-af/archive/19/06/",
        "/fa-af/archive/solar/۱۳۹۸/۰۴/",
        "/fa-af/archive/solar/0000/01/",
        "/fa-af/archive/0000/01/",
        "/fa-af/archive/solar/9999/12/",
        "/fa-af/archive/9999/12/",
        # Solar Hijri archives are for the readers who count in that calendar.
        "/fr/archive/solar/1398/04/",
        "/en/archive/solar/1398/",
        # Months to come, and months before the first communiqué.
        "/fa-af/archive/solar/1398/05/",
        "/fa-af/archive/2019/08/",
        "/fa-af/archive/2020/",
        "/fa-af/archive/solar/1398/02/",
        "/fa-af/archive/2018/",
    ],
)
def test_an_address_with_no_archive_answers_not_found(client, path):
    CommuniqueFactory(published_at=dt.datetime(2019, 6, 25, 12, 0, tzinfo=KABUL))

    response = client.get(path)

    assert response.status_code == 404
    # Positive control: the month of the communiqué has its page.
    assert client.get("/fa-af/archive/solar/1398/04/").status_code == 200


def test_no_archive_exists_before_anything_is_published(client):
    CommuniqueFactory(published_at=dt.datetime(2019, 6, 25, tzinfo=KABUL), status="draft")

    assert client.get(saratan_1398()).status_code == 404


# --- The index of months --------------------------------------------------------------------------


@pytest.fixture
def three_months():
    for moment in (
        dt.datetime(2019, 6, 23, 12, 0, tzinfo=KABUL),  # 2 Saratan 1398
        dt.datetime(2019, 6, 25, 12, 0, tzinfo=KABUL),  # 4 Saratan 1398
        dt.datetime(2019, 6, 10, 12, 0, tzinfo=KABUL),  # 20 Jawza 1398
        dt.datetime(2020, 3, 25, 12, 0, tzinfo=KABUL),  # 5 Hamal 1399
    ):
        CommuniqueFactory(published_at=moment)


def test_the_dari_list_links_the_solar_months_with_communiques_grouped_by_year(
    client, three_months
):
    response = client.get(archive_url("index", "fa-af"))

    index = [
        (year.year, year.count, [(month.name, month.count, month.url) for month in year.months])
        for year in response.context["archive_index"]
    ]
    assert index == [
        (1399, 1, [("حمل", 1, "/fa-af/archive/solar/1399/01/")]),
        (
            1398,
            3,
            [
                ("سرطان", 2, "/fa-af/archive/solar/1398/04/"),
                ("جوزا", 1, "/fa-af/archive/solar/1398/03/"),
            ],
        ),
    ]
    assertContains(
        response,
        '<a href="/fa-af/archive/solar/1398/04/">سرطان <span class="archive-count">(۲)</span></a>',
        html=True,
    )
    assertContains(
        response,
        '<a class="archive-year" href="/fa-af/archive/solar/1398/">'
        '۱۳۹۸ <span class="archive-count">(۳)</span></a>',
        html=True,
    )


def test_the_french_list_links_the_gregorian_months(client, three_months):
    response = client.get(archive_url("index", "fr"))

    assertContains(
        response,
        '<a href="/fr/archive/2019/06/">juin <span class="archive-count">(3)</span></a>',
        html=True,
    )
    assertContains(
        response,
        '<a href="/fr/archive/2020/03/">mars <span class="archive-count">(1)</span></a>',
        html=True,
    )
    assertNotContains(response, "/archive/solar/")


def test_the_index_marks_the_month_being_read(client, three_months):
    response = client.get(saratan_1398())

    assertContains(
        response,
        '<a href="/fa-af/archive/solar/1398/04/" aria-current="page">'
        'سرطان <span class="archive-count">(۲)</span></a>',
        html=True,
    )


def test_the_index_counts_the_kabul_date_not_the_utc_one(client):
    # 23:30 UTC on the last day of Jawza is the first of Saratan in Kabul.
    CommuniqueFactory(published_at=dt.datetime(2019, 6, 21, 23, 30, tzinfo=UTC))

    response = client.get(archive_url("index", "fa-af"))

    [year] = response.context["archive_index"]
    assert [month.url for month in year.months] == ["/fa-af/archive/solar/1398/04/"]


def test_the_index_leaves_out_drafts_and_versions_in_other_languages(client):
    CommuniqueFactory(published_at=dt.datetime(2019, 6, 25, tzinfo=KABUL), status="draft")
    CommuniqueFactory(
        published_at=dt.datetime(2019, 7, 25, tzinfo=KABUL), title_fa_af="", body_fa_af=""
    )

    assert client.get(archive_url("index", "fa-af")).context["archive_index"] == []
    [year] = client.get(archive_url("index", "fr")).context["archive_index"]
    assert [(month.name, month.count) for month in year.months] == [("juillet", 1)]


# --- Query budget ---------------------------------------------------------------------------------


def queries_for(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "path",
    [
        "/fa-af/",
        "/fa-af/archive/solar/1398/04/",
        "/fa-af/archive/solar/1398/",
        "/fr/archive/2019/06/",
    ],
)
def test_archive_pages_use_a_constant_number_of_queries(client, path):
    CommuniqueFactory(published_at=dt.datetime(2019, 6, 25, 12, 0, tzinfo=KABUL))
    few = queries_for(client, path)
    for day in range(1, 28):
        # Spread over two months and two Solar years, so that the index grows too.
        CommuniqueFactory(published_at=dt.datetime(2019, 6, day, 12, 0, tzinfo=KABUL))
        CommuniqueFactory(published_at=dt.datetime(2020, 3, day, 12, 0, tzinfo=KABUL))

    many = queries_for(client, path)

    # The language's list (the index, the period's communiqués and their count), the page, the
    # images of the page, the site settings, the categories.
    assert few == many == 5
