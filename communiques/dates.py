"""Dates in Gregorian and Solar Hijri, written and read the way each language writes them.

Every date a reader sees goes through this module, and so does every date read back from text:
- conversion: `to_solar_hijri`, `from_solar_hijri`, `local_date` (jdatetime, whose leap years
  follow the official Iranian table; a moment is dated by the embassy's clock);
- writing: `format_date` and its shorthands `format_dual`, `format_gregorian`,
  `format_solar_hijri`, in one language's conventions (`CONVENTIONS`: data, not code paths,
  with their sources in CALENDAR-NAMES.md);
- reading: `parse_month_name` and `parse_written_date` take any language's spelling;
  `check_dual_dates` finds hand-written pairs such as «۲۵ جون ۲۰۱۹ (۴ سرطان ۱۳۹۸)» whose halves
  disagree.
Machine-readable dates stay ISO 8601 and never come from here. Nothing here knows the ORM or HTTP.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterator
from typing import Literal, NamedTuple

import jdatetime
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext

Style = Literal["short", "long"]
Calendar = Literal["gregorian", "solar"]
# What a formatted date shows: both calendars side by side, or one of them.
Calendars = Literal["dual", "gregorian", "solar"]

STYLES: tuple[Style, ...] = ("short", "long")
CALENDARS: tuple[Calendars, ...] = ("dual", "gregorian", "solar")

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
IRANIAN_SOLAR_MONTHS_LATIN = (
    "Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
    "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand",
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


# --- Conventions --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Convention:
    """How one language writes a date.

    The patterns are filled with "{weekday}" (empty unless asked for) and "{gregorian}",
    "{solar}" or "{date}", each a date followed by its era word when era words are asked for.
    """

    gregorian_months: tuple[str, ...]
    solar_months: tuple[str, ...]
    weekdays: tuple[str, ...]
    digits: str
    gregorian_era: str
    solar_era: str
    short_dual: str
    long_dual: str
    # One calendar alone.
    single: str = "{weekday} {date}"
    first_ordinal: str = ""  # French writes "1er juin"
    # Built once: a translation table per call would cost more than the rest of the formatting.
    _digit_table: dict[int, str] | None = dataclasses.field(
        init=False, repr=False, compare=False, default=None
    )
    # The days of a month as written, «۱» to «۳۱» or "1er" to "31", at their index.
    _days: tuple[str, ...] = dataclasses.field(init=False, repr=False, compare=False, default=())

    def __post_init__(self) -> None:
        if self.digits != ASCII_DIGITS:
            object.__setattr__(self, "_digit_table", str.maketrans(ASCII_DIGITS, self.digits))
        days = ("", self.number(1) + self.first_ordinal, *map(self.number, range(2, 32)))
        object.__setattr__(self, "_days", days)

    def number(self, value: int) -> str:
        # Transliterated, never number-formatted: a year is not «۲٬۰۱۹».
        text = str(value)
        return text.translate(self._digit_table) if self._digit_table else text

    def day(self, value: int) -> str:
        """Return a day of the month as written: French writes the first "1er"."""
        return self._days[value]


DARI = Convention(
    gregorian_months=DARI_GREGORIAN_MONTHS,
    solar_months=AFGHAN_SOLAR_MONTHS,
    weekdays=DARI_WEEKDAYS,
    digits=PERSIAN_DIGITS,
    gregorian_era="میلادی",
    solar_era="هجری شمسی",
    short_dual="{weekday} {gregorian} / {solar}",
    long_dual="{weekday} {gregorian} ({solar})",
)
PASHTO = Convention(
    gregorian_months=PASHTO_GREGORIAN_MONTHS,
    solar_months=PASHTO_SOLAR_MONTHS,
    weekdays=PASHTO_WEEKDAYS,
    digits=PERSIAN_DIGITS,
    gregorian_era="میلادي",
    solar_era="لمریز",
    short_dual="{weekday} {gregorian} / {solar}",
    long_dual="{weekday} {gregorian} ({solar})",
)
IRANIAN_PERSIAN = Convention(
    gregorian_months=IRANIAN_GREGORIAN_MONTHS,
    solar_months=IRANIAN_SOLAR_MONTHS,
    weekdays=IRANIAN_WEEKDAYS,
    digits=PERSIAN_DIGITS,
    gregorian_era="میلادی",
    solar_era="هجری شمسی",
    # In Iran the Solar Hijri date comes first.
    short_dual="{weekday} {solar} / {gregorian}",
    long_dual="{weekday} {solar} ({gregorian})",
)
FRENCH = Convention(
    gregorian_months=FRENCH_MONTHS,
    solar_months=AFGHAN_SOLAR_MONTHS_LATIN,
    weekdays=FRENCH_WEEKDAYS,
    digits=ASCII_DIGITS,
    gregorian_era="",
    solar_era="de l’hégire solaire",
    short_dual="{weekday} {gregorian} ({solar})",
    long_dual="{weekday} {gregorian} ({solar})",
    first_ordinal="er",
)
ENGLISH = Convention(
    gregorian_months=ENGLISH_MONTHS,
    solar_months=AFGHAN_SOLAR_MONTHS_LATIN,
    weekdays=ENGLISH_WEEKDAYS,
    digits=ASCII_DIGITS,
    gregorian_era="",
    solar_era="SH",
    short_dual="{weekday} {gregorian} ({solar})",
    long_dual="{weekday} {gregorian} ({solar})",
)

CONVENTIONS: dict[str, Convention] = {
    "fa-af": DARI,
    "ps": PASHTO,
    "fa": IRANIAN_PERSIAN,
    "fr": FRENCH,
    "en": ENGLISH,
}

# French and English transliterate the Solar Hijri month names the way the embassy's host
# country says them (setting COMMUNIQUES_SOLAR_MONTH_NAMES): Hamal in Kabul, Farvardin in Tehran.
SOLAR_MONTH_NAMES_SETTING = "COMMUNIQUES_SOLAR_MONTH_NAMES"
CONVENTIONS_BY_SOLAR_MONTH_NAMES: dict[str, dict[str, Convention]] = {
    "afghan": CONVENTIONS,
    "iranian": {
        **CONVENTIONS,
        "fr": dataclasses.replace(FRENCH, solar_months=IRANIAN_SOLAR_MONTHS_LATIN),
        "en": dataclasses.replace(ENGLISH, solar_months=IRANIAN_SOLAR_MONTHS_LATIN),
    },
}


def _conventions() -> dict[str, Convention]:
    names = getattr(settings, SOLAR_MONTH_NAMES_SETTING, "afghan")
    try:
        return CONVENTIONS_BY_SOLAR_MONTH_NAMES[names]
    except KeyError:
        raise ImproperlyConfigured(
            f"{SOLAR_MONTH_NAMES_SETTING} must be one of "
            f"{', '.join(map(repr, CONVENTIONS_BY_SOLAR_MONTH_NAMES))}, not {names!r}."
        ) from None


# Cached: every date formatted asks, and reading a setting costs more than formatting a number.
@functools.lru_cache(maxsize=64)
def convention_for(language: str) -> Convention:
    """Return the convention of a language code, falling back from a region to its language."""
    conventions = _conventions()
    code = language.lower().replace("_", "-")
    if code in conventions:
        return conventions[code]
    return conventions.get(code.split("-")[0], conventions["en"])


@receiver(setting_changed)
def _forget_conventions(*, setting: str, **kwargs: object) -> None:
    # override_settings (tests) may move the embassy to another country.
    if setting == SOLAR_MONTH_NAMES_SETTING:
        convention_for.cache_clear()


# --- Conversion ---------------------------------------------------------------------------------


def local_date(value: dt.date | dt.datetime) -> dt.date:
    """Return the calendar date of a value in the embassy's time zone (settings.TIME_ZONE)."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            # The embassy's zone, not the request's current one; and faster to look up.
            value = value.astimezone(timezone.get_default_timezone())
        return value.date()
    return value


