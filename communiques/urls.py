from django.urls import path, register_converter

from . import feeds, views
from .cache import SEARCH_TIMEOUT, public_page


class YearConverter:
    """Four ASCII digits: 2019, 1398."""

    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{value:04d}"


class MonthConverter:
    """A month as two ASCII digits, 01 to 12: one address per month, never both 4 and 04."""

    regex = "0[1-9]|1[0-2]"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{value:02d}"


register_converter(YearConverter, "yyyy")
register_converter(MonthConverter, "mm")

app_name = "communiques"

# Archives are Gregorian in every language and, under "solar/", Solar Hijri in the languages
# whose readers count in it (dates.archive_calendar). The address says its calendar rather than
# leaving it to be guessed from the year.
gregorian_archive = public_page(views.CommuniqueArchiveView.as_view(calendar="gregorian"))
solar_archive = public_page(views.CommuniqueArchiveView.as_view(calendar="solar"))

# Every public page is a public_page(): cached whole for anonymous readers (communiques/cache.py).
urlpatterns = [
    path("", public_page(views.CommuniqueListView.as_view()), name="index"),
    path(
        "communiques/<slug:slug>/",
        public_page(views.CommuniqueDetailView.as_view()),
        name="detail",
    ),
    path("archive/<yyyy:year>/", gregorian_archive, name="archive-year"),
    path("archive/<yyyy:year>/<mm:month>/", gregorian_archive, name="archive-month"),
    path("archive/solar/<yyyy:year>/", solar_archive, name="solar-archive-year"),
    path("archive/solar/<yyyy:year>/<mm:month>/", solar_archive, name="solar-archive-month"),
    path(
        "categories/<slug:slug>/",
        public_page(views.CommuniqueCategoryView.as_view()),
        name="category",
    ),
]

# Search results and feeds in the language of the address; a category's feed under its slug.
urlpatterns += [
    path(
        "search/",
        public_page(views.CommuniqueSearchView.as_view(), timeout=SEARCH_TIMEOUT),
        name="search",
    ),
    path("feeds/rss/", public_page(feeds.CommuniqueFeed()), name="feed-rss"),
    path("feeds/atom/", public_page(feeds.CommuniqueAtomFeed()), name="feed-atom"),
    path(
        "feeds/<slug:category>/rss/",
        public_page(feeds.CommuniqueFeed()),
        name="category-feed-rss",
    ),
    path(
        "feeds/<slug:category>/atom/",
        public_page(feeds.CommuniqueAtomFeed()),
        name="category-feed-atom",
    ),
]

# A reviewer's secret link to a communiqué in any state (views.CommuniquePreviewView): never a
# public_page(), so never cached.
urlpatterns += [
    path(
        "communiques/preview/<slug:token>/",
        views.CommuniquePreviewView.as_view(),
        name="preview",
    ),
]
