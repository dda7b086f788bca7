"""The public pages: the list of communiqués, its archives by month, and each communiqué."""

from __future__ import annotations

import datetime as dt
import functools
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.views.generic import DetailView, ListView
from modeltranslation.utils import build_localized_fieldname

from . import dates, permissions, text
from .cache import address, generation_cached
from .compiled import CompiledQuery
from .models import (
    ANY_OUTDATED,
    PREFETCHED_IMAGES,
    PREFETCHED_LINKS,
    PREFETCHED_NOTES,
    REQUIRED_FOR_PUBLIC,
    Category,
    ChangeNote,
    Communique,
    CommuniqueQuerySet,
    Image,
    ImageQuerySet,
    Neighbours,
    PreviewLink,
    SourceLink,
    language_codes,
)
from .search import MAX_QUERY_LENGTH, clean_query, search
from .templatetags.communique_tags import html_lang, language_dir

# What a list shows of each communiqué (includes/communique_summary.html), its texts in the
# reader's language only: a list never reads the bodies and search documents of every language.
SUMMARY_FIELDS = ("slug", "published_at", "event_date", "category")
SUMMARY_TEXTS = ("title", "lead", "place")
# What a list reads of the images of each communiqué: which is the first, and how to show it.
THUMBNAIL_FIELDS = (
    "communique",
    "file",
    "width",
    "height",
    "renditions",
    "is_decorative",
    "placement",
    "after_paragraph",
    "order",
)


# What a communiqué's page reads of its images, links and change notes, besides their texts in
# the page's language (image_fields, localized_fields).
IMAGE_FIELDS = (*THUMBNAIL_FIELDS, "credit")
LINK_FIELDS = ("communique", "url", "kind", "order")
CHANGE_NOTE_FIELDS = ("communique", "created_at")
# Whether a communiqué has change notes, annotated on a page's communiqué.
HAS_CHANGE_NOTES = "has_change_notes"


def localized_fields(fields: Iterable[str], texts: Iterable[str], language: str) -> list[str]:
    """Return fields, and the texts named in one language: what a page loads of a model."""
    return [*fields, *(build_localized_fieldname(name, language) for name in texts)]


# What a communiqué's page reads of the communiqué: its texts in the page's language, and the
# title and body of every language, which tell the versions the public may read
# (Communique.available_languages). Not the other languages' other texts, nor the search
# documents, the largest columns of the row.
DETAIL_FIELDS = (
    "slug",
    "status",
    "published_at",
    "first_published_at",
    "event_date",
    "category",
    "withdrawal_kind",
    "withdrawn_at",
    "outdated_translations",
    "original_language",
    "original_fingerprint",
    "reference_year",
    "reference_number",
)
DETAIL_TEXTS = ("subtitle", "lead", "place", "withdrawal_reason")


def detail_fields(language: str) -> list[str]:
    """Return the fields of a communiqué that its page in a language reads."""
    versions = [
        build_localized_fieldname(name, code)
        for code in language_codes()
        for name in REQUIRED_FOR_PUBLIC
    ]
    return [*localized_fields(DETAIL_FIELDS, DETAIL_TEXTS, language), *versions]


def image_fields(language: str) -> list[str]:
    """Return the fields of an image that a communiqué's page shows."""
    return localized_fields(IMAGE_FIELDS, ("alt_text", "caption"), language)


def summary_fields(language: str, *texts: str) -> list[str]:
    """Return the fields a list of communiqués loads: a summary's, and the texts named."""
    return localized_fields(SUMMARY_FIELDS, (*SUMMARY_TEXTS, *texts), language)


def thumbnail_fields(language: str) -> list[str]:
    """Return the fields of an image that a list needs to show the first of a communiqué."""
    return localized_fields(THUMBNAIL_FIELDS, ("alt_text",), language)


class LanguageVersion(NamedTuple):
    """A language a page exists in, as the links to it show it."""

    code: str
    url: str
    # Its BCP 47 tag (fa-AF), writing direction and name in itself, capitalised (Dari: دری).
    lang: str
    dir: str
    name: str


