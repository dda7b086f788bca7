"""The sitemap: every published language version, each naming the others as its alternates.

Django's i18n sitemaps list an item in every language of LANGUAGES; a communiqué exists only in
the languages it has been written in. get_languages_for_item() narrows both the versions listed
and their hreflang alternates to those, read in the same query as the communiqués.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef
from django.urls import reverse

from .models import Communique, CommuniqueQuerySet, language_codes, last_updated


def version_flag(language: str) -> str:
    """Return the name of the annotation that tells whether a communiqué exists in a language."""
    return f"has_{language.replace('-', '_')}"


class CommuniqueSitemap(Sitemap):
    i18n = True
    alternates = True

    def items(self) -> CommuniqueQuerySet:
        flags = {
            version_flag(code): Exists(
                Communique.objects.in_language(code).filter(pk=OuterRef("pk"))
            )
            for code in language_codes()
        }
        # Only what the addresses and dates need: the texts stay in the database.
        return (
            Communique.objects.published()
            .only("slug")
            .annotate(last_update=last_updated(), **flags)
        )

    def get_languages_for_item(self, item: Communique) -> list[str]:
        return [code for code in language_codes() if getattr(item, version_flag(code))]

    def lastmod(self, item: Communique) -> dt.datetime:
        # The public moment the page shows: a minor correction does not ask for a new crawl.
        return item.last_update


class IndexSitemap(Sitemap):
    """The list of communiqués, in every language; x-default is the address that negotiates."""

    i18n = True
    alternates = True
    x_default = True

    def items(self) -> list[str]:
        return ["communiques:index"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {"communiques": CommuniqueSitemap, "pages": IndexSitemap}