@functools.lru_cache(maxsize=8192)
def _solar_of(day: dt.date) -> tuple[int, int, int]:
    # A page shows the same few days again and again; jdatetime builds an object for each.
    # An explicit locale spares jdatetime two system-locale look-ups per object.
    solar = jdatetime.date.fromgregorian(date=day, locale="fa_IR")
    return solar.year, solar.month, solar.day


def to_solar_hijri(value: dt.date | dt.datetime) -> tuple[int, int, int]:
    """Return (year, month, day) in the Solar Hijri calendar, of the embassy's calendar date."""
    return _solar_of(local_date(value))


def from_solar_hijri(year: int, month: int, day: int) -> dt.date:
    """Return the Gregorian date of a Solar Hijri date; raise ValueError if there is none."""
    return jdatetime.date(year, month, day, locale="fa_IR").togregorian()


# --- Writing ------------------------------------------------------------------------------------


def _with_era(text: str, era: str, show: bool) -> str:
    return f"{text} {era}" if show and era else text


def format_date(
    value: dt.date | dt.datetime,
    language: str,
    *,
    calendar: Calendars = "dual",
    style: Style = "short",
    weekday: bool | None = None,
    era: bool | None = None,
) -> str:
    """Return a date the way a language writes it.

    `calendar` chooses both calendars side by side, or one alone. The long style adds the
    weekday and era words, and writes a dual date with the second in parentheses; `weekday`
    and `era` override what the style would do.
    """
    if style not in STYLES:
        raise ValueError(f"Unknown date style {style!r}: use one of {STYLES}.")
    if calendar not in CALENDARS:
        raise ValueError(f"Unknown calendar {calendar!r}: use one of {CALENDARS}.")
    long = style == "long"
    show_weekday = long if weekday is None else weekday
    show_era = long if era is None else era
    convention = convention_for(language)
    day = local_date(value)

    parts = {
        "weekday": convention.weekdays[day.isoweekday() - 1] if show_weekday else "",
    }
    if calendar != "solar":
        gregorian = (
            f"{convention.day(day.day)} {convention.gregorian_months[day.month - 1]} "
            f"{convention.number(day.year)}"
        )
        parts["gregorian"] = _with_era(gregorian, convention.gregorian_era, show_era)
    if calendar != "gregorian":
        year, month, solar_day = _solar_of(day)
        solar = (
            f"{convention.day(solar_day)} {convention.solar_months[month - 1]} "
            f"{convention.number(year)}"
        )
        parts["solar"] = _with_era(solar, convention.solar_era, show_era)

    if calendar == "dual":
        pattern = convention.long_dual if long else convention.short_dual
    else:
        pattern = convention.single
        parts["date"] = parts[calendar]
    text = pattern.format_map(parts)
    # An empty weekday leaves a space behind, wherever the pattern puts it.
    return text if show_weekday else " ".join(text.split())