@functools.cache
def language_attributes(code: str) -> tuple[str, str, str]:
    """Return the tag, direction and own name of a language: what every page's links show."""
    name = capfirst(translation.get_language_info(code)["name_local"])
    return html_lang(code), language_dir(code), name


def language_versions(codes: Iterable[str], url: Callable[[], str]) -> list[LanguageVersion]:
    """Return each language a page exists in, with the page's address in it."""
    versions = []
    for code in codes:
        with translation.override(code):
            versions.append(LanguageVersion(code, url(), *language_attributes(code)))
    return versions


def has_change_notes() -> Exists:
    return Exists(ChangeNote.objects.filter(communique=OuterRef("pk")))


def page_images(language: str) -> ImageQuerySet:
    """Return the images a communiqué's page shows, with what it reads of them."""
    # Photos still to be uploaded never leave the database for a public page.
    return Image.objects.exclude(file="").only(*image_fields(language))


def page_links(language: str) -> QuerySet[SourceLink]:
    return SourceLink.objects.only(*localized_fields(LINK_FIELDS, ("label",), language))


# A communiqué's page, read as CommuniqueDetailView.get_queryset() reads it, by queries compiled
# once per language (compiled.py): the communiqué at an address, its images, its links.
PAGE_COMMUNIQUE = CompiledQuery(
    lambda language, slug: (
        Communique.objects.filter(slug=slug)
        .only(*detail_fields(language))
        .annotate(**{HAS_CHANGE_NOTES: has_change_notes()})
    ),
    slug=str,
)
PAGE_IMAGES = CompiledQuery(
    lambda language, communique: page_images(language).filter(communique=communique),
    communique=int,
)
PAGE_LINKS = CompiledQuery(
    lambda language, communique: page_links(language).filter(communique=communique),
    communique=int,
)
PAGE_NOTES = CompiledQuery(
    lambda language, communique: ChangeNote.objects.filter(communique=communique).only(
        *localized_fields(CHANGE_NOTE_FIELDS, ("note",), language)
    ),
    communique=int,
)


def page_communique(slug: str, language: str) -> Communique | None:
    """Return the communiqué at an address, public or not, with its images and links, as its
    page in a language reads it."""
    found = PAGE_COMMUNIQUE(language, slug=slug)
    if not found:
        return None
    [communique] = found
    setattr(communique, PREFETCHED_IMAGES, PAGE_IMAGES(language, communique=communique.pk))
    setattr(communique, PREFETCHED_LINKS, PAGE_LINKS(language, communique=communique.pk))
    return communique


class CommuniqueViewMixin:
    """Own the queryset of the public pages: who sees what, and what is fetched with it."""

    model = Communique
    request: HttpRequest

    def can_preview(self) -> bool:
        """Tell whether the reader may see communiqués that are not public."""
        return False

    def public_communiques(self) -> CommuniqueQuerySet:
        """Return what the public finds on these pages: the published communiqués."""
        return Communique.objects.published()

    def images(self) -> ImageQuerySet:
        # Photos still to be uploaded never leave the database for a public page.
        return Image.objects.exclude(file="")

    def get_queryset(self) -> CommuniqueQuerySet:
        communiques = Communique.objects.all() if self.can_preview() else self.public_communiques()
        # Their categories are not joined in: see with_categories().
        images = Prefetch("images", queryset=self.images(), to_attr=PREFETCHED_IMAGES)
        return communiques.prefetch_related(images)


def categories(request: HttpRequest) -> dict[int, Category]:
    """Return every category by its id, read once per change of content."""
    return generation_cached(
        request,
        "categories",
        Category.objects.in_bulk,
    )


def with_categories(request: HttpRequest, communiques: list[Communique]) -> list[Communique]:
    """Give communiqués their categories, as select_related("category") would, from the few
    categories there are, read once (categories()) rather than joined into every query."""
    known = categories(request)
    for communique in communiques:
        category = known.get(communique.category_id)
        # One created since they were read is left to be read when shown.
        if category is not None:
            communique.category = category
    return communiques


