"""Probes for orchestrators and load balancers: is the process up, and can it serve pages?

`live` answers as long as the process does, without touching anything, so that a restart is
never decided on the database's account. `ready` answers 503 while the database is unreachable,
so that a load balancer sends readers to another node meanwhile. The cache is reported but is not
fatal: pages are still served, uncached, without it.
"""

from __future__ import annotations

import logging

from django import db
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

# A probe that hangs is worse than one that fails: load balancers time out after a few seconds.
DATABASE_TIMEOUT_MS = 2000
CACHE_KEY = "health:ready"


@never_cache
def live(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def ready(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_status(), "cache": cache_status()}
    is_ready = checks["database"] == "ok"
    return JsonResponse(
        {"status": "ready" if is_ready else "unavailable", **checks},
        status=200 if is_ready else 503,
    )


def database_status() -> str:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # LOCAL: the limit ends with this transaction, not with the pooled connection.
                cursor.execute("SET LOCAL statement_timeout = %s", [DATABASE_TIMEOUT_MS])
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except db.Error as error:
        logger.warning("Not ready: the database is unreachable (%s).", error)
        return "unreachable"
    return "ok"


def cache_status() -> str:
    try:
        cache.set(CACHE_KEY, "ok", timeout=10)
        reachable = cache.get(CACHE_KEY) == "ok"
    except Exception as error:
        # Each cache backend raises its own errors (redis.ConnectionError, TimeoutError…).
        logger.warning("The cache is unreachable (%s); pages are served uncached.", error)
        return "unreachable"
    return "ok" if reachable else "unreachable"