def format_dual(
    value: dt.date | dt.datetime,
    language: str,
    style: Style = "short",
    *,
    weekday: bool | None = None,
    era: bool | None = None,
) -> str:
    """Return both dates the way the language writes them side by side."""
    return format_date(value, language, calendar="dual", style=style, weekday=weekday, era=era)


def format_gregorian(
    value: dt.date | dt.datetime,
    language: str,
    style: Style = "short",
    *,
    weekday: bool | None = None,
    era: bool | None = None,
) -> str:
    """Return the Gregorian date as day, month name and year: «۲۵ جون ۲۰۱۹»."""
    return format_date(value, language, calendar="gregorian", style=style, weekday=weekday, era=era)


def format_solar_hijri(
    value: dt.date | dt.datetime,
    language: str,
    style: Style = "short",
    *,
    weekday: bool | None = None,
    era: bool | None = None,
) -> str:
    """Return the Solar Hijri date as day, month name and year: «۴ سرطان ۱۳۹۸»."""
    return format_date(value, language, calendar="solar", style=style, weekday=weekday, era=era)


# --- Reading ------------------------------------------------------------------------------------

_TO_ASCII_DIGITS = str.maketrans(PERSIAN_DIGITS + ARABIC_INDIC_DIGITS, ASCII_DIGITS * 2)


def localize_number(value: int, language: str) -> str:
    """Return a number in the digits of a language, never grouped: «۳» in Dari, "3" in French."""
    return convention_for(language).number(value)


def normalize_digits(value: str) -> str:
    """Return the text with Persian and Arabic-Indic digits replaced by ASCII ones."""
    return value.translate(_TO_ASCII_DIGITS)