# A page of a list, read by queries compiled once per language and number of communiqués
# (compiled.py): the communiqués, and what their summaries read of their images.
LISTED_COMMUNIQUES = CompiledQuery(
    lambda language, ids: (
        Communique.objects.filter(pk__in=ids, status=Communique.Status.PUBLISHED)
        .written_in(language)
        .only(*summary_fields(language), "status")
    ),
    ids=list,
)
LISTED_THUMBNAILS = CompiledQuery(
    lambda language, ids: (
        Image.objects.exclude(file="").filter(communique__in=ids).only(*thumbnail_fields(language))
    ),
    ids=list,
)


def listed_communiques(ids: list[int], language: str) -> list[Communique]:
    """Return the communiqués among ids that are published and written in a language, each with
    its images, in no particular order."""
    # is_published() is published()'s twin: the query has no clock in it.
    communiques = [c for c in LISTED_COMMUNIQUES(language, ids=ids) if c.is_published()]
    images: dict[int, list[Image]] = {communique.pk: [] for communique in communiques}
    for image in LISTED_THUMBNAILS(language, ids=list(images)):
        images[image.communique_id].append(image)
    for communique in communiques:
        setattr(communique, PREFETCHED_IMAGES, images[communique.pk])
    return communiques


class ListedCommuniques(Sequence):
    """The communiqués of a list, by their ids in the list's order, read a page at a time.

    What the paginator pages through: it counts the ids, and only the page it shows is read,
    with its categories (with_categories).
    """

    def __init__(self, request: HttpRequest, ids: Sequence[int], language: str) -> None:
        self.request = request
        self.ids = ids
        self.language = language

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: int | slice) -> Any:
        ids = list(self.ids[index]) if isinstance(index, slice) else [self.ids[index]]
        found = {c.pk: c for c in listed_communiques(ids, self.language)}
        page = with_categories(self.request, [found[pk] for pk in ids if pk in found])
        return page if isinstance(index, slice) else page[0]


class CommuniqueListView(CommuniqueViewMixin, ListView):
    template_name = "communiques/communique_list.html"
    context_object_name = "communiques"

    def get_paginate_by(self, queryset: ListedCommuniques) -> int:
        return settings.COMMUNIQUES_PER_PAGE

    @cached_property
    def public_list(self) -> PublicList:
        return public_list(self.request, translation.get_language())

    def listed_ids(self) -> Sequence[int]:
        """Return the ids of the communiqués this list shows, in its order."""
        return self.public_list.ids

    def get_queryset(self) -> ListedCommuniques:
        # The ids are those of the public list of the current content. Whether each is published
        # and written in the language is checked again, cheaply (listed_communiques), so that a
        # list computed before a change (in the instant before the new generation starts) never
        # shows what is no longer public.
        return ListedCommuniques(self.request, self.listed_ids(), translation.get_language())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # Page numbers differ between languages: every other version starts at its first page.
        context["language_versions"] = language_versions(
            language_codes(), lambda: address("communiques:index")
        )
        index = self.public_list.index
        context["archive_index"] = index
        context["archive_index_html"] = archive_index_html(
            self.request, translation.get_language(), index
        )
        return context


