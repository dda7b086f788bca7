"""Rich-text policy: what markup a communiqué body may hold, how it splits into paragraphs, the
date tokens a lead or body may hold, and how search compares Persian, Pashto and Latin text.

Pure functions: nothing here knows about the ORM or HTTP.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
import html
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
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

# --- Characters that only hide or disguise text -------------------------------------------------
# Removed from everything typed or imported (forms.PlainTextFormMixin, the importer) and from every
# body (sanitize_html), before anything is stored:
# - controls other than tab, line feed and carriage return: nobody types them, and XML 1.0 has no
#   place for them, so one in a title would break the feeds;
# - direction embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): they reorder
#   what follows them, so that "\u202egpj.exe" reads as "exe.jpg". The pages give every element
#   its direction and rich text has <bdi> and dir, so no communiqué needs them, while text pasted
#   from a messenger or a word processor often carries them unseen. The marks (LRM U+200E, RLM
#   U+200F, ALM U+061C), which reorder nothing around them, stay;
# - invisible characters with no use in Dari, Pashto, French or English: the zero-width space,
#   the word joiner and invisible operators, the byte order mark, the deprecated format
#   characters, interlinear annotations and tag characters (which can carry text no reader
#   sees). The zero-width non-joiner (U+200C, as in «می‌گردد») and joiner (U+200D) are spelling
#   in Persian and Pashto and stay;
# - noncharacters, which XML refuses too (U+FFFE, U+FFFF) or no text holds (U+FDD0-U+FDEF).
HIDDEN_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u202a-\u202e\u2066-\u2069"
    "\u180e\u200b\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f"
    "\ufdd0-\ufdef\ufffe\uffff]"
)


def strip_hidden_characters(value: str) -> str:
    """Return text without the characters that only hide or disguise it (HIDDEN_CHARACTERS)."""
    return HIDDEN_CHARACTERS.sub("", value)


def sanitize_html(value: str) -> str:
    """Return the body HTML with everything but the allowed markup removed."""
    cleaned = nh3.clean(
        strip_hidden_characters(value),
        tags=ALLOWED_TAGS,
        generic_attribute_prefixes=set(),
        attributes={
            tag: ALLOWED_ATTRIBUTES.get(tag, set()) | GENERIC_ATTRIBUTES for tag in ALLOWED_TAGS
        }
        # Without it, ammonia keeps its own generic attributes (lang and title) on every tag.
        | {"*": set()},
        url_schemes=ALLOWED_URL_SCHEMES,
        # Links leave the site: the page they open must not control ours, nor learn where
        # the reader came from.
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # Again: a character reference (&#8238;, &#1;) comes out of the parser as the character.
    # Removing characters from serialised HTML cannot make markup: "<" and quotes are escaped.
    return strip_hidden_characters(cleaned).strip()


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


# --- Search normalisation -------------------------------------------------------------------------
# Search compares text folded so that the spellings a reader may type meet the ones a press officer
# wrote: the stored search document and the query go through the same fold. The rules follow
# Lucene's Persian and Arabic normalisers, less their Pashto-blind yeh fold.

# Arabic letters that Persian and Dari write otherwise: ك and ى from Arabic keyboards, alef with
# hamza or madda (امریکا / آمریکا), the heh forms of ezafe (ۀ, and ہ / ۂ from Urdu keyboards), teh
# marbuta, and Pashto's ګ, which Persian keyboards type گ.
_SEARCH_LETTERS = {
    "ك": "ک", "ى": "ی", "آ": "ا", "أ": "ا", "إ": "ا", "ٱ": "ا",
    "ۀ": "ه", "ہ": "ه", "ۂ": "ه", "ة": "ه", "ګ": "گ",
}  # fmt: skip
# Arabic ي is the Persian ی written on an Arabic keyboard, but a letter of its own in Pashto.
_ARABIC_YEH, _PERSIAN_YEH = "ي", "ی"
# A hamza written after heh marks the ezafe (جلسهء / جلسهٔ): the same word as جلسه.
_EZAFE_HAMZAS = {"ء", "ٴ"}
_ZERO_WIDTH_NON_JOINER = "\u200c"
# Latin letters with accents read as their base letter: "ministere" finds "Ministère".
_LATIN_BASES = {
    char: decomposed[0]
    for char in map(chr, [*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)])
    if len(decomposed := unicodedata.normalize("NFD", char)) > 1 and decomposed[0].isascii()
}
# A query is cut into words as PostgreSQL's parser would find them: letters and digits.
_SEARCH_WORD = re.compile(r"\w+")


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str, keeps_arabic_yeh: bool) -> str:
    """Return one character as search compares it: "" when it does not count, " " for a space."""
    folded = []
    # NFKC turns presentation forms (ﻻ) and full-width letters into plain ones.
    for part in unicodedata.normalize("NFKC", char).casefold():
        category = unicodedata.category(part)
        if part.isspace() or part == _ZERO_WIDTH_NON_JOINER:
            # می‌گردد and می گردد are one spelling: the non-joiner is often typed as a space.
            folded.append(" ")
        elif category in {"Mn", "Cf", "Cc"} or part == "ـ":
            # Harakat, hamza and madda marks, tatweel, joiners, direction marks, controls.
            continue
        elif category == "Nd":
            # ۲۰۱۹, ٢٠١٩ and 2019 are one number.
            folded.append(str(unicodedata.digit(part)))
        elif part == _ARABIC_YEH and not keeps_arabic_yeh:
            folded.append(_PERSIAN_YEH)
        else:
            part = _SEARCH_LETTERS.get(part, part)
            folded.append(_LATIN_BASES.get(part, part))
    return "".join(folded)


def _fold_for_search(value: str, language: str) -> tuple[str, list[int]]:
    """Fold plain text for search; return it with, for each of its characters, its origin in value.

    Spaces are collapsed and trimmed. The origins let a match in the folded text be marked in the
    text as written.
    """
    keeps_arabic_yeh = language == "ps"
    folded: list[str] = []
    origins: list[int] = []
    previous = ""
    for index, char in enumerate(value):
        if char in _EZAFE_HAMZAS and previous == "ه":
            continue
        for part in _fold_char(char, keeps_arabic_yeh):
            if part == " " and (not folded or folded[-1] == " "):
                continue
            folded.append(part)
            origins.append(index)
            previous = part
    if folded and folded[-1] == " ":
        folded.pop()
        origins.pop()
    return "".join(folded), origins


def normalize_for_search(value: str, language: str) -> str:
    """Return text, or HTML, as search compares it in a language.

    Tags are dropped; Arabic ي/ك become Persian ی/ک (ي stays in Pashto, where it is a letter);
    the ezafe forms هء, ۀ and هٔ become ه; diacritics and tatweel go; a non-joiner is a space;
    every digit is ASCII; Latin letters lose case and accents.
    """
    return _fold_for_search(unicodedata.normalize("NFC", html_to_text(value)), language)[0]


def search_document(parts: Iterable[str], language: str) -> str:
    """Return the text search looks through for one language version, from its fields."""
    return normalize_for_search("\n".join(part for part in parts if part), language)


def search_terms(query: str, language: str) -> list[str]:
    """Return the words of a search query, folded as search compares them, without repeats."""
    return list(dict.fromkeys(_SEARCH_WORD.findall(normalize_for_search(query, language))))


def highlight(value: str, terms: Sequence[str], language: str, length: int | None = None) -> str:
    """Return plain text as HTML with the search terms marked, wherever written otherwise.

    With a length, the text is cut to about that many characters around the first match, at
    spaces, with an ellipsis where it was cut. Everything but the <mark> elements is escaped.
    """
    value = unicodedata.normalize("NFC", " ".join(value.split()))
    folded, origins = _fold_for_search(value, language)
    spans: list[tuple[int, int]] = []
    for term in terms:
        for match in re.finditer(re.escape(term), folded):
            spans.append((origins[match.start()], origins[match.end() - 1] + 1))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))

    first, last = 0, len(value)
    if length is not None and len(value) > length:
        anchor = merged[0][0] if merged else 0
        # A little context before the first match, the rest after it.
        first = max(0, anchor - length // 4)
        if first:
            space = value.find(" ", first, anchor)
            first = space + 1 if space != -1 else first
        last = min(len(value), first + length)
        if last < len(value):
            space = value.rfind(" ", first, last)
            last = space if space > first else last

    pieces = ["…"] if first else []
    position = first
    for start, end in merged:
        start, end = max(start, first), min(end, last)
        if start >= end:
            continue
        pieces.append(html.escape(value[position:start]))
        pieces.append(f"<mark>{html.escape(value[start:end])}</mark>")
        position = end
    pieces.append(html.escape(value[position:last]))
    if last < len(value):
        pieces.append("…")
    return "".join(pieces)


# --- Comparing versions of a text ---------------------------------------------------------------
# A translation is outdated when the words of its original change, not its markup or spacing: the
# texts are compared, and fingerprinted, as plain words, one line per paragraph.

# Words are the units of a diff; a line break between paragraphs is one too.
_DIFF_TOKEN = re.compile(r"[^\S\n]*(\n|[^\s]+)")
# Unchanged words kept on each side of a change; longer unchanged runs are cut to an ellipsis.
DIFF_CONTEXT_WORDS = 12


def comparable_text(value: str, *, is_html: bool = False) -> str:
    """Return a text as it is compared: its words, one line per paragraph, without markup."""
    if is_html:
        value = html_to_text(value)
    lines = (" ".join(line.split()) for line in value.splitlines())
    return "\n".join(line for line in lines if line)


def texts_fingerprint(texts: dict[str, str]) -> str:
    """Return the SHA-256 of a set of named texts, as compared: equal for the same words."""
    canonical = json.dumps(texts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _words_html(words: Sequence[str]) -> str:
    joined = " ".join(html.escape(word) for word in words)
    return joined.replace(" \n ", "<br>").replace("\n", "<br>")


def word_diff(old: str, new: str, context: int = DIFF_CONTEXT_WORDS) -> str:
    """Return HTML of how a plain text changed: removed words in <del>, added ones in <ins>.

    Everything else is escaped; unchanged runs longer than twice the context are shortened to
    their ends around an ellipsis.
    """
    before = _DIFF_TOKEN.findall(old)
    after = _DIFF_TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    opcodes = matcher.get_opcodes()
    pieces = []
    for index, (operation, start, end, new_start, new_end) in enumerate(opcodes):
        if operation == "equal":
            words = before[start:end]
            head = words[:context] if index > 0 else []
            tail = words[-context:] if index < len(opcodes) - 1 else []
            if len(words) > len(head) + len(tail):
                pieces.extend(part for part in (_words_html(head), "…", _words_html(tail)) if part)
            else:
                pieces.append(_words_html(words))
            continue
        if operation in ("delete", "replace"):
            pieces.append(f"<del>{_words_html(before[start:end])}</del>")
        if operation in ("insert", "replace"):
            pieces.append(f"<ins>{_words_html(after[new_start:new_end])}</ins>")
    return " ".join(pieces)