_INVISIBLE = dict.fromkeys(map(ord, "\u200c\u200d\u200e\u200f\u061c\u0640\ufeff"))
# Letters written either way in Afghan text (CALENDAR-NAMES.md, "traps"): folded for comparison
# only, never for storage.
_LETTER_FOLDS = str.maketrans({"ي": "ی", "ى": "ی", "ې": "ی", "ۍ": "ی", "ك": "ک", "ګ": "گ"})


def fold_name(word: str) -> str:
    """Return a word reduced for comparison: no case, accents, hamza, joiners or letter variants."""
    decomposed = unicodedata.normalize("NFKD", word.translate(_INVISIBLE))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.casefold().translate(_LETTER_FOLDS)


def _month_numbers(tables: tuple[tuple[str, ...], ...], variants: dict[str, int]) -> dict[str, int]:
    numbers = {fold_name(name): number for names in tables for number, name in enumerate(names, 1)}
    numbers.update({fold_name(name): number for name, number in variants.items()})
    return numbers


# Spellings seen besides those of the tables above (CALENDAR-NAMES.md, tables a and b) that
# folding does not already reach: سنبلهٔ, چنگاښ or مې fold into the tables' spelling.
GREGORIAN_MONTH_NUMBERS = _month_numbers(
    (
        DARI_GREGORIAN_MONTHS,
        PASHTO_GREGORIAN_MONTHS,
        IRANIAN_GREGORIAN_MONTHS,
        FRENCH_MONTHS,
        ENGLISH_MONTHS,
    ),
    {"فېبروري": 2, "سيتمبر": 9, "ديسمبر": 12},
)
SOLAR_MONTH_NUMBERS = _month_numbers(
    (
        AFGHAN_SOLAR_MONTHS,
        PASHTO_SOLAR_MONTHS,
        IRANIAN_SOLAR_MONTHS,
        AFGHAN_SOLAR_MONTHS_LATIN,
        IRANIAN_SOLAR_MONTHS_LATIN,
    ),
    {"غوايي": 2},
)


class MonthName(NamedTuple):
    calendar: Calendar
    number: int


def parse_month_name(name: str) -> MonthName | None:
    """Return the calendar and number of a month name in any language and spelling, if it is one.

    «سنبلهٔ», «سنبله» and «Sonbola» are all Solar Hijri month 6; «جنوري» and «janvier» are
    Gregorian month 1.
    """
    folded = fold_name(name.strip())
    if folded in GREGORIAN_MONTH_NUMBERS:
        return MonthName("gregorian", GREGORIAN_MONTH_NUMBERS[folded])
    if folded in SOLAR_MONTH_NUMBERS:
        return MonthName("solar", SOLAR_MONTH_NUMBERS[folded])
    return None


@dataclasses.dataclass(frozen=True)
class WrittenDate:
    """A date as a text writes it, day, month name and year, in either calendar."""

    written: str
    calendar: Calendar
    year: int
    month: int
    day: int

    @property
    def solar(self) -> bool:
        return self.calendar == "solar"

    def to_gregorian(self) -> dt.date:
        """Return the Gregorian day this date names; raise ValueError if it names none."""
        if self.solar:
            return from_solar_hijri(self.year, self.month, self.day)
        return dt.date(self.year, self.month, self.day)


# «۲۵ جون ۲۰۱۹», «1er juin 2019», «4 Saratan 1398 SH»: day, month name, year, maybe an era.
_WRITTEN_DATE = re.compile(
    r"(?P<day>[0-9]{1,2})(?:er|st|nd|rd|th)?\s+(?P<month>[^\s\d,]+),?\s+(?P<year>[0-9]{4})"
    r"(?:\s+[^\d]*)?"
)


def parse_written_date(value: str) -> WrittenDate | None:
    """Return the date «25 juin 2019» or «۴ سرطان ۱۳۹۸» stands for, if the text is one.

    The date need not exist: «۳۱ حوت ۱۳۹۸» is read, and `to_gregorian()` refuses it.
    """
    match = _WRITTEN_DATE.fullmatch(normalize_digits(value.strip()))
    if not match:
        return None
    month = parse_month_name(match["month"])
    if month is None:
        return None
    return WrittenDate(
        value.strip(), month.calendar, int(match["year"]), month.number, int(match["day"])
    )


