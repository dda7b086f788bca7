"""Whole public pages kept in Django's cache for anonymous readers, and the HTTP caching headers.

- Views opt in with `public_page()` in the URL configurations: the list, a communiqué, the
  archives, the categories, search, the feeds, the sitemap and robots.txt. Nothing else is ever
  stored: not the admin, not preview links, not the health probes.
- `PageCacheMiddleware` answers an anonymous GET or HEAD of such a page from the cache, without a
  database query, keyed by the page's language and full address (scheme, host, path and query).
  A request that carries a session or messages cookie (signed-in staff) neither reads nor writes
  the cache, and its public pages are sent `private, no-store`.
- Invalidation: one state in the cache, `PageState`, names the current generation of the content.
  Every stored page carries the generation it was rendered under and is served only while that
  is still the current one. `content_changed()`, called by every save and delete of what the
  pages show (models.PageContent, models.PageContentQuerySet), starts a new generation.
- Scheduled publications: the state also holds the moment of the next one. From then on the
  state is stale; the next reader of a public page starts a new generation, so a communiqué
  scheduled for 10:00 appears at 10:00 although nothing is written then.
- HTTP, on every anonymous public page: `ETag` (the content's hash) and `Last-Modified` (when
  the current generation began), with `304` answers to revalidations; `Cache-Control: public`
  with COMMUNIQUES_PAGE_MAX_AGE and COMMUNIQUES_PAGE_S_MAXAGE; `Vary: Cookie`, since the same
  address answers staff differently. They are stored with the page, like its other headers.
- What many pages share and would each query (each language's list of communiqués and its
  archive index, the site settings: views.py) is kept for the current generation too, in each
  process's memory (`generation_cached()`), with the page cache switched off as well:
  COMMUNIQUES_PAGE_CACHE is about whole pages only, and the generation is kept up to date either
  way.
- An unreachable cache costs a request one failed attempt, logged, and the page is served
  uncached.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from collections.abc import Callable
from functools import cache as memoize
from functools import lru_cache as memoize_lru
from functools import wraps
from typing import Any, NamedTuple, TypeVar

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.db import transaction
from django.db.models import Min
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import Resolver404, get_script_prefix, get_urlconf, resolve, reverse
from django.utils import translation
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import http_date

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponseBase]
T = TypeVar("T")

# The 1 is the format of what is stored under these keys: change it with the format.
STATE_KEY = "pages:1:state"
# Search results: one address per query, most of them asked once. They leave room for the
# pages sooner.
SEARCH_TIMEOUT = 60
# Where request_store() keeps a request's PageStore.
STORE_ATTRIBUTE = "_page_store"


class PageState(NamedTuple):
    """Which content the stored pages must have been rendered from."""

    generation: str
    # When this generation began, as a Unix time: the Last-Modified of every page.
    changed_at: float
    # The next scheduled publication, as a Unix time: from then on, the generation is stale.
    next_publication: float | None

    def is_current(self, now: float) -> bool:
        return self.next_publication is None or now < self.next_publication


class StoredPage(NamedTuple):
    generation: str
    content: bytes
    headers: tuple[tuple[str, str], ...]

    def response(self) -> HttpResponse:
        return HttpResponse(self.content, headers=dict(self.headers))


# --- Marking the public pages --------------------------------------------------------------------


def public_page(view: View, *, timeout: int | None = None) -> View:
    """Mark a view whose pages are the same for every anonymous reader, so that they are cached.

    `timeout`: how long a stored page may be kept, in seconds (COMMUNIQUES_PAGE_CACHE_TIMEOUT by
    default); a change of content makes it stale before that.
    """

    # A wrapper rather than attributes set on the view itself: the sitemap view and the feeds are
    # shared objects.
    @wraps(view)
    def public_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return view(request, *args, **kwargs)

    public_view.is_public_page = True
    public_view.page_cache_timeout = timeout
    return public_view


def public_view_of(request: HttpRequest) -> View | None:
    """Return the public_page() view the request's address leads to, if it leads to one."""
    urlconf = getattr(request, "urlconf", None) or get_urlconf() or settings.ROOT_URLCONF
    return _public_view(request.path_info, urlconf, translation.get_language())


