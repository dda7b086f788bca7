"""Where a rendered page's time goes: the list and a communiqué's page, in-process.

Run as `.venv/bin/python bench/pages.py`; not part of the test suite. It fills the same database
as bench/load.py (which must not run at the same time), then asks Django's request handler for
each page many times, without HTTP and with the page cache off, and prints one JSON line per
page: milliseconds per request, and how much of it went to the database (time inside the
database driver's calls) and to rendering templates. What the rest is: the view's Python
(building model instances, the compiled queries' work), the middleware and the request itself.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "600"))


def environ(path: str) -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SERVER_NAME": load.HOST,
        "SERVER_PORT": str(load.PORT),
        "HTTP_HOST": load.HOST,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }


def measure(paths: list[str]) -> dict[str, float]:
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.template.response import SimpleTemplateResponse

    handler = WSGIHandler()
    spent = {"database": 0.0, "templates": 0.0}

    def timed_query(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent["database"] += time.perf_counter() - started

    render = SimpleTemplateResponse.render

    def timed_render(response):
        started = time.perf_counter()
        try:
            return render(response)
        finally:
            spent["templates"] += time.perf_counter() - started

    def request(path: str) -> None:
        def start_response(status: str, headers: list, exc_info: object = None) -> None:
            if not status.startswith("200"):
                raise RuntimeError(f"{path} answered {status}")

        body = handler(environ(path), start_response)
        b"".join(body)
        body.close()

    for path in paths * 3:
        request(path)
    SimpleTemplateResponse.render = timed_render
    try:
        with connection.execute_wrapper(timed_query):
            started = time.perf_counter()
            for number in range(REQUESTS):
                request(paths[number % len(paths)])
            total = time.perf_counter() - started
    finally:
        SimpleTemplateResponse.render = render
    return {
        "ms_per_request": round(total / REQUESTS * 1000, 2),
        "database_ms": round(spent["database"] / REQUESTS * 1000, 2),
        "templates_ms": round(spent["templates"] / REQUESTS * 1000, 2),
    }


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        environment = load.django_environment(Path(tmp), redis_url="")
        environment["DJANGO_PAGE_CACHE"] = "0"
        environment["DJANGO_LOG_LEVEL"] = "WARNING"
        os.environ.update(environment)
        load.create_database()
        try:
            import django

            django.setup()
            from django.core.management import call_command
            from django.db import connection

            call_command("migrate", interactive=False, verbosity=0)
            load.collect_static()
            communiques = load.fill()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            cases = {case.name: case for case in load.build_cases(communiques, [])}
            for name in ("detail", "list"):
                result = {"case": name, "requests": REQUESTS, **measure(cases[name].paths)}
                print(json.dumps(result), flush=True)
        finally:
            from django.db import connections

            connections.close_all()
            load.drop_database()
    return 0


if __name__ == "__main__":
    sys.exit(main())