# --- Checking hand-written pairs -----------------------------------------------------------------

# Applied to the text before searching it: one character for one, so that positions stay those
# of the text. Digits become ASCII, the letters written either way become Persian, and a
# zero-width non-joiner between era words («هجری‌شمسی») becomes a space.
_SCAN_FOLDS = str.maketrans(
    PERSIAN_DIGITS + ARABIC_INDIC_DIGITS + "يىكګ\u200c",
    ASCII_DIGITS * 2 + "ییکگ ",
)
# Era words, as they read after _SCAN_FOLDS, longest first so that the alternation prefers them.
GREGORIAN_ERA_WORDS = ("میلادی",)
SOLAR_ERA_WORDS = (
    "هجری شمسی",
    "هجری خورشیدی",
    "هجری لمریز",
    "لمریز هجری",
    "خورشیدی",
    "لمریز",
    "شمسی",
    "ه.ش.",
    "ه.ش",
    "هـ.ش.",
    "هـ.ش",
    "de l’hégire solaire",
    "de l'hégire solaire",
    "SH",
    "AP",
)
_ERA = "|".join(
    re.escape(word).replace(r"\ ", r"\s+")
    for word in sorted((*GREGORIAN_ERA_WORDS, *SOLAR_ERA_WORDS), key=len, reverse=True)
)
_FOLDED_SOLAR_ERAS = frozenset(" ".join(word.casefold().split()) for word in SOLAR_ERA_WORDS)
# A month name: letters, and the marks some spellings carry (سنبلهٔ), up to a space or a sign.
_MONTH_WORD = r"[^\W\d_][^\s\d()\[\]/,،؛;:!?«»\"]*"
# Solar Hijri years of the current era are below this, Gregorian ones above.
_FIRST_GREGORIAN_YEAR = 1700


def _half_pattern(name: str, *, years: bool = True) -> str:
    """Return the pattern of one half of a pair: a date, or (if `years`) a year alone.

    Dari writes «سال ۲۰۱۴ میلادی», Pashto «۲۰۱۴ میلادي کال»: a year may be preceded by سال and
    followed by کال, around its era word.
    """
    not_inside_a_number = r"(?<![\w/.\-])"
    date = (
        rf"{not_inside_a_number}(?P<{name}_day>\d{{1,2}})(?:er|st|nd|rd|th)?\s+"
        rf"(?P<{name}_month>{_MONTH_WORD}),?\s+(?P<{name}_year>\d{{4}})"
    )
    year = rf"(?:سال\s+)?{not_inside_a_number}(?P<{name}_only>\d{{4}})"
    core = f"(?:{date}|{year})" if years else f"(?:{date})"
    return rf"{core}(?!\d)(?:\s+(?P<{name}_era>{_ERA})(?!\w))?(?:\s+کال(?!\w))?"


# «۲۵ جون ۲۰۱۹ میلادی (۴ سرطان ۱۳۹۸ هجری شمسی)», «2014 (1393 SH)», or the short
# «۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸» of datelines, either calendar first.
_PAIR = re.compile(
    rf"{_half_pattern('a')}\s*\(\s*{_half_pattern('b')}\s*\)"
    rf"|{_half_pattern('c', years=False)}\s*/\s*{_half_pattern('d', years=False)}",
    re.IGNORECASE,
)


@dataclasses.dataclass(frozen=True)
class _Half:
    written: str
    calendar: Calendar
    year: int
    month: int | None  # None: a year alone
    day: int | None

    def to_gregorian(self) -> dt.date | None:
        """Return the Gregorian day this half names, or None if it names none."""
        if self.month is None or self.day is None:
            return None
        date = WrittenDate(self.written, self.calendar, self.year, self.month, self.day)
        try:
            return date.to_gregorian()
        except (ValueError, OverflowError):
            return None