@memoize_lru(maxsize=4096)
def _public_view(path: str, urlconf: str, language: str) -> View | None:
    # Kept for the addresses asked most, rather than resolved here and again by Django's
    # handler; the language is part of the key, since the language prefix is.
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    return match.func if getattr(match.func, "is_public_page", False) else None


# --- Addresses ------------------------------------------------------------------------------


def address(viewname: str, **kwargs: Any) -> str:
    """Return reverse(viewname, kwargs=kwargs), worked out once for each language.

    A list names some thirty addresses (each communiqué's and category's, the other languages'),
    and an address depends only on the view, its arguments, the language prefix, the script
    prefix and the URL configuration.
    """
    return _address(
        viewname,
        tuple(sorted(kwargs.items())),
        translation.get_language(),
        get_script_prefix(),
        get_urlconf() or settings.ROOT_URLCONF,
    )


@memoize_lru(maxsize=8192)
def _address(viewname: str, kwargs: tuple, language: str, prefix: str, urlconf: str) -> str:
    # Every argument is part of the key; reverse() reads the last three from where they are set.
    return reverse(viewname, kwargs=dict(kwargs) or None)


# --- The generation ---------------------------------------------------------------------------


def new_state(changed_at: float | None = None) -> PageState:
    """Return a new generation, with the moment of the next scheduled publication."""
    # Imported here: models.py imports this module for content_changed().
    from .models import Communique

    upcoming = Communique.objects.scheduled().aggregate(next=Min("published_at"))["next"]
    return PageState(
        generation=secrets.token_hex(8),
        changed_at=time.time() if changed_at is None else changed_at,
        next_publication=upcoming.timestamp() if upcoming else None,
    )


def content_changed() -> None:
    """Make every cached page stale: what the public pages show has just been changed."""
    # With the page cache switched off too: the parts of pages kept by generation_cached() must
    # not outlive the content they were computed from. At once, for what runs later in the same
    # transaction (and for tests, whose transaction is never committed).
    start_generation()
    if transaction.get_connection().in_atomic_block:
        # And again once the change is visible: until then, another request renders the rows as
        # they were and would store that page under the generation just started.
        transaction.on_commit(start_generation, robust=True)


def start_generation() -> None:
    state = new_state()
    try:
        cache.set(STATE_KEY, tuple(state), timeout=None)
    except Exception as error:
        # Each backend raises its own errors (redis.ConnectionError, TimeoutError…). The change
        # is saved all the same; pages stored before it expire after their timeout.
        logger.warning("The cache is unreachable (%s): cached pages were not made stale.", error)


# --- Answering -------------------------------------------------------------------------------


@memoize
def release() -> str:
    """Return a fingerprint of the static files' hashed names, which every page links to, and
    of the Content-Security-Policy, which every page is stored with.

    A new release stores its own pages: one from the release before could name static files that
    are gone, or carry a policy since changed.
    """
    read_manifest = getattr(staticfiles_storage, "read_manifest", None)
    manifest = (read_manifest() if read_manifest else None) or ""
    policy = repr(getattr(settings, "CONTENT_SECURITY_POLICY", None))
    return hashlib.blake2b(f"{manifest}\n{policy}".encode(), digest_size=4).hexdigest()


def page_key(request: HttpRequest) -> str:
    # The scheme and host are part of the page: its alternate links and feeds are absolute.
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    address = f"{language} {request.build_absolute_uri()}"
    digest = hashlib.blake2b(address.encode(), digest_size=16).hexdigest()
    return f"pages:1:{release()}:{digest}"


