"""Thin filters over communiques.dates for the public templates.

No template formats a date or a number itself: they all come through here, in the active
language for readers and in ISO 8601 for machines.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.conf import settings
from django.utils import timezone, translation
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from communiques import dates, text

register = template.Library()


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