class CommuniqueDetailView(CommuniqueViewMixin, DetailView):
    context_object_name = "communique"
    unavailable_template_name = "communiques/communique_unavailable.html"
    object: Communique

    def can_preview(self) -> bool:
        return permissions.can_preview(self.request.user)

    def public_communiques(self) -> CommuniqueQuerySet:
        # A communiqué withdrawn with a notice keeps its page, though no list shows it.
        return Communique.objects.public()

    def images(self) -> ImageQuerySet:
        return page_images(translation.get_language())

    def get_queryset(self) -> CommuniqueQuerySet:
        language = translation.get_language()
        return (
            super()
            .get_queryset()
            .only(*detail_fields(language))
            .prefetch_related(Prefetch("links", queryset=page_links(language)))
            .annotate(**{HAS_CHANGE_NOTES: has_change_notes()})
        )

    def get_object(self, queryset: CommuniqueQuerySet | None = None) -> Communique:
        """Return the page's communiqué, with its images and links: what get_queryset() reads,
        read by its compiled queries (page_communique)."""
        communique = page_communique(self.kwargs["slug"], translation.get_language())
        # is_public() is public()'s twin: the query finds a communiqué by its address only.
        if communique is None or not (communique.is_public() or self.can_preview()):
            raise Http404("No communiqué at this address.")
        return self.prepared(communique)

    def prepared(self, communique: Communique) -> Communique:
        """Give the page's communiqué what its queryset leaves out: its category, its change
        notes, whether its translations are outdated."""
        [communique] = with_categories(self.request, [communique])
        # Most communiqués were never updated: their notes, none, cost no query.
        notes = []
        if getattr(communique, HAS_CHANGE_NOTES):
            notes = PAGE_NOTES(translation.get_language(), communique=communique.pk)
        setattr(communique, PREFETCHED_NOTES, notes)
        return note_outdated_translations(self.request, communique)

    def get_neighbours(self) -> Neighbours | None:
        """Return the communiqués of the lists just before and after this one, if it is in them.

        Read from the language's public list: the same as
        `Communique.objects.published().in_language(language).neighbours(communique)`, without
        a query.
        """
        language = translation.get_language()
        if not (self.object.is_published() and self.object.has_language(language)):
            return None
        return public_list(self.request, language).neighbours(self.object, language)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        language = translation.get_language()
        # A translation held back until it is ready again is shown to staff as a preview.
        context["is_preview"] = not (self.object.is_public() and self.object.has_language(language))
        context["language_versions"] = language_versions(
            self.object.available_languages, self.object.get_absolute_url
        )
        context["neighbours"] = self.get_neighbours()
        return context

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        context = self.get_context_data(object=self.object)
        language = translation.get_language()
        if self.object.has_language(language) or (
            self.can_preview() and self.object.is_written_in(language)
        ):
            response = self.render_to_response(context)
        else:
            # Published, but not in this language: a 404 that offers the versions there are,
            # rather than a page in one language around a text in another.
            response = TemplateResponse(
                request, self.unavailable_template_name, context, status=404
            )
        if context["is_preview"]:
            add_never_cache_headers(response)
        return response


def outdated_communiques(request: HttpRequest) -> frozenset[int]:
    """Return the ids of the communiqués that have an outdated translation (usually none),
    computed once per change of content."""
    return generation_cached(
        request,
        "outdated",
        lambda: frozenset(
            Communique.objects.with_outdated_flag()
            .filter(**{ANY_OUTDATED: True})
            .values_list("pk", flat=True)
        ),
    )


def note_outdated_translations(request: HttpRequest, communique: Communique) -> Communique:
    """Tell a communiqué whether any of its translations is outdated, as with_outdated_flag()
    does, and read its translation versions only if so.

    Whether a translation is outdated tells whether the page's version is (its notice) or is held
    back (has_language), and which others the public may read: a page of a communiqué without
    any, the usual case, needs no query for them.
    """
    outdated = communique.pk in outdated_communiques(request)
    setattr(communique, ANY_OUTDATED, outdated)
    if outdated:
        prefetch_related_objects([communique], "translation_versions")
    return communique


# --- Archives ----------------------------------------------------------------------------------

ARCHIVE_URL_NAMES: dict[dates.Calendar, tuple[str, str]] = {
    "gregorian": ("communiques:archive-year", "communiques:archive-month"),
    "solar": ("communiques:solar-archive-year", "communiques:solar-archive-month"),
}


@dataclass(frozen=True)
class ArchiveMonth:
    name: str
    count: int
    url: str


@dataclass(frozen=True)
class ArchiveYear:
    year: int
    count: int
    url: str
    months: list[ArchiveMonth]


@dataclass(frozen=True)
class ArchivePeriod:
    """A month or a year of a calendar, as the Gregorian dates of its first and last days."""

    calendar: dates.Calendar
    year: int
    month: int | None
    first: dt.date
    last: dt.date
    heading: str
    # The first and last days in the other calendar: Saratan 1398 is 22 June to 22 July 2019.
    span: tuple[str, str]