def is_anonymous_read(request: HttpRequest) -> bool:
    """Tell, without a query, whether a request reads as a reader with no account does."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        # A message for this browser would be shown on the next page it reads.
        and CookieStorage.cookie_name not in request.COOKIES
    )


def is_personal(request: HttpRequest, response: HttpResponseBase) -> bool:
    """Tell whether an answer belongs to one browser: it sets a cookie, or says it is private."""
    session = getattr(request, "session", None)
    cache_control = response.get("Cache-Control", "")
    return (
        bool(response.cookies)
        or (session is not None and session.modified)
        or "private" in cache_control
        or "no-store" in cache_control
    )


def make_private(response: HttpResponseBase) -> None:
    add_never_cache_headers(response)
    patch_vary_headers(response, ("Cookie",))


def add_public_headers(response: HttpResponseBase, state: PageState | None) -> None:
    """Add the headers that let browsers and CDNs keep a page, and revalidate it."""
    patch_cache_control(
        response,
        public=True,
        max_age=settings.COMMUNIQUES_PAGE_MAX_AGE,
        s_maxage=settings.COMMUNIQUES_PAGE_S_MAXAGE,
    )
    # The same address shows staff what the public does not see (a draft, a preview banner).
    patch_vary_headers(response, ("Cookie",))
    set_response_etag(response)
    if state is not None:
        # Rather than a view's own (a feed's newest entry): a withdrawal takes the newest entry
        # back in time, and a revalidation would wrongly be told nothing changed.
        response.headers["Last-Modified"] = http_date(int(state.changed_at))


def answer(
    request: HttpRequest, response: HttpResponseBase, state: PageState | None
) -> HttpResponseBase:
    """Answer a revalidation that names the page as it is with 304 Not Modified."""
    return get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=int(state.changed_at) if state is not None else None,
        response=response,
    )


class PageStore:
    """The cache as one request uses it: after a first error, logged, it is left alone."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.available = True
        # Whole pages are read and stored only with the page cache on; parts of them always.
        self.keeps_pages = bool(settings.COMMUNIQUES_PAGE_CACHE)
        # The generation the request renders from, once read (current_state).
        self.state: PageState | None = None

    def attempt(self, operation: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self.available:
            return None
        try:
            return operation(*args, **kwargs)
        except Exception as error:
            # Each backend raises its own errors (redis.ConnectionError, TimeoutError…).
            self.available = False
            logger.warning(
                "The cache is unreachable (%s): %s is served uncached.", error, self.request.path
            )
            return None

    def read(self, key: str) -> tuple[PageState | None, StoredPage | None]:
        if not self.keeps_pages:
            return None, None
        # One round trip for both.
        values = self.attempt(cache.get_many, [STATE_KEY, key]) or {}
        state, page = values.get(STATE_KEY), values.get(key)
        return (
            PageState(*state) if state is not None else None,
            StoredPage(*page) if page is not None else None,
        )

    def start_generation(self, changed_at: float | None = None) -> PageState | None:
        state = new_state(changed_at)
        self.attempt(cache.set, STATE_KEY, tuple(state), timeout=None)
        return state if self.available else None

    def current_state(self) -> PageState | None:
        """Return the generation the request renders from: the current one, read once.

        A cache without one (emptied, or the state evicted) starts one from now; a generation
        that a scheduled publication made stale, a new one from that moment. None if the cache
        is unreachable.
        """
        if self.state is None and self.available:
            stored = self.attempt(cache.get, STATE_KEY)
            state = PageState(*stored) if stored is not None else None
            if state is None:
                state = self.start_generation()
            elif not state.is_current(time.time()):
                state = self.start_generation(changed_at=state.next_publication)
            self.state = state if self.available else None
        return self.state

    def store(self, key: str, page: StoredPage, timeout: int) -> None:
        if self.keeps_pages:
            self.attempt(cache.set, key, tuple(page), timeout=timeout)


def request_store(request: HttpRequest) -> PageStore:
    """Return the PageStore of a request, the same for the middleware and the views."""
    store = getattr(request, STORE_ATTRIBUTE, None)
    if store is None:
        store = PageStore(request)
        setattr(request, STORE_ATTRIBUTE, store)
    return store


class Parts:
    """What generation_cached() computed in this process, for one generation only.

    In the process's memory rather than in the cache: each value is computed once per process
    and generation, and a page then reads none of them over the network. The generation, in the
    cache, is what every process shares.
    """

    # Archive pages each have their own index (their period is marked in it): past this many
    # values the process starts afresh.
    MAX_VALUES = 512

    def __init__(self) -> None:
        self.generation: tuple[str, float] | None = None
        self.values: dict[str, Any] = {}

    def get(self, generation: tuple[str, float], name: str) -> tuple[Any] | None:
        if generation != self.generation:
            return None
        return self.values.get(name)

    def put(self, generation: tuple[str, float], name: str, value: Any) -> None:
        if generation != self.generation or len(self.values) >= self.MAX_VALUES:
            # Values of another generation are stale: they go, all at once.
            self.values = {}
            self.generation = generation
        self.values[name] = (value,)


PARTS = Parts()


def generation_cached(request: HttpRequest, name: str, compute: Callable[[], T]) -> T:
    """Return a value computed from the content, kept until the content changes.

    For what many pages show and each would otherwise query (views.public_list, the site
    settings). `name` tells values apart within a generation, so it names everything the value
    depends on besides the content (its language). Computed anew when the cache is unreachable:
    without the generation, nothing says whether a value is still true.
    """
    # Read before the value is computed: a change committed meanwhile starts a newer generation,
    # and the value computed from the rows before it is never taken for the newer one's.
    state = request_store(request).current_state()
    if state is None:
        return compute()
    # The start too: a generation named anew after the cache was emptied is another one.
    generation = (state.generation, state.changed_at)
    kept = PARTS.get(generation, name)
    if kept is not None:
        # Kept in a tuple: None is a value too (no site settings yet).
        return kept[0]
    value = compute()
    PARTS.put(generation, name, value)
    return value


class PageCacheMiddleware:
    """Serve anonymous readers' public pages from the cache, and say who else may keep them.

    Placed after LocaleMiddleware, whose language is part of the key, and before the middleware
    that only a page being rendered needs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not is_anonymous_read(request):
            response = self.get_response(request)
            if public_view_of(request) is not None:
                # Signed in: the page may hold what the public must not see, such as a draft.
                make_private(response)
            return response

        store = request_store(request)
        key = page_key(request)
        state, page = store.read(key)
        now = time.time()
        if state is not None and page is not None:
            if state.is_current(now) and page.generation == state.generation:
                # Stored with all its headers: nothing is left to compute.
                return answer(request, page.response(), state)

        # Anything that is not a public page costs no more than the read above.
        view = public_view_of(request)
        if view is None:
            return self.get_response(request)
        if store.available and store.keeps_pages:
            if state is None:
                # The cache was emptied (or evicted the state): start again from now.
                state = store.start_generation()
            elif not state.is_current(now):
                # A scheduled communiqué has just gone live: that is when the content changed.
                state = store.start_generation(changed_at=state.next_publication)
            # The parts of the page kept by generation_cached() belong to the same generation.
            store.state = state

        # The state is read before the page is rendered: a change committed meanwhile starts a
        # newer generation, so a page rendered from the rows before it is never served as new.
        response = self.get_response(request)
        if is_personal(request, response):
            make_private(response)
            return response
        if response.status_code != 200 or response.streaming:
            patch_vary_headers(response, ("Cookie",))
            return response
        add_public_headers(response, state)
        if state is not None:
            page = StoredPage(state.generation, response.content, tuple(response.items()))
            timeout = view.page_cache_timeout or settings.COMMUNIQUES_PAGE_CACHE_TIMEOUT
            store.store(key, page, timeout)
        return answer(request, response, state)