def _read_half(match: re.Match[str], name: str, text: str) -> _Half | None:
    groups = match.groupdict()
    if groups.get(f"{name}_only"):
        year = int(groups[f"{name}_only"])
        era = match[f"{name}_era"]
        if era:
            solar = " ".join(era.casefold().split()) in _FOLDED_SOLAR_ERAS
        else:
            solar = year < _FIRST_GREGORIAN_YEAR
        written = text[match.start(f"{name}_only") : match.end(f"{name}_only")]
        return _Half(written, "solar" if solar else "gregorian", year, None, None)
    month = parse_month_name(match[f"{name}_month"])
    if month is None:
        return None
    written = text[match.start(f"{name}_day") : match.end(f"{name}_year")]
    day = int(match[f"{name}_day"])
    return _Half(written, month.calendar, int(match[f"{name}_year"]), month.number, day)


@dataclasses.dataclass(frozen=True)
class DualDateFinding:
    """A hand-written pair of dates whose halves disagree."""

    text: str  # the pair as written
    start: int  # where the pair starts in the text checked
    first: str  # the half written first, without its era word
    second: str
    first_calendar: Calendar
    is_year: bool  # a pair of years, «سال ۲۰۱۴ میلادی (سال ۱۳۹۳ هجری شمسی)»
    first_date: dt.date | None  # the Gregorian day each half names; None for years or no real day
    second_date: dt.date | None
    # What the second half may read, given the first, in the conventions of the text's language:
    # one date, or the two years a year of the other calendar overlaps; none if the first half
    # is not a real day.
    expected: tuple[str, ...]

    def describe(self) -> str:
        """Return what is wrong with the pair, in a sentence for the press office."""
        values = {"pair": self.text, "first": self.first, "second": self.second}
        if self.is_year:
            one, other = self.expected
            return gettext(
                "«%(pair)s»: the year %(first)s is %(one)s or %(other)s in the other calendar, "
                "not %(second)s."
            ) % {**values, "one": one, "other": other}
        if self.first_date is None:
            return gettext("«%(pair)s»: «%(first)s» is not a real day.") % values
        (expected,) = self.expected
        if self.second_date is None:
            return gettext(
                "«%(pair)s»: «%(second)s» is not a real day; after «%(first)s» it should read "
                "«%(expected)s»."
            ) % {**values, "expected": expected}
        return gettext(
            "«%(pair)s»: «%(first)s» is %(first_iso)s but «%(second)s» is %(second_iso)s; "
            "it should read «%(expected)s»."
        ) % {
            **values,
            "expected": expected,
            "first_iso": self.first_date.isoformat(),
            "second_iso": self.second_date.isoformat(),
        }


def _overlapping_years(year: int, calendar: Calendar) -> tuple[int, int]:
    """Return the two years of the other calendar that a year overlaps (Nowruz is in March)."""
    if calendar == "gregorian":
        return year - 622, year - 621
    return year + 621, year + 622


def _finding(
    text: str, match: re.Match[str], first: _Half, second: _Half, language: str
) -> DualDateFinding | None:
    """Return what is wrong with a pair, or None if its halves agree."""
    common = {
        "text": text[match.start() : match.end()],
        "start": match.start(),
        "first": first.written,
        "second": second.written,
        "first_calendar": first.calendar,
    }
    if first.month is None:
        candidates = _overlapping_years(first.year, first.calendar)
        if second.year in candidates:
            return None
        convention = convention_for(language)
        return DualDateFinding(
            **common,
            is_year=True,
            first_date=None,
            second_date=None,
            expected=tuple(convention.number(year) for year in candidates),
        )
    first_date, second_date = first.to_gregorian(), second.to_gregorian()
    if first_date is not None and first_date == second_date:
        return None
    expected = ()
    if first_date is not None:
        expected = (format_date(first_date, language, calendar=second.calendar),)
    return DualDateFinding(
        **common,
        is_year=False,
        first_date=first_date,
        second_date=second_date,
        expected=expected,
    )


def _pairs(text: str) -> Iterator[tuple[re.Match[str], _Half, _Half]]:
    """Yield each hand-written pair of a text with its two halves, in the order written."""
    for match in _PAIR.finditer(text.translate(_SCAN_FOLDS)):
        names = ("a", "b") if match["a_day"] or match["a_only"] else ("c", "d")
        first, second = (_read_half(match, name, text) for name in names)
        if first is None or second is None:
            continue
        if (first.month is None) != (second.month is None) or first.calendar == second.calendar:
            continue
        yield match, first, second


