import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from persiantools.jdatetime import JalaliDate

from communiques import dates

SAMPLE_DAY = dt.date(2019, 6, 25)
DEMO = Path(__file__).resolve().parent.parent / "demo"
SAMPLE = DEMO / "coalition-against-daesh-2019-06-25.fa-AF.txt"
# The range the conversion is proved on: from the start of the current Iranian month structure
# (Nowruz 1304) to the end of the century.
FIRST_DAY = dt.date(1925, 3, 21)
LAST_DAY = dt.date(2100, 12, 31)


@pytest.mark.parametrize(
    ("language", "short", "long"),
    [
        (
            "fa-af",
            "۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸",
            "سه شنبه ۲۵ جون ۲۰۱۹ میلادی (۴ سرطان ۱۳۹۸ هجری شمسی)",
        ),
        ("ps", "۲۵ جون ۲۰۱۹ / ۴ چنګاښ ۱۳۹۸", "درېنۍ ۲۵ جون ۲۰۱۹ میلادي (۴ چنګاښ ۱۳۹۸ لمریز)"),
        ("fa", "۴ تیر ۱۳۹۸ / ۲۵ ژوئن ۲۰۱۹", "سه‌شنبه ۴ تیر ۱۳۹۸ هجری شمسی (۲۵ ژوئن ۲۰۱۹ میلادی)"),
        (
            "fr",
            "25 juin 2019 (4 Saratan 1398)",
            "mardi 25 juin 2019 (4 Saratan 1398 de l’hégire solaire)",
        ),
        ("en", "25 June 2019 (4 Saratan 1398)", "Tuesday 25 June 2019 (4 Saratan 1398 SH)"),
    ],
)
def test_the_sample_date_is_written_in_each_languages_conventions(language, short, long):
    assert dates.format_dual(SAMPLE_DAY, language) == short
    assert dates.format_dual(SAMPLE_DAY, language, "long") == long


def test_the_publication_date_of_the_sample_reads_as_on_the_embassy_site():
    assert dates.format_dual(dt.date(2019, 7, 8), "fa-af") == "۸ جولای ۲۰۱۹ / ۱۷ سرطان ۱۳۹۸"


@pytest.mark.parametrize(
    ("gregorian", "solar"),
    [
        (dt.date(2019, 3, 23), (1398, 1, 3)),  # the sample's «۲۳ مارچ ۲۰۱۹ (۳ حمل ۱۳۹۸)»
        (dt.date(2025, 3, 20), (1403, 12, 30)),  # 1403 is a leap year
        (dt.date(2025, 3, 21), (1404, 1, 1)),  # Nowruz 1404, where 2820-year-cycle libraries err
        (dt.date(2026, 3, 21), (1405, 1, 1)),
        (dt.date(2020, 3, 20), (1399, 1, 1)),
    ],
)
def test_conversion_follows_the_official_calendar(gregorian, solar):
    assert dates.to_solar_hijri(gregorian) == solar
    assert dates.from_solar_hijri(*solar) == gregorian


def test_a_late_evening_publication_in_utc_is_dated_the_next_day_in_kabul(settings):
    settings.TIME_ZONE = "Asia/Kabul"
    moment = dt.datetime(2019, 6, 24, 20, 0, tzinfo=ZoneInfo("UTC"))  # 00:30 on the 25th in Kabul

    assert dates.local_date(moment) == SAMPLE_DAY
    assert dates.format_dual(moment, "fa-af") == "۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸"


def test_years_are_never_number_formatted_with_group_separators():
    text = dates.format_gregorian(dt.date(2019, 1, 1), "fa-af")

    assert "۲۰۱۹" in text
    assert "٬" not in text and "," not in text


def test_french_writes_the_first_of_the_month_as_an_ordinal():
    assert dates.format_gregorian(dt.date(2020, 3, 1), "fr") == "1er mars 2020"


def test_a_regional_code_falls_back_to_its_language_and_unknown_ones_to_english():
    assert dates.convention_for("fa_AF") is dates.DARI
    assert dates.convention_for("fr-ca") is dates.FRENCH
    assert dates.convention_for("de") is dates.ENGLISH


def test_a_solar_date_that_does_not_exist_is_refused():
    with pytest.raises(ValueError):
        dates.from_solar_hijri(1398, 12, 31)


def test_persian_and_arabic_digits_normalise_to_ascii():
    assert dates.normalize_digits("۲۰۱۹ و ٢٠١٩") == "2019 و 2019"


