"""Rich-text policy: what markup a communiqué body may hold, and how it splits into paragraphs.

Pure functions: nothing here knows about the ORM or HTTP.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

import nh3

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