def find_dual_date_pairs(text: str) -> list[str]:
    """Return the hand-written Gregorian/Solar Hijri pairs of a text, as written, right or not."""
    return [text[match.start() : match.end()] for match, _first, _second in _pairs(text)]


def check_dual_dates(text: str, language: str) -> list[DualDateFinding]:
    """Return the hand-written Gregorian/Solar Hijri pairs of a text whose halves disagree.

    A pair is a date or a year followed by the same in the other calendar, in parentheses or
    after a slash: «۲۵ جون ۲۰۱۹ میلادی (۴ سرطان ۱۳۹۸ هجری شمسی)», «۴ تیر ۱۳۹۸ (۲۵ ژوئن ۲۰۱۹)»,
    «سال ۲۰۱۴ میلادی (سال ۱۳۹۳ هجری شمسی)», «25 June 2019 (4 Saratan 1398 SH)». Month names
    are read in every language and spelling, digits in every script; a year agrees with either
    of the two years of the other calendar it overlaps. `language` is that of the text: the
    expected half of a finding is written in its conventions. A date paired with a year alone
    is not checked.
    """
    findings = []
    for match, first, second in _pairs(text):
        finding = _finding(text, match, first, second, language)
        if finding is not None:
            findings.append(finding)
    return findings


# --- Archives
# The archive pages list communiqués by month of publication, in the reader's calendar. A month
# is a range of calendar dates in the embassy's time zone; these helpers only compute and name
# them, and raise ValueError for a month that does not exist.

# Readers of these languages (Dari is fa-AF) browse the archive by Solar Hijri month; the others
# by Gregorian month, which every language offers.
SOLAR_ARCHIVE_LANGUAGES = ("fa", "ps")


def archive_calendar(language: str) -> Calendar:
    """Return the calendar a reader of this language browses the archive in."""
    base = language.lower().replace("_", "-").split("-")[0]
    return "solar" if base in SOLAR_ARCHIVE_LANGUAGES else "gregorian"


def gregorian_month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    """Return the first and the last day of a Gregorian month."""
    first = dt.date(year, month, 1)
    if month == 12:
        return first, dt.date(year, 12, 31)
    return first, dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def solar_month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    """Return the Gregorian dates of the first and the last day of a Solar Hijri month."""
    first = from_solar_hijri(year, month, 1)
    # The last month has 29 or 30 days depending on the year: count back from the next one.
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    return first, from_solar_hijri(next_year, next_month, 1) - dt.timedelta(days=1)


def month_range(year: int, month: int, calendar: Calendar) -> tuple[dt.date, dt.date]:
    """Return the Gregorian dates of the first and the last day of a month of a calendar."""
    if calendar == "solar":
        return solar_month_range(year, month)
    return gregorian_month_range(year, month)


def year_range(year: int, calendar: Calendar) -> tuple[dt.date, dt.date]:
    """Return the Gregorian dates of the first and the last day of a year of a calendar."""
    return month_range(year, 1, calendar)[0], month_range(year, 12, calendar)[1]


def archive_month(value: dt.date | dt.datetime, calendar: Calendar) -> tuple[int, int]:
    """Return the (year, month) a date is archived under in a calendar."""
    if calendar == "solar":
        year, month, _day = to_solar_hijri(value)
        return year, month
    day = local_date(value)
    return day.year, day.month


def month_name(month: int, language: str, calendar: Calendar) -> str:
    """Return the name of a month as the language writes it: «سرطان», «juin»."""
    if not 1 <= month <= 12:
        raise ValueError(f"There is no month {month}.")
    convention = convention_for(language)
    names = convention.solar_months if calendar == "solar" else convention.gregorian_months
    return names[month - 1]


def format_month(year: int, month: int, language: str, calendar: Calendar) -> str:
    """Return a month and its year as a heading: «سرطان ۱۳۹۸», «جون ۲۰۱۹», «juin 2019»."""
    return f"{month_name(month, language, calendar)} {convention_for(language).number(year)}"