# --- Conversion, proved ------------------------------------------------------------------------


def days(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def test_conversion_agrees_with_persiantools_on_every_day_from_1925_to_2100():
    disagreements = []
    for day in days(FIRST_DAY, LAST_DAY):
        theirs = JalaliDate.to_jalali(day)
        if dates.to_solar_hijri(day) != (theirs.year, theirs.month, theirs.day):
            disagreements.append(day)

    assert disagreements == []
    assert dates.to_solar_hijri(FIRST_DAY) == (1304, 1, 1)


def test_solar_to_gregorian_to_solar_is_the_identity_and_walks_day_by_day():
    last = dates.to_solar_hijri(LAST_DAY)
    expected_gregorian = FIRST_DAY
    wrong = []
    for year in range(1304, last[0] + 1):
        for month in range(1, 13):
            # Months 1-6 have 31 days, 7-11 have 30, the last 29 or 30: the first refusal ends it.
            for day in range(1, 32):
                solar = (year, month, day)
                if solar > last:
                    break
                try:
                    gregorian = dates.from_solar_hijri(*solar)
                except ValueError:
                    break
                if gregorian != expected_gregorian or dates.to_solar_hijri(gregorian) != solar:
                    wrong.append(solar)
                expected_gregorian += dt.timedelta(days=1)

    assert wrong == []
    # Every day of the range was reached once, in order, and none beyond it.
    assert expected_gregorian == LAST_DAY + dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("year", "nowruz"),
    [
        (1399, dt.date(2020, 3, 20)),
        (1400, dt.date(2021, 3, 21)),
        (1401, dt.date(2022, 3, 21)),
        (1402, dt.date(2023, 3, 21)),
        (1403, dt.date(2024, 3, 20)),
        (1404, dt.date(2025, 3, 21)),
        (1405, dt.date(2026, 3, 21)),
    ],
)
def test_nowruz_falls_on_the_official_day(year, nowruz):
    assert dates.from_solar_hijri(year, 1, 1) == nowruz
    assert dates.to_solar_hijri(nowruz) == (year, 1, 1)
    assert dates.to_solar_hijri(nowruz - dt.timedelta(days=1))[0] == year - 1


def test_only_leap_years_have_a_thirtieth_of_hut():
    assert dates.from_solar_hijri(1403, 12, 30) == dt.date(2025, 3, 20)
    with pytest.raises(ValueError):
        dates.from_solar_hijri(1404, 12, 30)


@pytest.mark.parametrize(
    ("time_zone", "moment", "day"),
    [
        # 23:30 UTC is 04:00 the next morning in Kabul (UTC+4:30), 01:30 in Paris in summer.
        ("Asia/Kabul", dt.datetime(2019, 6, 24, 23, 30, tzinfo=dt.UTC), dt.date(2019, 6, 25)),
        ("Europe/Paris", dt.datetime(2019, 6, 24, 23, 30, tzinfo=dt.UTC), dt.date(2019, 6, 25)),
        # 19:29 UTC is still 23:59 in Kabul, 19:30 already the next day.
        ("Asia/Kabul", dt.datetime(2019, 6, 24, 19, 29, tzinfo=dt.UTC), dt.date(2019, 6, 24)),
        ("Asia/Kabul", dt.datetime(2019, 6, 24, 19, 30, tzinfo=dt.UTC), dt.date(2019, 6, 25)),
        # The last evening of 1403 in UTC is already Nowruz 1404 in Kabul.
        ("Asia/Kabul", dt.datetime(2025, 3, 20, 21, 0, tzinfo=dt.UTC), dt.date(2025, 3, 21)),
    ],
)
def test_a_moment_near_midnight_utc_is_dated_by_the_embassy_clock(settings, time_zone, moment, day):
    settings.TIME_ZONE = time_zone

    assert dates.local_date(moment) == day
    assert dates.to_solar_hijri(moment) == dates.to_solar_hijri(day)
    assert dates.format_dual(moment, "fa-af", "long") == dates.format_dual(day, "fa-af", "long")


# --- Writing, every language and style ---------------------------------------------------------

