"""Log one line per request, and answer 503 while the database is unreachable.

- `RequestLogMiddleware`: what was asked, what was answered, in how long, for whom.
- `DatabaseUnavailableMiddleware` (and `server_error`, the 500 handler): a request that fails for
  want of the database gets a static page in its language, 503 with `Retry-After`, rendered
  without the database. A form posted meanwhile was not saved: the page says so and lists what
  was typed. Django reconnects by itself once the database is back (CONN_HEALTH_CHECKS): nothing
  needs a restart.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string
from django.utils import translation
from django.views import defaults

from .logs import current_request_id

logger = logging.getLogger("embassy.requests")
failures = logging.getLogger("embassy.failures")

# What a lost or refused connection raises (psycopg2 and sqlite3 errors are wrapped in these).
# OperationalError also covers what passes with the moment: a statement timeout, a deadlock, a
# locked SQLite file; all are worth the same answer: try again shortly.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
# Seconds: what a client or a crawler is asked to wait before asking again.
RETRY_AFTER = 30

REQUEST_ID_HEADER = "X-Request-ID"
# A request id set by the reverse proxy is kept, so that its log and ours can be joined; anything
# else in that header is replaced rather than written into the logs.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        start = time.perf_counter()
        request_id = incoming_request_id(request) or uuid.uuid4().hex
        request.request_id = request_id
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
            # A streamed answer (a static file) is timed until it is ready, not until sent.
            duration_ms = round((time.perf_counter() - start) * 1000, 2)
            response[REQUEST_ID_HEADER] = request_id
            language = getattr(request, "LANGUAGE_CODE", None)
            logger.info(
                "%s %s %s %.1fms",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    # Without the query string: a reader's search terms stay out of the logs.
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "language": language,
                    "user_id": authenticated_user_id(request),
                    "request_id": request_id,
                },
            )
        finally:
            current_request_id.reset(token)
        return response


def incoming_request_id(request: HttpRequest) -> str | None:
    value = request.headers.get(REQUEST_ID_HEADER, "")
    return value if _VALID_REQUEST_ID.fullmatch(value) else None


def authenticated_user_id(request: HttpRequest) -> int | None:
    """Return the id of the signed-in user, without a query for a reader who has no session."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    user = getattr(request, "user", None)
    try:
        if user is None or not user.is_authenticated:
            return None
    except DATABASE_UNAVAILABLE:
        # The session could not be read: the line is still written, without the user.
        return None
    return user.pk


# --- The database is unreachable -----------------------------------------------------------------


class DatabaseUnavailableMiddleware:
    """Answer a view that fails for want of the database with the static 503 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # In debug, Django's own page says more to the developer (a migration not applied…).
        if settings.DEBUG or not isinstance(exception, DATABASE_UNAVAILABLE):
            return None
        failures.error(
            "The database is unreachable: %s %s was answered 503.",
            request.method,
            request.path,
            exc_info=exception,
        )
        return unavailable_response(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """Answer an error raised outside a view (a middleware's query) as the middleware would."""
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return unavailable_response(request)
    return defaults.server_error(request)


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """Return the 503 page in the request's language; a posted form is said not to be saved."""
    language = translation.get_language_from_request(request, check_path=True)
    if request.method == "POST":
        content = render_unavailable(language, not_saved=True, typed=typed_texts(request))
    else:
        content = unavailable_page(language)
    response = HttpResponse(content, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    response["Content-Language"] = language
    # Its stylesheet is inline, since the page loads nothing: the Content-Security-Policy
    # (django-csp) allows it by its hash.
    response._csp_update = {"style-src": inline_style_hashes(content)}
    return response


@cache
def unavailable_page(language: str) -> str:
    """Return the readers' 503 page of a language, rendered once per process."""
    return render_unavailable(language)


def render_unavailable(language: str, **context: object) -> str:
    # No request, hence no context processor: nothing that could query the database.
    with translation.override(language):
        return render_to_string("503.html", context)


_STYLE_ELEMENT = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def inline_style_hashes(html: str) -> list[str]:
    return [
        f"'sha256-{base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()}'"
        for style in _STYLE_ELEMENT.findall(html)
    ]


# Posted fields that are not anyone's typing: tokens, formset counters, buttons.
_NOT_TYPED = re.compile(
    r"csrfmiddlewaretoken|lock_version|.*-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS|_.*"
)


def typed_texts(request: HttpRequest) -> list[tuple[str, str]]:
    """Return the texts of the form that could not be saved, by field name, to copy them back.

    Only from a form the CSRF check accepted, which this browser's page sent; never a password.
    """
    if not getattr(request, "csrf_processing_done", False):
        return []
    try:
        posted = list(request.POST.lists())
    except Exception:
        # The body itself could not be read (a full disk for an upload): nothing to show.
        return []
    return [
        (name, value)
        for name, values in posted
        if not _NOT_TYPED.fullmatch(name) and "password" not in name.lower()
        for value in values
        if any(character.isalpha() for character in value) and value != "on"
    ]
