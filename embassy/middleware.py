"""Log one line per request: what was asked, what was answered, in how long, for whom."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from .logs import current_request_id

logger = logging.getLogger("embassy.requests")

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
    if user is None or not user.is_authenticated:
        return None
    return user.pk
