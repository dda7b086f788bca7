"""What every public page shows of the embassy itself: its name, tagline, logo and address;
and the addresses its header links to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext

from .cache import address, generation_cached
from .models import SiteSettings


@dataclass(frozen=True)
class SiteIdentity:
    """The site settings as pages show them: in the active language, with a default when unset.

    Each property reads the active language when it is used, so one instance serves a request
    whatever language its templates are rendered in.
    """

    settings: SiteSettings | None

    @property
    def name(self) -> str:
        # Never the name in another language: a page does not mix languages unmarked.
        return (self.settings and self.settings.name) or gettext("Embassy press office")

    @property
    def tagline(self) -> str:
        return (self.settings and self.settings.tagline) or ""

    @property
    def logo_url(self) -> str:
        return self.settings.logo.url if self.settings and self.settings.logo else ""

    @property
    def logo_width(self) -> int | None:
        return self.settings.logo_width if self.logo_url else None

    @property
    def logo_height(self) -> int | None:
        return self.settings.logo_height if self.logo_url else None

    @property
    def contact_email(self) -> str:
        return (self.settings and self.settings.contact_email) or ""


def site_identity(request: HttpRequest) -> SiteIdentity:
    """Return the request's site identity, read from the database the first time it is used."""
    if not hasattr(request, "site_identity"):
        # Lazy, and kept on the request: a page that never shows it costs no query, and one
        # rendering several templates (or a feed and its items) costs one; kept in the cache
        # until the content changes, none.
        request.site_identity = SimpleLazyObject(
            lambda: SiteIdentity(generation_cached(request, "site-settings", SiteSettings.load))
        )
    return request.site_identity


def site_settings(request: HttpRequest) -> dict[str, Any]:
    return {"site_settings": site_identity(request)}


class SiteAddresses:
    """The addresses every page's header and head link to, in the active language.

    Worked out once for each language (cache.address) rather than by {% url %} on every page.
    """

    @property
    def index(self) -> str:
        return address("communiques:index")

    @property
    def search(self) -> str:
        return address("communiques:search")

    @property
    def rss(self) -> str:
        return address("communiques:feed-rss")

    @property
    def atom(self) -> str:
        return address("communiques:feed-atom")


SITE_ADDRESSES = SiteAddresses()


def site_addresses(request: HttpRequest) -> dict[str, Any]:
    # origin: the scheme and host the page was asked on, for the absolute addresses of its
    # language versions; read when used, since an admin page has none.
    return {
        "addresses": SITE_ADDRESSES,
        "origin": SimpleLazyObject(lambda: f"{request.scheme}://{request.get_host()}"),
    }
