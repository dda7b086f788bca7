"""RSS and Atom feeds of the published communiqués of one language, all or one category's.

Each entry carries the whole communiqué (its lead, its sanitised body with dates written out and
its photos at their places, as absolute addresses) and its lead photo as an enclosure, so that a
feed reader needs nothing from the site but the photos.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import gettext

from . import text
from .context_processors import site_identity
from .models import Category, Communique, CommuniqueQuerySet, Image, last_updated
from .templatetags.communique_tags import html_lang
from .views import image_fields, localized_fields

# Enough for a reader who checks once a week: the press office publishes a few a week at most.
FEED_LENGTH = 20
# What an entry shows of a communiqué, besides these texts in the feed's language.
FEED_FIELDS = ("slug", "published_at", "first_published_at", "category")
FEED_TEXTS = ("title", "lead", "body")
CONTENT_NAMESPACE = "http://purl.org/rss/1.0/modules/content/"


class RssWithContent(Rss201rev2Feed):
    """RSS 2.0 with each item's full text in content:encoded, beside its lead in description."""

    def rss_attributes(self) -> dict[str, str]:
        return {**super().rss_attributes(), "xmlns:content": CONTENT_NAMESPACE}

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content"])


class AtomWithContent(Atom1Feed):
    """Atom with each entry's full text in content, beside its lead in summary."""

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content"], {"type": "html"})


@dataclass(frozen=True)
class FeedSource:
    """What one request for a feed asks for: a language, maybe a category, and where from."""

    language: str
    category: Category | None
    site_name: str
    # The scheme and host the feed was asked on: "https://example.org/".
    base_url: str

    def absolute(self, address: str) -> str:
        return urljoin(self.base_url, address)


@dataclass(frozen=True)
class FeedEntry:
    """A communiqué with the request it is listed for: item methods receive nothing else."""

    communique: Communique
    source: FeedSource


@dataclass(frozen=True)
class FeedFigure:
    """A photo as a feed shows it: from its largest JPEG, at an absolute address."""

    image: Image
    src: str


class CommuniqueFeed(Feed):
    """The newest communiqués of the active language, all or one category's, as RSS 2.0."""

    feed_type = RssWithContent

    @property
    def language(self) -> str:
        # BCP 47, as the pages' lang attributes: fa-AF.
        return html_lang(translation.get_language())

    def get_object(self, request: HttpRequest, category: str | None = None) -> FeedSource:
        return FeedSource(
            language=translation.get_language(),
            category=get_object_or_404(Category, slug=category) if category else None,
            site_name=site_identity(request).name,
            base_url=request.build_absolute_uri("/"),
        )

    def title(self, source: FeedSource) -> str:
        # Escaped: RSS readers read the channel's title and description as HTML, as they read
        # its items' titles, and the names in them are typed in the admin.
        return escape(self.heading(source))

    def heading(self, source: FeedSource) -> str:
        """Return the feed's title, as text."""
        if source.category is not None:
            return f"{source.category} · {source.site_name}"
        return f"{gettext('Communiqués')} · {source.site_name}"

    def link(self, source: FeedSource) -> str:
        if source.category is not None:
            return reverse("communiques:category", kwargs={"slug": source.category.slug})
        return reverse("communiques:index")

    def description(self, source: FeedSource) -> str:
        return escape(self.summary(source))

    def summary(self, source: FeedSource) -> str:
        """Return the feed's description, as text."""
        if source.category is not None:
            return gettext("%(site)s: the latest communiqués in the category %(category)s.") % {
                "site": source.site_name,
                "category": source.category,
            }
        return gettext("%(site)s: the latest communiqués.") % {"site": source.site_name}

    def author_name(self, source: FeedSource) -> str:
        return source.site_name

    def items(self, source: FeedSource) -> list[FeedEntry]:
        # Only the texts of the feed's language, and of its photos; never a photo still to be
        # uploaded.
        fields = localized_fields(FEED_FIELDS, FEED_TEXTS, source.language)
        images = Image.objects.exclude(file="").only(*image_fields(source.language))
        communiques: CommuniqueQuerySet = (
            Communique.objects.published()
            .in_language(source.language)
            .select_related("category")
            .only(*fields)
            .annotate(last_update=last_updated())
            .prefetch_related(Prefetch("images", queryset=images))
        )
        if source.category is not None:
            communiques = communiques.filter(category=source.category)
        return [FeedEntry(communique, source) for communique in communiques[:FEED_LENGTH]]

    def item_title(self, entry: FeedEntry) -> str:
        # Escaped: RSS readers read a title as HTML (Django's default, ticket #6533).
        return escape(entry.communique.title)

    def item_description(self, entry: FeedEntry) -> str:
        lead = entry.communique.lead
        return text.render_date_tokens(escape(lead), entry.source.language) if lead else ""

    def item_link(self, entry: FeedEntry) -> str:
        return entry.communique.get_absolute_url()

    def item_pubdate(self, entry: FeedEntry) -> dt.datetime:
        return timezone.localtime(entry.communique.published_at)

    def item_updateddate(self, entry: FeedEntry) -> dt.datetime:
        # The public moment the page shows, which only a change note moves.
        return timezone.localtime(entry.communique.last_update)

    def item_categories(self, entry: FeedEntry) -> tuple[str, ...]:
        category = entry.communique.category
        return (category.name,) if category is not None and category.name else ()

    def item_enclosures(self, entry: FeedEntry) -> list[Enclosure]:
        image = entry.communique.thumbnail()
        if image is None:
            return []
        name, mime_type = largest_jpeg(image)
        storage = image.file.storage
        try:
            length = storage.size(name)
        except (OSError, NotImplementedError):
            # The length is required but may be unknown: 0 is what RSS readers accept for that.
            length = 0
        return [Enclosure(entry.source.absolute(storage.url(name)), str(length), mime_type)]

    def item_extra_kwargs(self, entry: FeedEntry) -> dict[str, Any]:
        return {"content": self.item_content(entry)}

    def item_content(self, entry: FeedEntry) -> str:
        """Return the communiqué's full text as HTML, its photos at their places."""
        communique = entry.communique

        def figure(image: Image) -> FeedFigure:
            return FeedFigure(image, entry.source.absolute(image.picture.src))

        blocks = [
            figure(block) if isinstance(block, Image) else block
            for block in communique.body_with_images()
        ]
        return render_to_string(
            "communiques/feed_content.html",
            {
                "communique": communique,
                "blocks": blocks,
                "gallery": [figure(image) for image in communique.gallery_images()],
            },
        )


class CommuniqueAtomFeed(CommuniqueFeed):
    """The same communiqués as Atom 1.0."""

    feed_type = AtomWithContent

    def title(self, source: FeedSource) -> str:
        # Atom's title and subtitle are text: escaped, they would show their entities.
        return self.heading(source)

    def subtitle(self, source: FeedSource) -> str:
        return self.summary(source)

    def item_title(self, entry: FeedEntry) -> str:
        # An Atom title is text unless it says otherwise: escaped, it would show its entities.
        return entry.communique.title


def largest_jpeg(image: Image) -> tuple[str, str]:
    """Return the stored name and type of an image's largest JPEG rendition, or of its file."""
    jpegs = [rendition for rendition in image.renditions if rendition["format"] == "jpeg"]
    if jpegs:
        return max(jpegs, key=lambda rendition: rendition["width"])["name"], "image/jpeg"
    # Stored before renditions existed: the file as uploaded.
    mime_type, _encoding = mimetypes.guess_type(image.file.name)
    return image.file.name, mime_type or "application/octet-stream"
