"""Rich-text policy: what markup a communiqué body may hold, how it splits into paragraphs, and
the date tokens a lead or body may hold.

Pure functions: nothing here knows about the ORM or HTTP.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3

from . import dates

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "em", "b", "i", "u", "s", "sub", "sup",
    "ul", "ol", "li", "blockquote", "a", "span", "bdi", "abbr", "q", "cite",
}  # fmt: skip
# lang and dir let a French name inside Dari text be marked as such.
GENERIC_ATTRIBUTES = {"lang", "dir"}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "hreflang", "title"},
    "abbr": {"title"},
    "q": {"cite"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

HEADINGS = {"h2", "h3", "h4"}


def sanitize_html(value: str) -> str:
    """Return the body HTML with everything but the allowed markup removed."""
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        generic_attribute_prefixes=set(),
        attributes={
            tag: ALLOWED_ATTRIBUTES.get(tag, set()) | GENERIC_ATTRIBUTES for tag in ALLOWED_TAGS
        },
        url_schemes=ALLOWED_URL_SCHEMES,
        # Links leave the site: the page they open must not control ours, nor learn where
        # the reader came from.
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def paragraphs_to_html(paragraphs: list[str]) -> str:
    """Return plain-text paragraphs as escaped HTML paragraphs."""
    return "".join(
        f"<p>{html.escape(paragraph.strip(), quote=False)}</p>" for paragraph in paragraphs
    )


class _TopLevelSplitter(HTMLParser):
    """Collect the top-level elements of an HTML fragment, as source text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.blocks: list[tuple[str, str]] = []
        self._depth = 0
        self._tag = ""
        self._buffer: list[str] = []
        self._loose: list[str] = []

    def _emit_text(self, text: str) -> None:
        if self._depth == 0:
            self._loose.append(text)
        else:
            self._buffer.append(text)

    def flush_loose_text(self) -> None:
        loose = "".join(self._loose).strip()
        self._loose = []
        if loose:
            # Loose text between blocks reads as a paragraph of its own.
            self.blocks.append(("p", f"<p>{loose}</p>"))

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if self._depth == 0:
            self.flush_loose_text()
            self._tag = tag
            self._buffer = []
        self._buffer.append(self.get_starttag_text() or "")
        if tag != "br":
            self._depth += 1
        elif self._depth == 0:
            self._buffer = []

    def handle_endtag(self, tag: str) -> None:
        self._buffer.append(f"</{tag}>")
        self._depth = max(self._depth - 1, 0)
        if self._depth == 0:
            self.blocks.append((self._tag, "".join(self._buffer)))
            self._buffer = []

    def handle_data(self, data: str) -> None:
        self._emit_text(data)

    def handle_entityref(self, name: str) -> None:
        self._emit_text(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._emit_text(f"&#{name};")


def split_blocks(value: str) -> list[tuple[str, str]]:
    """Return the top-level blocks of sanitised HTML as (tag, html) pairs, in order."""
    splitter = _TopLevelSplitter()
    splitter.feed(value or "")
    splitter.close()
    splitter.flush_loose_text()
    return splitter.blocks


def is_paragraph(tag: str) -> bool:
    """Tell whether a top-level block counts as a paragraph for image placement."""
    return tag not in HEADINGS


# --- Date tokens --------------------------------------------------------------------------------
# Where a date belongs in a lead or a body, a press officer or translator may write a token, and
# each language version shows the date in its own conventions:
#   [[2019-06-25]]            short, both calendars: «۲۵ جون ۲۰۱۹ / ۴ سرطان ۱۳۹۸»
#   [[2019-06-25|long]]       long, both calendars: «سه شنبه ۲۵ جون ۲۰۱۹ میلادی (۴ سرطان …)»
#   [[2019-06-25|gregorian]]  one calendar only: |gregorian or |solar, each short or |long
# Options come after bars in any order (case and spaces do not matter); the date is ISO 8601,
# in any digits. Square brackets, bars and digits pass the rich-text editor and nh3 untouched.

_TOKEN = re.compile(r"\[\[([^\[\]]*)\]\]")
_TOKEN_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# An opening that no closing follows: reported with what comes after it, up to a space.
_UNCLOSED_TOKEN = re.compile(r"\[\[[^\s\[\]]{0,30}")
# A comment or a tag, whose quoted attribute values may hold ">": tokens inside one are attribute
# text, where markup must not go.
_TAG = re.compile(r"(<!--.*?-->|<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>)", re.DOTALL)
_BLOCK_TAG = re.compile(r"</?(?:p|br|h[1-6]|li|ul|ol|blockquote|div)\b", re.IGNORECASE)


@dataclass(frozen=True)
class DateToken:
    """What a date token asks for."""

    day: dt.date
    calendar: dates.Calendars = "dual"
    style: dates.Style = "short"

    def format(self, language: str) -> str:
        return dates.format_date(self.day, language, calendar=self.calendar, style=self.style)


def parse_date_token(content: str) -> DateToken | None:
    """Return what the text between [[ and ]] asks for, or None if it is no valid token."""
    # The editor may have written a space as &nbsp; and a Dari translator the date in Persian
    # digits.
    date, *options = (
        part.strip() for part in dates.normalize_digits(html.unescape(content)).split("|")
    )
    match = _TOKEN_DATE.fullmatch(date)
    if not match:
        return None
    try:
        day = dt.date(*map(int, match.groups()))
    except ValueError:
        return None
    calendar: dates.Calendars | None = None
    style: dates.Style | None = None
    for option in map(str.lower, options):
        if option in dates.CALENDARS and calendar is None:
            calendar = option
        elif option in dates.STYLES and style is None:
            style = option
        else:
            return None
    return DateToken(day, calendar or "dual", style or "short")


def _time_element(match: re.Match[str], language: str) -> str:
    token = parse_date_token(match[1])
    if token is None:
        # Refused when saved (find_invalid_date_tokens); text saved before stays as written.
        return match[0]
    return (
        f'<time datetime="{token.day.isoformat()}">'
        f"{html.escape(token.format(language), quote=False)}</time>"
    )


def _attribute_text(match: re.Match[str], language: str) -> str:
    token = parse_date_token(match[1])
    return match[0] if token is None else html.escape(token.format(language))


def render_date_tokens(value: str, language: str) -> str:
    """Return HTML with its valid date tokens written as <time> elements in the language.

    A token inside a tag (a link's title) becomes plain text there. The result is as safe as
    the HTML given: what is added is escaped, and nothing that was escaped is unescaped.
    """
    if "[[" not in value:
        return value
    pieces = _TAG.split(value)
    # split() with a group alternates text (even indexes) and tags (odd ones).
    for index, piece in enumerate(pieces):
        if "[[" in piece:
            replace = _attribute_text if index % 2 else _time_element
            pieces[index] = _TOKEN.sub(functools.partial(replace, language=language), piece)
    return "".join(pieces)


def render_date_tokens_as_text(value: str, language: str) -> str:
    """Return plain text with its valid date tokens written as dates in the language."""
    if "[[" not in value:
        return value

    def text(match: re.Match[str]) -> str:
        token = parse_date_token(match[1])
        return match[0] if token is None else token.format(language)

    return _TOKEN.sub(text, value)


def find_invalid_date_tokens(value: str) -> list[str]:
    """Return the date tokens of a text that are not valid, as written, in order.

    A token is invalid if its date is no real day ([[2019-02-30]]), is not written YYYY-MM-DD,
    has an unknown or repeated option, or is never closed.
    """
    if "[[" not in value:
        return []
    found = [
        (match.start(), match[0])
        for match in _TOKEN.finditer(value)
        if parse_date_token(match[1]) is None
    ]
    # Blanked out, not removed, so that positions keep the order of the text.
    rest = _TOKEN.sub(lambda match: " " * len(match[0]), value)
    found.extend((match.start(), match[0]) for match in _UNCLOSED_TOKEN.finditer(rest))
    return [token for _start, token in sorted(found)]


def html_to_text(value: str) -> str:
    """Return the text of an HTML fragment, a line for each block, for reading, not display."""
    with_lines = _TAG.sub(lambda match: "\n" if _BLOCK_TAG.match(match[0]) else "", value)
    return html.unescape(with_lines)