# (language, calendar, style) → the sample's date, Tuesday 25 June 2019 = 4 Saratan 1398.
EVERY_STYLE = {
    ("fa-af", "dual", "short"): "۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸",
    ("fa-af", "dual", "long"): "سه شنبه ۲۵ جون ۲۰۱۹ میلادی (۴ سرطان ۱۳۹۸ هجری شمسی)",
    ("fa-af", "gregorian", "short"): "۲۵ جون ۲۰۱۹",
    ("fa-af", "gregorian", "long"): "سه شنبه ۲۵ جون ۲۰۱۹ میلادی",
    ("fa-af", "solar", "short"): "۴ سرطان ۱۳۹۸",
    ("fa-af", "solar", "long"): "سه شنبه ۴ سرطان ۱۳۹۸ هجری شمسی",
    ("ps", "dual", "short"): "۲۵ جون ۲۰۱۹ / ۴ چنګاښ ۱۳۹۸",
    ("ps", "dual", "long"): "درېنۍ ۲۵ جون ۲۰۱۹ میلادي (۴ چنګاښ ۱۳۹۸ لمریز)",
    ("ps", "gregorian", "short"): "۲۵ جون ۲۰۱۹",
    ("ps", "gregorian", "long"): "درېنۍ ۲۵ جون ۲۰۱۹ میلادي",
    ("ps", "solar", "short"): "۴ چنګاښ ۱۳۹۸",
    ("ps", "solar", "long"): "درېنۍ ۴ چنګاښ ۱۳۹۸ لمریز",
    ("fa", "dual", "short"): "۴ تیر ۱۳۹۸ / ۲۵ ژوئن ۲۰۱۹",
    ("fa", "dual", "long"): "سه‌شنبه ۴ تیر ۱۳۹۸ هجری شمسی (۲۵ ژوئن ۲۰۱۹ میلادی)",
    ("fa", "gregorian", "short"): "۲۵ ژوئن ۲۰۱۹",
    ("fa", "gregorian", "long"): "سه‌شنبه ۲۵ ژوئن ۲۰۱۹ میلادی",
    ("fa", "solar", "short"): "۴ تیر ۱۳۹۸",
    ("fa", "solar", "long"): "سه‌شنبه ۴ تیر ۱۳۹۸ هجری شمسی",
    ("fr", "dual", "short"): "25 juin 2019 (4 Saratan 1398)",
    ("fr", "dual", "long"): "mardi 25 juin 2019 (4 Saratan 1398 de l’hégire solaire)",
    ("fr", "gregorian", "short"): "25 juin 2019",
    ("fr", "gregorian", "long"): "mardi 25 juin 2019",
    ("fr", "solar", "short"): "4 Saratan 1398",
    ("fr", "solar", "long"): "mardi 4 Saratan 1398 de l’hégire solaire",
    ("en", "dual", "short"): "25 June 2019 (4 Saratan 1398)",
    ("en", "dual", "long"): "Tuesday 25 June 2019 (4 Saratan 1398 SH)",
    ("en", "gregorian", "short"): "25 June 2019",
    ("en", "gregorian", "long"): "Tuesday 25 June 2019",
    ("en", "solar", "short"): "4 Saratan 1398",
    ("en", "solar", "long"): "Tuesday 4 Saratan 1398 SH",
}


@pytest.mark.parametrize(("key", "expected"), EVERY_STYLE.items(), ids=map("-".join, EVERY_STYLE))
def test_every_language_writes_every_calendar_and_style_exactly(key, expected):
    language, calendar, style = key

    assert dates.format_date(SAMPLE_DAY, language, calendar=calendar, style=style) == expected


def test_the_shorthands_are_format_date_with_their_calendar():
    for (language, calendar, style), expected in EVERY_STYLE.items():
        shorthand = {
            "dual": dates.format_dual,
            "gregorian": dates.format_gregorian,
            "solar": dates.format_solar_hijri,
        }[calendar]
        assert shorthand(SAMPLE_DAY, language, style) == expected


