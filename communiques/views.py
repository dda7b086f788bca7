"""The public pages: the list of communiqués, its archives by month, and each communiqué."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Prefetch
from django.db.models.functions import TruncDate
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.views.generic import DetailView, ListView

from . import dates, permissions, text
from .models import (
    Category,
    Communique,
    CommuniqueQuerySet,
    Image,
    Neighbours,
    PreviewLink,
    language_codes,
)
from .search import MAX_QUERY_LENGTH, clean_query, search


def language_versions(codes: Iterable[str], url: Callable[[], str]) -> list[tuple[str, str]]:
    """Return (language, address) for each language a page exists in."""
    versions = []
    for code in codes:
        with translation.override(code):
            versions.append((code, url()))
    return versions


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

    def get_queryset(self) -> CommuniqueQuerySet:
        communiques = Communique.objects.all() if self.can_preview() else self.public_communiques()
        return communiques.select_related("category").prefetch_related(
            # Photos still to be uploaded never leave the database for a public page.
            Prefetch("images", queryset=Image.objects.exclude(file=""))
        )


class CommuniqueListView(CommuniqueViewMixin, ListView):
    context_object_name = "communiques"

    def get_paginate_by(self, queryset: CommuniqueQuerySet) -> int:
        return settings.COMMUNIQUES_PER_PAGE

    def get_queryset(self) -> CommuniqueQuerySet:
        return super().get_queryset().in_language(translation.get_language())

    @cached_property
    def publication_days(self) -> dict[dt.date, int]:
        return publication_days(translation.get_language())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # Page numbers differ between languages: every other version starts at its first page.
        context["language_versions"] = language_versions(
            language_codes(), lambda: reverse("communiques:index")
        )
        context["archive_index"] = archive_index(self.publication_days, translation.get_language())
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

    def get_queryset(self) -> CommuniqueQuerySet:
        # The translation versions tell whether this version is outdated (its notice), or held
        # back (has_language), and which others the public may read.
        return (
            super().get_queryset().prefetch_related("links", "change_notes", "translation_versions")
        )

    def get_neighbours(self) -> Neighbours | None:
        """Return the communiqués of the lists just before and after this one, if it is in them."""
        language = translation.get_language()
        if not (self.object.is_published() and self.object.has_language(language)):
            return None
        return Communique.objects.published().in_language(language).neighbours(self.object)

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
        return reverse(year_name, kwargs={"year": year})
    return reverse(month_name, kwargs={"year": year, "month": month})


def publication_days(language: str) -> dict[dt.date, int]:
    """Return how many public communiqués in a language were published on each day."""
    rows = (
        Communique.objects.published()
        .in_language(language)
        # The default ordering would be grouped by too, giving one row per communiqué.
        .order_by()
        # Dated in the embassy's time zone, the current one.
        .annotate(day=TruncDate("published_at"))
        .values("day")
        .annotate(count=Count("pk"))
        .values_list("day", "count")
    )
    return dict(rows)


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
        days = self.publication_days
        if not days or last < min(days) or first > timezone.localdate():
            raise Http404("No communiqué can have been published then.")
        if month is None:
            heading = dates.convention_for(language).number(year)
        else:
            heading = dates.format_month(year, month, language, self.calendar)
        other = dates.format_gregorian if self.calendar == "solar" else dates.format_solar_hijri
        span = (other(first, language), other(last, language))
        return ArchivePeriod(self.calendar, year, month, first, last, heading, span)

    def get_queryset(self) -> CommuniqueQuerySet:
        return (
            super()
            .get_queryset()
            .filter(
                published_at__gte=start_of_day(self.period.first),
                published_at__lt=start_of_day(self.period.last + dt.timedelta(days=1)),
            )
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

    def get_queryset(self) -> CommuniqueQuerySet:
        return super().get_queryset().filter(category=self.category)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["category"] = self.category
        # Every language has the page, as every language has the list.
        context["language_versions"] = language_versions(
            language_codes(),
            lambda: reverse("communiques:category", kwargs={"slug": self.category.slug}),
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
        return search(query, translation.get_language(), super().get_queryset())

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
    search_paths = [path for _code, path in searches]
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
        return communique

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
