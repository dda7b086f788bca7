"""Thin filters over communiques.dates and communiques.text for the templates.

No template formats a date or a number itself: they all come through here, in the active
language for readers and in ISO 8601 for machines. So do search highlights, and what a page tells
machines about itself (absolute addresses, JSON-LD). The public pages (Jinja2) call them through
communiques/templating.py; the admin, the feeds and the sitemap (Django templates) load the
filters as this library.

The parts every summary of a list repeats (its picture, dateline and category) are written here
too, in Python: as included templates they cost a list more than its queries.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone, translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

from communiques import dates, text
from communiques.cache import address

if TYPE_CHECKING:
    from communiques.models import Communique, Image

register = template.Library()


class PageContext(Protocol):
    """What the page's parts below read of a template's context: the request, the site
    settings. Jinja2's context, as the public pages pass it (templating.with_page_context)."""

    def get(self, key: str, default: Any = None) -> Any: ...


def _active_language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


@register.filter
def dual_date(value: dt.date | dt.datetime | None, style: dates.Style = "short") -> str:
    """Write a date in both calendars, the way the active language does."""
    if not value:
        return ""
    return dates.format_dual(value, _active_language(), style)


@register.filter
def date_tokens(value: str | None) -> SafeString | str:
    """Write the date tokens of a text, e.g. a lead, as <time> elements in the active language."""
    if not value:
        return ""
    # Escaped first, like any text the template prints; only the <time> elements are markup.
    return mark_safe(text.render_date_tokens(conditional_escape(value), _active_language()))


@register.filter
def date_tokens_text(value: str | None) -> str:
    """Write the date tokens of a text as plain dates in the active language: a meta description."""
    if not value:
        return ""
    return text.render_date_tokens_as_text(value, _active_language())


@register.filter
def iso_date(value: dt.date | dt.datetime | None) -> str:
    """Write a date or a moment in ISO 8601, for machines: <time datetime="…">."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
    return value.isoformat()


@register.filter
def local_digits(value: int) -> str:
    """Write a number with the digits of the active language: 12 is «۱۲» in Dari."""
    return dates.convention_for(_active_language()).number(value)


@register.filter
def html_lang(code: str) -> str:
    """Return the BCP 47 tag of a Django language code: fa-af is fa-AF."""
    return translation.to_locale(code).replace("_", "-")


@register.filter
def language_dir(code: str) -> str:
    """Return the writing direction of a language, for a dir attribute."""
    return "rtl" if translation.get_language_info(code)["bidi"] else "ltr"


@register.filter
def og_locale(code: str) -> str:
    """Return the Open Graph locale of a Django language code: fa-af is fa_AF."""
    return translation.to_locale(code)


# --- Parts of every summary and page ----------------------------------------------------------


def picture(image: Image, sizes: str, css_class: str = "", loading: str = "lazy") -> SafeString:
    """Write one image from the renditions made at upload, as <picture>.

    WebP for the browsers that read it, JPEG for the others, each at the widths there are; width
    and height reserve its place before it loads. The page says which image loads at once
    (loading="eager"): its first.
    """
    described = image.picture
    webp = ""
    if described.webp_srcset:
        webp = format_html(
            '<source type="image/webp" srcset="{}" sizes="{}">', described.webp_srcset, sizes
        )
    css = format_html(' class="{}"', css_class) if css_class else ""
    jpeg = ""
    if described.jpeg_srcset:
        jpeg = format_html(' srcset="{}" sizes="{}"', described.jpeg_srcset, sizes)
    return format_html(
        '<picture>{}<img{} src="{}"{} width="{}" height="{}" alt="{}" loading="{}" '
        'decoding="async"></picture>',
        webp,
        css,
        described.src,
        jpeg,
        described.width,
        described.height,
        image.alt,
        loading,
    )


def dateline(communique: Communique) -> SafeString:
    """Write the place and the date of the event, in both calendars.

    A communiqué without an event date is dated by its publication.
    """
    date = communique.event_date or communique.published_at
    place = communique.place
    parts = []
    if place:
        parts.append(format_html('<span class="dateline-place">{}</span>', place))
        if date:
            comma = pgettext("between the place and the date of a dateline", ",")
            parts.append(format_html("{} ", comma))
    if date:
        parts.append(format_html('<time datetime="{}">{}</time>', iso_date(date), dual_date(date)))
    return format_html('<p class="dateline">{}</p>', mark_safe("".join(parts)))


def category_link(context: PageContext, communique: Communique) -> SafeString | str:
    """Write the link to the communiqué's category, but on that category's own page.

    A category not yet named in this language is left out, rather than shown in another one.
    """
    category = communique.category
    if category is None or not category.name:
        return ""
    url = address("communiques:category", slug=category.slug)
    request = context.get("request")
    if request is not None and url == request.path:
        return ""
    return format_html('<p class="category"><a href="{}">{}</a></p>', url, category.name)


# --- Search results ------------------------------------------------------------------------------

# About three lines of a result: enough to see the words found in their sentence.
EXCERPT_LENGTH = 240


@register.filter
def highlight(value: str | None, terms: Sequence[str]) -> SafeString:
    """Write plain text with the words a search found marked, the rest escaped."""
    return mark_safe(text.highlight(value or "", terms, _active_language()))


def search_excerpt(communique: Communique, terms: Sequence[str]) -> SafeString:
    """Write the part of a communiqué's lead and body where a search found its words, marked."""
    language = _active_language()
    parts = [communique.lead or "", text.html_to_text(communique.body or "")]
    plain = " ".join(text.render_date_tokens_as_text(part, language) for part in parts if part)
    return mark_safe(text.highlight(plain, terms, language, EXCERPT_LENGTH))