@pytest.mark.parametrize(
    ("language", "options", "expected"),
    [
        # The hand-written form of the sample's sentences: era words, the weekday apart.
        (
            "fa-af",
            {"style": "long", "weekday": False},
            "۲۵ جون ۲۰۱۹ میلادی (۴ سرطان ۱۳۹۸ هجری شمسی)",
        ),
        ("fa-af", {"style": "long", "era": False}, "سه شنبه ۲۵ جون ۲۰۱۹ (۴ سرطان ۱۳۹۸)"),
        ("fa-af", {"weekday": True}, "سه شنبه ۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸"),
        ("fa-af", {"era": True}, "۲۵ جون ۲۰۱۹ میلادی / ۴ سرطان ۱۳۹۸ هجری شمسی"),
        ("ps", {"style": "long", "weekday": False}, "۲۵ جون ۲۰۱۹ میلادي (۴ چنګاښ ۱۳۹۸ لمریز)"),
        ("fa", {"style": "long", "era": False}, "سه‌شنبه ۴ تیر ۱۳۹۸ (۲۵ ژوئن ۲۰۱۹)"),
        (
            "fr",
            {"style": "long", "weekday": False},
            "25 juin 2019 (4 Saratan 1398 de l’hégire solaire)",
        ),
        ("fr", {"era": True}, "25 juin 2019 (4 Saratan 1398 de l’hégire solaire)"),
        ("en", {"weekday": True}, "Tuesday 25 June 2019 (4 Saratan 1398)"),
        ("en", {"calendar": "solar", "era": True}, "4 Saratan 1398 SH"),
        (
            "fa-af",
            {"calendar": "gregorian", "style": "long", "weekday": False},
            "۲۵ جون ۲۰۱۹ میلادی",
        ),
    ],
)
def test_weekday_and_era_words_can_be_asked_for_or_left_out_whatever_the_style(
    language, options, expected
):
    assert dates.format_date(SAMPLE_DAY, language, **options) == expected


# 30 Hut 1403, the last day of a leap year, was Thursday 20 March 2025; the next is Nowruz.
LEAP_DAY = dt.date(2025, 3, 20)


@pytest.mark.parametrize(
    ("language", "short", "long"),
    [
        (
            "fa-af",
            "۲۰ مارچ ۲۰۲۵ / ۳۰ حوت ۱۴۰۳",
            "پنج شنبه ۲۰ مارچ ۲۰۲۵ میلادی (۳۰ حوت ۱۴۰۳ هجری شمسی)",
        ),
        ("ps", "۲۰ مارچ ۲۰۲۵ / ۳۰ کب ۱۴۰۳", "پينځنۍ ۲۰ مارچ ۲۰۲۵ میلادي (۳۰ کب ۱۴۰۳ لمریز)"),
        (
            "fa",
            "۳۰ اسفند ۱۴۰۳ / ۲۰ مارس ۲۰۲۵",
            "پنجشنبه ۳۰ اسفند ۱۴۰۳ هجری شمسی (۲۰ مارس ۲۰۲۵ میلادی)",
        ),
        (
            "fr",
            "20 mars 2025 (30 Hut 1403)",
            "jeudi 20 mars 2025 (30 Hut 1403 de l’hégire solaire)",
        ),
        ("en", "20 March 2025 (30 Hut 1403)", "Thursday 20 March 2025 (30 Hut 1403 SH)"),
    ],
)
def test_the_last_day_of_a_leap_year_is_written_in_each_language(language, short, long):
    assert dates.format_dual(LEAP_DAY, language) == short
    assert dates.format_dual(LEAP_DAY, language, "long") == long


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fa-af", "۲۱ مارچ ۲۰۲۵ / ۱ حمل ۱۴۰۴"),
        ("fr", "21 mars 2025 (1er Hamal 1404)"),
        ("en", "21 March 2025 (1 Hamal 1404)"),
    ],
)
def test_nowruz_after_a_leap_year_is_the_first_of_hamal(language, expected):
    assert dates.format_dual(LEAP_DAY + dt.timedelta(days=1), language) == expected


@pytest.mark.parametrize(
    ("names", "language", "expected"),
    [
        ("afghan", "fr", "mardi 25 juin 2019 (4 Saratan 1398 de l’hégire solaire)"),
        ("iranian", "fr", "mardi 25 juin 2019 (4 Tir 1398 de l’hégire solaire)"),
        ("iranian", "en", "Tuesday 25 June 2019 (4 Tir 1398 SH)"),
        # Dari, Pashto and Persian have names of their own, whatever the embassy's country.
        ("iranian", "fa-af", "سه شنبه ۲۵ جون ۲۰۱۹ میلادی (۴ سرطان ۱۳۹۸ هجری شمسی)"),
    ],
)
def test_french_and_english_spell_solar_months_as_the_embassys_country(
    settings, names, language, expected
):
    settings.COMMUNIQUES_SOLAR_MONTH_NAMES = names

    assert dates.format_dual(SAMPLE_DAY, language, "long") == expected