def archive_url(calendar: dates.Calendar, year: int, month: int | None = None) -> str:
    year_name, month_name = ARCHIVE_URL_NAMES[calendar]
    if month is None:
        return address(year_name, year=year)
    return address(month_name, year=year, month=month)


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def sort_key(moment: dt.datetime) -> int:
    """Return a publication moment as PublicList orders it: minus its microseconds since 1970."""
    return -((moment - EPOCH) // dt.timedelta(microseconds=1))


@dataclass(frozen=True)
class PublicList:
    """A language's public communiqués in the lists' order (newest first), and its archive index.

    What the list, its archives and categories, and each communiqué's older and newer ones are
    read from: the same until the content changes, computed once per generation in one query
    (public_list), and kept in each process's memory. A page of a list then reads only its own
    communiqués, by their ids; counting them takes no query, and neither does showing a
    communiqué's neighbours, whose address and title are here too (about 200 bytes a communiqué).
    """

    ids: array
    # sort_key(published_at) of each: ascending as the list goes back in time, for bisect.
    keys: array
    # The category of each, 0 for none.
    categories: array
    # The slug and the title in the list's language of each: what a link to it shows.
    slugs: list[str]
    titles: list[str]
    # The day of the oldest, in the embassy's calendar; None for an empty list.
    first_day: dt.date | None
    index: list[ArchiveYear]

    def between(self, start: dt.datetime, end: dt.datetime) -> Sequence[int]:
        """Return the ids of those published from start (included) to end (excluded)."""
        low = bisect_right(self.keys, sort_key(end))
        high = bisect_right(self.keys, sort_key(start))
        return self.ids[low:high]

    def in_category(self, category_id: int) -> list[int]:
        pairs = zip(self.ids, self.categories, strict=True)
        return [pk for pk, category in pairs if category == category_id]

    def neighbours(self, communique: Communique, language: str) -> Neighbours:
        """Return the communiqués listed just after (older) and before (newer) one.

        In the lists' order, as CommuniqueQuerySet.neighbours(): by publication moment, then by
        id between communiqués published at the same moment. Neither if it is not listed. Each
        has its id, slug, publication moment and title in the list's language, as
        `only("slug", "title", "published_at")` would load it.
        """
        key = sort_key(communique.published_at)
        position = bisect_left(self.keys, key)
        while (
            position < len(self.ids)
            and self.keys[position] == key
            and self.ids[position] != communique.pk
        ):
            position += 1
        if position == len(self.ids) or self.ids[position] != communique.pk:
            return Neighbours()
        older = self.listed(position + 1, language) if position + 1 < len(self.ids) else None
        newer = self.listed(position - 1, language) if position > 0 else None
        return Neighbours(older=older, newer=newer)

    def listed(self, position: int, language: str) -> Communique:
        """Return the communiqué at a position, with the fields kept here and the rest deferred."""
        kept = {
            "id": self.ids[position],
            "slug": self.slugs[position],
            "published_at": EPOCH - dt.timedelta(microseconds=self.keys[position]),
            build_localized_fieldname("title", language): self.titles[position],
        }
        # from_db() takes the values in the order of the model's fields.
        names = [f.attname for f in Communique._meta.concrete_fields if f.attname in kept]
        return Communique.from_db(DEFAULT_DB_ALIAS, names, [kept[name] for name in names])


def public_list(request: HttpRequest, language: str) -> PublicList:
    """Return a language's PublicList, computed once per change of content."""

    def compute() -> PublicList:
        rows = (
            Communique.objects.published()
            .in_language(language)
            .order_by("-published_at", "-id")
            .values_list(
                "id",
                "published_at",
                "category_id",
                "slug",
                build_localized_fieldname("title", language),
            )
        )
        ids, keys, categories = array("q"), array("q"), array("q")
        slugs, titles = [], []
        days: Counter[dt.date] = Counter()
        for pk, moment, category, slug, title in rows:
            ids.append(pk)
            keys.append(sort_key(moment))
            categories.append(category or 0)
            slugs.append(slug)
            titles.append(title)
            # Dated in the embassy's time zone, the current one, as start_of_day() is.
            days[timezone.localdate(moment)] += 1
        first_day = min(days) if days else None
        index = archive_index(days, language)
        return PublicList(ids, keys, categories, slugs, titles, first_day, index)

    return generation_cached(request, f"list:{language}", compute)


def archive_index_html(request: HttpRequest, language: str, index: list[ArchiveYear]) -> str:
    """Return the archive index as the lists show it, rendered once per change of content.

    The same for every page of the list and of each category; each archive page marks its own
    period in it.
    """
    addresses = {address for year in index for address in (year.url, *(m.url for m in year.months))}
    current = request.path if request.path in addresses else ""
    return generation_cached(
        request,
        f"archive-html:{language}:{current}",
        # Markup, as every template's output is: a page includes it as it is.
        lambda: mark_safe(
            render_to_string(
                "communiques/includes/archive_index.html",
                {"archive_index": index, "current_path": current},
            )
        ),
    )


def archive_index(days: dict[dt.date, int], language: str) -> list[ArchiveYear]:
    """Return the years and months with communiqués in the reader's calendar, newest first."""
    calendar = dates.archive_calendar(language)
    counts: Counter[tuple[int, int]] = Counter()
    for day, count in days.items():
        counts[dates.archive_month(day, calendar)] += count
    months_by_year: dict[int, list[ArchiveMonth]] = {}
    for (year, month), count in sorted(counts.items(), reverse=True):
        months_by_year.setdefault(year, []).append(
            ArchiveMonth(
                name=dates.month_name(month, language, calendar),
                count=count,
                url=archive_url(calendar, year, month),
            )
        )
    return [
        ArchiveYear(
            year=year,
            count=sum(month.count for month in months),
            url=archive_url(calendar, year),
            months=months,
        )
        for year, months in months_by_year.items()
    ]


def start_of_day(day: dt.date) -> dt.datetime:
    """Return the moment a day begins in the embassy's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class CommuniqueArchiveView(CommuniqueListView):
    """List the communiqués published in one month or one year of a calendar."""

    template_name = "communiques/communique_archive.html"
    calendar: dates.Calendar = "gregorian"
    period: ArchivePeriod

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.period = self.get_period()
        return super().get(request, *args, **kwargs)

    def get_period(self) -> ArchivePeriod:
        language = translation.get_language()
        if self.calendar == "solar" and dates.archive_calendar(language) != "solar":
            raise Http404("This language has no archive in this calendar.")
        year, month = self.kwargs["year"], self.kwargs.get("month")
        try:
            if month is None:
                first, last = dates.year_range(year, self.calendar)
            else:
                first, last = dates.month_range(year, month, self.calendar)
        except ValueError as error:
            raise Http404("No such month.") from error
        # Periods before the first communiqué and after today have no page; one between them
        # without a communiqué says so.
        first_day = self.public_list.first_day
        if first_day is None or last < first_day or first > timezone.localdate():
            raise Http404("No communiqué can have been published then.")
        if month is None:
            heading = dates.convention_for(language).number(year)
        else:
            heading = dates.format_month(year, month, language, self.calendar)
        other = dates.format_gregorian if self.calendar == "solar" else dates.format_solar_hijri
        span = (other(first, language), other(last, language))
        return ArchivePeriod(self.calendar, year, month, first, last, heading, span)

    def listed_ids(self) -> Sequence[int]:
        return self.public_list.between(
            start_of_day(self.period.first), start_of_day(self.period.last + dt.timedelta(days=1))
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["archive"] = self.period
        if self.period.month is not None:
            context["archive_year_url"] = archive_url(self.calendar, self.period.year)
        # The same period in the other languages that have archives in this calendar.
        codes = [
            code
            for code in language_codes()
            if self.calendar == "gregorian" or dates.archive_calendar(code) == self.calendar
        ]
        context["language_versions"] = language_versions(
            codes, lambda: reverse(self.request.resolver_match.view_name, kwargs=self.kwargs)
        )
        return context


# --- Categories --------------------------------------------------------------------------------


class CommuniqueCategoryView(CommuniqueListView):
    """List the communiqués of one category, as the list does all of them."""

    template_name = "communiques/communique_category.html"
    category: Category

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.category = get_object_or_404(Category, slug=self.kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def listed_ids(self) -> Sequence[int]:
        return self.public_list.in_category(self.category.pk)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["category"] = self.category
        # Every language has the page, as every language has the list.
        context["language_versions"] = language_versions(
            language_codes(),
            lambda: address("communiques:category", slug=self.category.slug),
        )
        return context


# --- Search and robots -------------------------------------------------------------------------


class CommuniqueSearchView(CommuniqueViewMixin, ListView):
    """Find the published communiqués of the reader's language that hold every word asked for."""

    template_name = "communiques/search.html"
    context_object_name = "communiques"

    def get_paginate_by(self, queryset: CommuniqueQuerySet) -> int:
        return settings.COMMUNIQUES_PER_PAGE

    @cached_property
    def cleaned_query(self) -> tuple[str, bool]:
        return clean_query(self.request.GET.get("q", ""))

    def get_queryset(self) -> CommuniqueQuerySet:
        query, _was_cut = self.cleaned_query
        language = translation.get_language()
        # The excerpt is taken from the lead and the body (search_excerpt).
        communiques = (
            super()
            .get_queryset()
            .select_related("category")
            .only(*summary_fields(language, "body"))
        )
        return search(query, language, communiques)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query, was_cut = self.cleaned_query
        language = translation.get_language()
        # The address of the same search: the other languages and the other pages keep the query.
        query_string = urlencode({"q": query}) if query else ""
        context.update(
            query=query,
            query_was_cut=was_cut,
            max_query_length=MAX_QUERY_LENGTH,
            search_terms=text.search_terms(query, language),
            page_query=f"{query_string}&" if query_string else "",
        )
        context["language_versions"] = language_versions(
            language_codes(),
            lambda: reverse("communiques:search") + (f"?{query_string}" if query_string else ""),
        )
        return context


def robots_txt(request: HttpRequest) -> HttpResponse:
    """Point crawlers to the sitemap, and away from search results, whose pages never end."""
    searches = language_versions(language_codes(), lambda: reverse("communiques:search"))
    search_paths = [version.url for version in searches]
    return TemplateResponse(
        request,
        "robots.txt",
        {
            "search_paths": search_paths,
            "sitemap_url": request.build_absolute_uri(reverse("sitemap")),
        },
        content_type="text/plain; charset=utf-8",
    )


# --- Preview links -----------------------------------------------------------------------------


class CommuniquePreviewView(CommuniqueDetailView):
    """Show a communiqué in any state to whoever holds a live preview link, in the URL's language.

    An unknown, expired or revoked token answers 404, as a missing page does. The page is never
    cached nor indexed: the address is a secret with an end.
    """

    def get_queryset(self) -> CommuniqueQuerySet:
        links = PreviewLink.objects.live().for_token(self.kwargs["token"])
        return super().get_queryset().filter(preview_links__in=links)

    def can_preview(self) -> bool:
        # The link's holder reviews what is not public: a translation held back until it is
        # marked ready again included.
        return True

    def public_communiques(self) -> CommuniqueQuerySet:
        # The link opens the communiqué whatever its state, and whoever follows it.
        return Communique.objects.all()

    def get_object(self, queryset: CommuniqueQuerySet | None = None) -> Communique:
        communique = (queryset if queryset is not None else self.get_queryset()).first()
        if communique is None:
            raise Http404("No live preview link with this token.")
        return self.prepared(communique)

    def get_neighbours(self) -> None:
        # A reviewer's page leads nowhere else: its address is the only one the token opens.
        return None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["is_preview"] = True
        context["language_versions"] = language_versions(
            self.object.available_languages,
            lambda: reverse("communiques:preview", kwargs={"token": self.kwargs["token"]}),
        )
        return context

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
