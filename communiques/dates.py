"""Dates in Gregorian and Solar Hijri, written the way each language writes them.

Every date a reader sees goes through this module. The conventions of each language are data
(`CONVENTIONS`), with their sources in the README; conversion is jdatetime's, whose leap
years follow the official Iranian calendar table. Machine-readable dates stay ISO 8601 and
never come from here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import jdatetime
from django.utils import timezone

Style = Literal["short", "long"]

ASCII_DIGITS = "0123456789"
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"  # U+06F0..U+06F9, used for Dari, Pashto and Persian
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"  # U+0660..U+0669, Arabic: normalised away on input

# Solar Hijri month names (CALENDAR-NAMES.md, table a).
AFGHAN_SOLAR_MONTHS = (
    "حمل", "ثور", "جوزا", "سرطان", "اسد", "سنبله",
    "میزان", "عقرب", "قوس", "جدی", "دلو", "حوت",
)  # fmt: skip
# CLDR writes غبرگولی/چنگاښ with Persian گ; standard Pashto spelling, and CLDR's own «اګست»,
# use ګ (U+06AB).
PASHTO_SOLAR_MONTHS = (
    "وری", "غویی", "غبرګولی", "چنګاښ", "زمری", "وږی",
    "تله", "لړم", "لیندۍ", "مرغومی", "سلواغه", "کب",
)  # fmt: skip
IRANIAN_SOLAR_MONTHS = (
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
)  # fmt: skip
AFGHAN_SOLAR_MONTHS_LATIN = (
    "Hamal", "Sawr", "Jawza", "Saratan", "Asad", "Sonbola",
    "Mizan", "Aqrab", "Qaws", "Jadi", "Dalw", "Hut",
)  # fmt: skip

# Gregorian month names (CALENDAR-NAMES.md, table b). Afghanistan uses English-derived names,
# Iran French-derived ones: never fall back from one to the other.
DARI_GREGORIAN_MONTHS = (
    "جنوری", "فبروری", "مارچ", "اپریل", "می", "جون",
    "جولای", "اگست", "سپتمبر", "اکتوبر", "نومبر", "دسمبر",
)  # fmt: skip
PASHTO_GREGORIAN_MONTHS = (
    "جنوري", "فبروري", "مارچ", "اپریل", "مۍ", "جون",
    "جولای", "اګست", "سېپتمبر", "اکتوبر", "نومبر", "دسمبر",
)  # fmt: skip
IRANIAN_GREGORIAN_MONTHS = (
    "ژانویه", "فوریه", "مارس", "آوریل", "مه", "ژوئن",
    "ژوئیه", "اوت", "سپتامبر", "اکتبر", "نوامبر", "دسامبر",
)  # fmt: skip
FRENCH_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

# Weekdays, Monday first (ISO 1..7). Dari follows the communiqués' own spelling («سه شنبه»,
# with a space); Pashto follows CLDR 48, pinned here because CLDR 49 changed it.
DARI_WEEKDAYS = ("دو شنبه", "سه شنبه", "چهار شنبه", "پنج شنبه", "جمعه", "شنبه", "یک شنبه")
PASHTO_WEEKDAYS = ("دونۍ", "درېنۍ", "څلرنۍ", "پينځنۍ", "جمعه", "اونۍ", "يونۍ")
IRANIAN_WEEKDAYS = ("دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه", "یکشنبه")
FRENCH_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
ENGLISH_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Convention:
    """How one language writes a date."""

    gregorian_months: tuple[str, ...]
    solar_months: tuple[str, ...]
    weekdays: tuple[str, ...]
    digits: str
    gregorian_era: str
    solar_era: str
    # "{gregorian}" and "{solar}" are filled in; the long form adds weekday and era words.
    short_dual: str
    long_dual: str
    first_ordinal: str = ""  # French writes "1er juin"

    def number(self, value: int) -> str:
        # Transliterated, never number-formatted: a year is not «۲٬۰۱۹».
        return str(value).translate(str.maketrans(ASCII_DIGITS, self.digits))


DARI = Convention(
    gregorian_months=DARI_GREGORIAN_MONTHS,
    solar_months=AFGHAN_SOLAR_MONTHS,
    weekdays=DARI_WEEKDAYS,
    digits=PERSIAN_DIGITS,
    gregorian_era="میلادی",
    solar_era="هجری شمسی",
    short_dual="{gregorian} / {solar}",
    long_dual="{weekday} {gregorian} {gregorian_era} ({solar} {solar_era})",
)
PASHTO = Convention(
    gregorian_months=PASHTO_GREGORIAN_MONTHS,
    solar_months=PASHTO_SOLAR_MONTHS,
    weekdays=PASHTO_WEEKDAYS,
    digits=PERSIAN_DIGITS,
    gregorian_era="میلادي",
    solar_era="لمریز",
    short_dual="{gregorian} / {solar}",
    long_dual="{weekday} {gregorian} {gregorian_era} ({solar} {solar_era})",
)
IRANIAN_PERSIAN = Convention(
    gregorian_months=IRANIAN_GREGORIAN_MONTHS,
    solar_months=IRANIAN_SOLAR_MONTHS,
    weekdays=IRANIAN_WEEKDAYS,
    digits=PERSIAN_DIGITS,
    gregorian_era="میلادی",
    solar_era="هجری شمسی",
    # In Iran the Solar Hijri date comes first.
    short_dual="{solar} / {gregorian}",
    long_dual="{weekday} {solar} {solar_era} ({gregorian} {gregorian_era})",
)
FRENCH = Convention(
    gregorian_months=FRENCH_MONTHS,
    solar_months=AFGHAN_SOLAR_MONTHS_LATIN,
    weekdays=FRENCH_WEEKDAYS,
    digits=ASCII_DIGITS,
    gregorian_era="",
    solar_era="de l’hégire solaire",
    short_dual="{gregorian} ({solar})",
    long_dual="{weekday} {gregorian} ({solar} {solar_era})",
    first_ordinal="er",
)
ENGLISH = Convention(
    gregorian_months=ENGLISH_MONTHS,
    solar_months=AFGHAN_SOLAR_MONTHS_LATIN,
    weekdays=ENGLISH_WEEKDAYS,
    digits=ASCII_DIGITS,
    gregorian_era="",
    solar_era="SH",
    short_dual="{gregorian} ({solar})",
    long_dual="{weekday} {gregorian} ({solar} {solar_era})",
)

CONVENTIONS: dict[str, Convention] = {
    "fa-af": DARI,
    "ps": PASHTO,
    "fa": IRANIAN_PERSIAN,
    "fr": FRENCH,
    "en": ENGLISH,
}


def convention_for(language: str) -> Convention:
    """Return the convention of a language code, falling back from a region to its language."""
    code = language.lower().replace("_", "-")
    if code in CONVENTIONS:
        return CONVENTIONS[code]
    base = code.split("-")[0]
    return CONVENTIONS.get(base, ENGLISH)


def local_date(value: dt.date | dt.datetime) -> dt.date:
    """Return the calendar date of a value in the embassy's time zone."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