def test_an_unknown_solar_month_names_setting_is_refused(settings):
    settings.COMMUNIQUES_SOLAR_MONTH_NAMES = "persian"

    with pytest.raises(ImproperlyConfigured, match="COMMUNIQUES_SOLAR_MONTH_NAMES"):
        dates.format_dual(SAMPLE_DAY, "fr")


@pytest.mark.parametrize("options", [{"style": "medium"}, {"calendar": "lunar"}])
def test_an_unknown_style_or_calendar_is_refused(options):
    with pytest.raises(ValueError):
        dates.format_date(SAMPLE_DAY, "fa-af", **options)


# --- Reading -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "month"),
    [
        ("سرطان", ("solar", 4)),
        ("سنبله", ("solar", 6)),
        ("سنبلهٔ", ("solar", 6)),  # CLDR's hamza form
        ("چنګاښ", ("solar", 4)),
        ("چنگاښ", ("solar", 4)),  # CLDR's Persian گ
        ("Sonbola", ("solar", 6)),
        ("farvardin", ("solar", 1)),
        ("تیر", ("solar", 4)),
        ("جون", ("gregorian", 6)),
        ("جنوري", ("gregorian", 1)),
        ("جنوری", ("gregorian", 1)),
        ("مې", ("gregorian", 5)),
        ("août", ("gregorian", 8)),
        ("AOUT", ("gregorian", 8)),
        ("December", ("gregorian", 12)),
        ("ژوئن", ("gregorian", 6)),
        ("Paris", None),
    ],
)
def test_a_month_name_is_read_in_any_language_and_spelling(name, month):
    assert dates.parse_month_name(name) == month


def test_no_month_name_belongs_to_both_calendars():
    assert not set(dates.GREGORIAN_MONTH_NUMBERS) & set(dates.SOLAR_MONTH_NUMBERS)


@pytest.mark.parametrize(
    ("written", "calendar", "gregorian"),
    [
        ("۲۵ جون ۲۰۱۹", "gregorian", dt.date(2019, 6, 25)),
        ("٤ سرطان ١٣٩٨", "solar", dt.date(2019, 6, 25)),
        ("1er juin 2019", "gregorian", dt.date(2019, 6, 1)),
        ("4 Saratan 1398 SH", "solar", dt.date(2019, 6, 25)),
    ],
)
def test_a_written_date_is_read_with_its_calendar(written, calendar, gregorian):
    date = dates.parse_written_date(written)

    assert date.calendar == calendar
    assert date.to_gregorian() == gregorian


def test_a_written_date_that_is_no_real_day_is_read_but_has_no_gregorian_day():
    date = dates.parse_written_date("۳۱ حوت ۱۳۹۸")

    assert (date.year, date.month, date.day) == (1398, 12, 31)
    with pytest.raises(ValueError):
        date.to_gregorian()


@pytest.mark.parametrize("text", ["Paris", "25 people 2019", "2019-06-25", ""])
def test_text_that_is_not_a_written_date_is_not_read_as_one(text):
    assert dates.parse_written_date(text) is None


# --- The dual-date checker -----------------------------------------------------------------------


def language_of(path: Path) -> str:
    return path.name.split(".")[-2].lower()


@pytest.mark.parametrize("path", sorted(DEMO.glob("*.txt")), ids=lambda path: path.name)
def test_every_hand_written_pair_of_the_demo_is_found_and_agrees(path):
    text = path.read_text(encoding="utf-8")
    # Every pair carries a Solar Hijri era word, and the title's dateline has one more.
    eras = sum(text.count(word) for word in ("هجری شمسی", "لمریز", " SH)", "hégire solaire"))

    assert len(dates.find_dual_date_pairs(text)) == eras + 1
    assert dates.check_dual_dates(text, language_of(path)) == []


def test_the_pairs_of_the_sample_are_read_as_written():
    pairs = dates.find_dual_date_pairs(SAMPLE.read_text(encoding="utf-8"))

    assert pairs == [
        "۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸",
        "۲۵ جون ۲۰۱۹ میلادی (۴ سرطان ۱۳۹۸ هجری شمسی)",
        "سال ۲۰۱۴ میلادی (سال ۱۳۹۳ هجری شمسی)",
        "۲۳ مارچ ۲۰۱۹ میلادی (۳ حمل ۱۳۹۸ هجری شمسی)",
        "سال ۲۰۱۴ میلادی ( سال ۱۳۹۳ هجری شمسی)",
        "سال ۲۰۱۸ میلادی (سال ۱۳۹۷ هجری شمسی)",
    ]