# --- What a page tells machines ------------------------------------------------------------------

# JSON in a <script> element: "<" could close the element or open a comment, "&" an entity.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def absolute_url(context: PageContext, address: str) -> str:
    """Return an address on the scheme and host the page was asked on."""
    request = context.get("request")
    return request.build_absolute_uri(address) if request is not None and address else address


def publisher(context: PageContext) -> tuple[str, str]:
    """Return the embassy's name and the address of its logo, from the site settings if set."""
    site_settings = context.get("site_settings")
    name = getattr(site_settings, "name", "") or gettext("Embassy press office")
    logo_url = getattr(site_settings, "logo_url", "") or ""
    return name, absolute_url(context, logo_url)


def publisher_name(context: PageContext) -> str:
    return publisher(context)[0]


def news_article(
    communique: Communique,
    *,
    url: str,
    image_url: str,
    publisher_name: str,
    logo_url: str,
    language: str,
) -> dict[str, Any]:
    """Return schema.org's NewsArticle for a language version of a communiqué."""
    organisation: dict[str, Any] = {"@type": "Organization", "name": publisher_name}
    if logo_url:
        organisation["logo"] = {"@type": "ImageObject", "url": logo_url}
    article: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": url,
        "url": url,
        "headline": communique.title,
        "inLanguage": html_lang(language),
        "author": {"@type": "Organization", "name": publisher_name},
        "publisher": organisation,
    }
    if communique.subtitle:
        article["alternativeHeadline"] = communique.subtitle
    if communique.lead:
        article["description"] = text.render_date_tokens_as_text(communique.lead, language)
    # A preview may have no publication date yet.
    if communique.published_at:
        article["datePublished"] = iso_date(communique.published_at)
    # A change the public was told of, not any save: a fixed typo or a new photo credit is none.
    if communique.last_updated_at:
        article["dateModified"] = iso_date(communique.last_updated_at)
    if image_url:
        article["image"] = [image_url]
    return article


def json_for_script(data: Any) -> SafeString:
    """Return data as JSON that cannot end the <script> element it is written in."""
    encoded = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(encoded.translate(_JSON_SCRIPT_ESCAPES))


def news_article_json_ld(context: PageContext, communique: Communique) -> SafeString:
    """Write a communiqué's NewsArticle as JSON-LD, in the active language."""
    image = communique.thumbnail()
    name, logo_url = publisher(context)
    data = news_article(
        communique,
        url=absolute_url(context, communique.get_absolute_url()),
        image_url=absolute_url(context, image.picture.src) if image else "",
        publisher_name=name,
        logo_url=logo_url,
        language=_active_language(),
    )
    return format_html('<script type="application/ld+json">{}</script>', json_for_script(data))
