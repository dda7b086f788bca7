import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from communiques import dates

SAMPLE_DAY = dt.date(2019, 6, 25)


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