@pytest.mark.parametrize(
    ("old", "new", "pair", "expected"),
    [
        (
            "میلادی (۴ سرطان",
            "میلادی (۵ سرطان",
            "۲۵ جون ۲۰۱۹ میلادی (۵ سرطان ۱۳۹۸ هجری شمسی)",
            ("۴ سرطان ۱۳۹۸",),
        ),
        (
            "۲۳ مارچ ۲۰۱۹",
            "۲۴ مارچ ۲۰۱۹",
            "۲۴ مارچ ۲۰۱۹ میلادی (۳ حمل ۱۳۹۸ هجری شمسی)",
            ("۴ حمل ۱۳۹۸",),
        ),
        (
            "(۳ حمل ۱۳۹۸",
            "(۳ ثور ۱۳۹۸",
            "۲۳ مارچ ۲۰۱۹ میلادی (۳ ثور ۱۳۹۸ هجری شمسی)",
            ("۳ حمل ۱۳۹۸",),
        ),
        (
            "(۳ حمل ۱۳۹۸",
            "(۳ حمل ۱۳۹۷",
            "۲۳ مارچ ۲۰۱۹ میلادی (۳ حمل ۱۳۹۷ هجری شمسی)",
            ("۳ حمل ۱۳۹۸",),
        ),
        (
            "سال ۱۳۹۳",
            "سال ۱۳۹۱",
            "سال ۲۰۱۴ میلادی (سال ۱۳۹۱ هجری شمسی)",
            ("۱۳۹۲", "۱۳۹۳"),
        ),
        (
            "سال ۲۰۱۸",
            "سال ۲۰۲۰",
            "سال ۲۰۲۰ میلادی (سال ۱۳۹۷ هجری شمسی)",
            ("۱۳۹۸", "۱۳۹۹"),
        ),
        (
            "/ ۴ سرطان",
            "/ ۴ اسد",
            "۲۵ جون ۲۰۱۹ / ۴ اسد ۱۳۹۸",
            ("۴ سرطان ۱۳۹۸",),
        ),
        (
            "میلادی (۴ سرطان",
            "میلادی (۳۲ سرطان",
            "۲۵ جون ۲۰۱۹ میلادی (۳۲ سرطان ۱۳۹۸ هجری شمسی)",
            ("۴ سرطان ۱۳۹۸",),
        ),
    ],
    ids=["solar-day", "gregorian-day", "month-name", "solar-year", "year-pair", "gregorian-year",
         "dateline", "no-such-day"],
)  # fmt: skip
def test_each_wrong_pair_of_a_mutated_sample_is_found(old, new, pair, expected):
    text = SAMPLE.read_text(encoding="utf-8")
    assert text.count(old) >= 1

    findings = dates.check_dual_dates(text.replace(old, new, 1), "fa-af")

    assert [(finding.text, finding.expected) for finding in findings] == [(pair, expected)]


def test_several_wrong_pairs_are_all_found_in_order():
    text = SAMPLE.read_text(encoding="utf-8")
    for old, new in (("(۴ سرطان", "(۵ سرطان"), ("(۳ حمل", "(۴ حمل"), ("(سال ۱۳۹۷", "(سال ۱۳۹۰")):
        text = text.replace(old, new, 1)

    findings = dates.check_dual_dates(text, "fa-af")

    assert [finding.second for finding in findings] == ["۵ سرطان ۱۳۹۸", "۴ حمل ۱۳۹۸", "۱۳۹۰"]


