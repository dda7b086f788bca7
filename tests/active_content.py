"""Find, with an HTML parser, what in a page or a fragment could run or load script.

Used by the tests of hostile input (test_xss_fields, test_fuzz): a browser runs script from a
<script> element, an event handler attribute (onerror=…), an address whose scheme is not a web
one (javascript:, data:, vbscript:), a style, or an embedded document (svg, math, iframe…).
Addresses are read as a browser reads them: entities decoded, then every space and control
character removed, so that "java&#x09;script:" counts as javascript:.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from django.conf import settings

# Elements that run script, embed another document, or restyle the page.
ACTIVE_ELEMENTS = frozenset(
    {
        "script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math",
        "style", "link", "base", "template", "noscript", "portal", "xml", "xmp", "meta",
    }
)  # fmt: skip
# Attributes whose value is an address (srcset holds several).
URL_ATTRIBUTES = frozenset(
    {
        "href", "src", "srcset", "action", "formaction", "xlink:href", "cite", "data", "poster",
        "background", "ping", "longdesc", "lowsrc", "dynsrc", "manifest", "codebase",
    }
)  # fmt: skip
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_SPACE_OR_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")


def url_scheme(value: str) -> str | None:
    """Return the scheme a browser reads in an address, lowercased, or None if relative."""
    match = _SCHEME.match(_SPACE_OR_CONTROL.sub("", value))
    return match[1].lower() if match else None


class _Finder(HTMLParser):
    def __init__(self) -> None:
        # Entities in text and attributes are decoded, as a browser does.
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.json_ld: list[str] = []
        self._json_ld: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag == "script" and attributes.get("type") == "application/ld+json":
            self._json_ld = []
        if tag in ACTIVE_ELEMENTS:
            self.found.append(f"<{tag} {sorted(attributes.items(), key=str)}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            elif name == "style":
                self.found.append(f"<{tag} style={value!r}>")
            elif name in URL_ATTRIBUTES:
                addresses = [part.split()[0] for part in value.split(",") if part.split()]
                if name != "srcset":
                    addresses = [value]
                for address in addresses:
                    scheme = url_scheme(address)
                    if scheme is not None and scheme not in SAFE_SCHEMES:
                        self.found.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._json_ld is not None:
            self.json_ld.append("".join(self._json_ld))
            self._json_ld = None

    def handle_data(self, data: str) -> None:
        if self._json_ld is not None:
            self._json_ld.append(data)


def parse(html: str) -> _Finder:
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder


def active_content(html: str) -> list[str]:
    """Return what could run or load script in an HTML fragment, as found: empty if none."""
    return parse(html).found


def page_active_content(html: str) -> list[str]:
    """Return what could run script in a whole page, but for the page's own scripts and icons.

    The page's own are its scripts from the static files, its JSON-LD, its metadata, its links to
    stylesheets and alternates, and its inline icons (hidden from screen readers, without events).
    """
    own = []
    static = settings.STATIC_URL
    for description in active_content(html):
        tag = description[1:].split(" ", 1)[0]
        if (
            (tag == "script" and f"('src', '{static}" in description)
            or (tag == "script" and "('type', 'application/ld+json')" in description)
            or (tag == "meta" and "http-equiv" not in description)
            or (tag == "link" and "('rel', 'import')" not in description)
            or (tag == "svg" and "('aria-hidden', 'true')" in description)
        ):
            own.append(description)
    return [description for description in active_content(html) if description not in own]


def json_ld(html: str) -> list[object]:
    """Return the JSON-LD objects of a page, each checked to be unable to end its element."""
    documents = []
    for raw in parse(html).json_ld:
        # "<" is escaped (\\u003C): no "</script>", nor "<!--", can be made of the data.
        assert "<" not in raw
        documents.append(json.loads(raw))
    return documents