def to_solar_hijri(value: dt.date | dt.datetime) -> tuple[int, int, int]:
    """Return (year, month, day) in the Solar Hijri calendar."""
    day = local_date(value)
    # An explicit locale spares jdatetime two system-locale look-ups per object.
    solar = jdatetime.date.fromgregorian(date=day, locale="fa_IR")
    return solar.year, solar.month, solar.day


def from_solar_hijri(year: int, month: int, day: int) -> dt.date:
    """Return the Gregorian date of a Solar Hijri date; raise ValueError if there is none."""
    return jdatetime.date(year, month, day, locale="fa_IR").togregorian()


def _day(convention: Convention, day: int) -> str:
    text = convention.number(day)
    return text + convention.first_ordinal if day == 1 else text


def format_gregorian(value: dt.date | dt.datetime, language: str) -> str:
    """Return the Gregorian date as day, month name and year: «۲۵ جون ۲۰۱۹»."""
    convention = convention_for(language)
    day = local_date(value)
    month = convention.gregorian_months[day.month - 1]
    return f"{_day(convention, day.day)} {month} {convention.number(day.year)}"


def format_solar_hijri(value: dt.date | dt.datetime, language: str) -> str:
    """Return the Solar Hijri date as day, month name and year: «۴ سرطان ۱۳۹۸»."""
    convention = convention_for(language)
    year, month, day = to_solar_hijri(value)
    return f"{_day(convention, day)} {convention.solar_months[month - 1]} {convention.number(year)}"


def format_dual(value: dt.date | dt.datetime, language: str, style: Style = "short") -> str:
    """Return both dates the way the language writes them side by side."""
    convention = convention_for(language)
    pattern = convention.long_dual if style == "long" else convention.short_dual
    text = pattern.format(
        gregorian=format_gregorian(value, language),
        solar=format_solar_hijri(value, language),
        weekday=convention.weekdays[local_date(value).isoweekday() - 1],
        gregorian_era=convention.gregorian_era,
        solar_era=convention.solar_era,
    )
    return " ".join(text.split())


def normalize_digits(value: str) -> str:
    """Return the text with Persian and Arabic-Indic digits replaced by ASCII ones."""
    return value.translate(str.maketrans(PERSIAN_DIGITS + ARABIC_INDIC_DIGITS, ASCII_DIGITS * 2))