def test_a_finding_says_both_dates_and_what_the_second_should_read():
    [finding] = dates.check_dual_dates(
        "بروز ۲۵ جون ۲۰۱۹ میلادی (۵ سرطان ۱۳۹۸ هجری شمسی) در", "fa-af"
    )

    assert finding.start == 5
    assert (finding.first, finding.second) == ("۲۵ جون ۲۰۱۹", "۵ سرطان ۱۳۹۸")
    assert (finding.first_date, finding.second_date) == (dt.date(2019, 6, 25), dt.date(2019, 6, 26))
    with translation.override("en"):
        assert finding.describe() == (
            "«۲۵ جون ۲۰۱۹ میلادی (۵ سرطان ۱۳۹۸ هجری شمسی)»: «۲۵ جون ۲۰۱۹» is 2019-06-25 but "
            "«۵ سرطان ۱۳۹۸» is 2019-06-26; it should read «۴ سرطان ۱۳۹۸»."
        )


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # Pashto, with either گ and either yeh.
        ("د ۲۵ جون ۲۰۱۹ میلادي (۵ چنګاښ ۱۳۹۸ لمریز) په ورځ", "ps", "۴ چنګاښ ۱۳۹۸"),
        ("د ۲۵ جون ۲۰۱۹ میلادی (۵ چنگاښ ۱۳۹۸ هجري لمریز) په ورځ", "ps", "۴ چنګاښ ۱۳۹۸"),
        ("له ۲۰۱۴ میلادي کال (۱۳۹۱ لمریز کال) راهیسې", "ps", "۱۳۹۲"),
        # Iranian Persian: the Solar Hijri date first, Iranian month names.
        ("در ۴ تیر ۱۳۹۸ هجری شمسی (۲۶ ژوئن ۲۰۱۹ میلادی)", "fa", "۲۵ ژوئن ۲۰۱۹"),
        ("۴ تیر ۱۳۹۸ / ۲۶ ژوئن ۲۰۱۹", "fa", "۲۵ ژوئن ۲۰۱۹"),
        ("سال ۱۳۹۳ هجری شمسی (سال ۲۰۱۶ میلادی)", "fa", "۲۰۱۴"),
        # ASCII and Arabic-Indic digits, a zero-width non-joiner in the era, the hamza spelling.
        ("25 جون 2019 میلادی (5 سرطان 1398 هجری شمسی)", "fa-af", "۴ سرطان ۱۳۹۸"),
        ("٢٥ جون ٢٠١٩ میلادی (٥ سرطان ١٣٩٨ هجری‌شمسی)", "fa-af", "۴ سرطان ۱۳۹۸"),
        ("۲۳ اگست ۲۰۱۹ (۲ سنبلهٔ ۱۳۹۸)", "fa-af", "۱ سنبله ۱۳۹۸"),
        # The forms of the French and English translations.
        ("le mardi 25 juin 2019 (5 Saratan 1398 de l’hégire solaire), une", "fr", "4 Saratan 1398"),
        ("le 21 janvier 2020 (2 Dalw 1398 de l'hégire solaire)", "fr", "1er Dalw 1398"),
        ("créée à l’été 2014 (1390 de l’hégire solaire) afin", "fr", "1392"),
        ("On Tuesday 25 June 2019 (5 Saratan 1398 SH), France", "en", "4 Saratan 1398"),
        ("formed in the summer of 2014 (1391 SH) to", "en", "1392"),
    ],
)  # fmt: skip
def test_wrong_pairs_are_found_in_every_language_script_and_spelling(text, language, expected):
    [finding] = dates.check_dual_dates(text, language)

    assert finding.expected[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "د ۲۵ جون ۲۰۱۹ میلادي (۴ چنګاښ ۱۳۹۸ لمریز) په ورځ",
        "در ۴ تیر ۱۳۹۸ هجری شمسی (۲۵ ژوئن ۲۰۱۹ میلادی)",
        "٢٥ جون ٢٠١٩ میلادی (٤ سرطان ١٣٩٨ هجری شمسی)",
        # A Gregorian year overlaps two Solar Hijri years: both are right.
        "سال ۲۰۱۴ میلادی (سال ۱۳۹۲ هجری شمسی)",
        "سال ۲۰۱۴ میلادی (سال ۱۳۹۳ هجری شمسی)",
        "in 2014 (1393)",
        # Not pairs: a range, a year before a dateline, a date paired with a year, one calendar.
        "سال تحصیلی ۲۰۲۰-۲۰۲۱ (۵ نومبر ۲۰۱۹ / ۱۴ عقرب ۱۳۹۸)",
        "Nowruz 1400 (20 March 2021 / 30 Hut 1399)",
        "25 June 2019 (1398 SH)",
        "du 25 juin 2019 (26 juin 2019)",
    ],
)
def test_right_pairs_and_what_is_no_pair_are_not_reported(text):
    assert dates.check_dual_dates(text, "fa-af") == []


def test_a_date_that_is_no_real_day_is_reported_as_such():
    [finding] = dates.check_dual_dates("le 30 février 2019 (11 Hut 1397)", "fr")

    assert finding.first_date is None
    assert finding.expected == ()
    with translation.override("en"):
        assert (
            finding.describe()
            == "«30 février 2019 (11 Hut 1397)»: «30 février 2019» is not a real day."
        )
