"""Measure the public site under load: gunicorn on PostgreSQL, requests from wrk over loopback.

Run as `make bench` (it installs wrk if missing) or `.venv/bin/python bench/load.py`; not part of
the test suite. What it does, how long it takes and what each figure means: bench/README.md.

Everything it creates is its own and goes when it stops, even on Ctrl-C: the PostgreSQL database
`communiques_bench`, a temporary folder (media, static files, logs, wrk scripts), its gunicorn.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Load goes to loopback only: this address is not configurable.
HOST = "127.0.0.1"
PORT = int(os.environ.get("BENCH_PORT", "8765"))
DURATION_S = int(os.environ.get("BENCH_DURATION", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
WORKERS = 2
COMMUNIQUES = int(os.environ.get("BENCH_COMMUNIQUES", "1000"))
DETAIL_URLS = 50
# The PostgreSQL server (trust authentication, as on the development machines and in CI) and
# the database the benchmark creates there and drops when it ends.
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
DATABASE = "communiques_bench"
# The Redis database the web processes cache in, as in production; it is emptied before each
# cold run. Empty: each process caches in its own memory.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
# About 20 KB, served by whitenoise from the same processes: the ceiling of the stack.
STATIC_FILE = "vendor/jquery-ui/jquery-ui.tabs.min.js"
READY_TIMEOUT_S = 60


@dataclasses.dataclass
class Case:
    name: str
    paths: list[str]
    # "cold": a freshly started gunicorn and an emptied cache; "warm": the same server again.
    runs: tuple[str, ...] = ("cold", "warm")
    queries: dict[str, int] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Server:
    """The gunicorn under test, and where its logs go."""

    environment: dict[str, str]
    workdir: Path
    process: subprocess.Popen | None = None
    log_offset: int = 0

    @property
    def log_path(self) -> Path:
        return self.workdir / "gunicorn.stdout"

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "embassy.wsgi",
            "--bind",
            f"{HOST}:{PORT}",
            "--workers",
            str(WORKERS),
            "--worker-tmp-dir",
            "/dev/shm",
            "--graceful-timeout",
            "5",
        ]
        with (
            open(self.log_path, "ab") as stdout,
            open(self.workdir / "gunicorn.stderr", "ab") as err,
        ):
            # Its own session: a Ctrl-C in the terminal reaches this script, which stops it.
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.environment,
                stdout=stdout,
                stderr=err,
                start_new_session=True,
            )
        self.wait_until_ready()
        self.log_offset = self.log_path.stat().st_size

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped while starting:\n{self.stderr_tail()}")
            try:
                with urllib.request.urlopen(f"http://{HOST}:{PORT}/health/ready", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not become ready:\n{self.stderr_tail()}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        # TERM to the master: it stops its workers gracefully. Its process group, created for
        # it alone, is killed only if it does not.
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def statuses_since_last_read(self) -> list[int]:
        """Return the statuses of the requests logged since the last call (or the start)."""
        with open(self.log_path, "rb") as log:
            log.seek(self.log_offset)
            data = log.read()
            self.log_offset = log.tell()
        statuses = []
        for line in data.splitlines():
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if entry.get("logger") == "embassy.requests":
                    statuses.append(entry["status"])
        return statuses

    def stderr_tail(self, lines: int = 30) -> str:
        path = self.workdir / "gunicorn.stderr"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


# --- The database --------------------------------------------------------------------------------


def maintenance_connection() -> Any:
    import psycopg2

    connection = psycopg2.connect(f"{POSTGRES_URL}/postgres", connect_timeout=5)
    connection.autocommit = True
    return connection


def create_database() -> None:
    with contextlib.closing(maintenance_connection()) as connection:
        with connection.cursor() as cursor:
            # A run killed without its cleanup may have left it behind.
            cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {DATABASE}")


def drop_database() -> None:
    with contextlib.closing(maintenance_connection()) as connection:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


# --- Content ---------------------------------------------------------------------------------


def generated_image(seed: int) -> io.BytesIO:
    """Return a small photo-like JPEG: gradients and noise, 1200 × 800."""
    import PIL.Image
    from PIL import ImageChops

    size = (1200, 800)
    gradient = PIL.Image.linear_gradient("L").resize(size)
    noise = PIL.Image.effect_noise(size, 24 + seed)
    detail = PIL.Image.effect_mandelbrot(size, (-2.2 + seed / 10, -1.2, 1.0, 1.2), 48)
    photo = PIL.Image.merge("RGB", (ImageChops.add(detail, noise), gradient, noise))
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=88)
    buffer.seek(0)
    return buffer


def fill() -> list[Any]:
    """Create the communiqués, each in every language with two images and two links."""
    from django.conf import settings
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from communiques.demo import DEMO_DIR, language_of, load_categories
    from communiques.images import process_upload, store
    from communiques.importers import parse_communique
    from communiques.models import Category, Communique, Image, SourceLink
    from communiques.text import paragraphs_to_html

    languages = [code for code, _name in settings.LANGUAGES]
    load_categories()
    categories = list(Category.objects.all())

    # The demo communiqués that exist in every language are the texts, each copied many times.
    by_slug: dict[str, dict[str, Any]] = {}
    for path in sorted(DEMO_DIR.glob("*.txt")):
        language = language_of(path)
        if language in languages:
            parsed = parse_communique(path.read_text(encoding="utf-8-sig"), language)
            by_slug.setdefault(path.name.split(".")[0], {})[language] = parsed
    texts = [versions for versions in by_slug.values() if len(versions) == len(languages)]
    if not texts:
        raise RuntimeError("No demo communiqué exists in every language.")

    # Two uploads processed once: every image row points to the same stored files.
    stored = []
    for seed in (1, 2):
        processed = process_upload(generated_image(seed))
        stored.append((processed, store(processed, default_storage)))

    now = timezone.now()
    communiques = []
    for number in range(COMMUNIQUES):
        versions = texts[number % len(texts)]
        published_at = now - dt.timedelta(days=number, hours=1)
        communique = Communique(
            slug=f"bench-{number + 1:04d}",
            original_language=languages[0],
            category=categories[number % len(categories)] if categories else None,
            event_date=timezone.localdate(published_at),
            published_at=published_at,
            status=Communique.Status.PUBLISHED,
        )
        for language, parsed in versions.items():
            suffix = language.replace("-", "_")
            setattr(communique, f"title_{suffix}", f"{parsed.title} ({number + 1})")
            setattr(communique, f"subtitle_{suffix}", parsed.subtitle)
            setattr(communique, f"lead_{suffix}", parsed.paragraphs[0][:280])
            setattr(communique, f"body_{suffix}", paragraphs_to_html(list(parsed.paragraphs)))
            setattr(communique, f"place_{suffix}", "Kabul")
        # save(), not bulk_create: whatever the model computes on saving is computed.
        communique.save()
        communiques.append(communique)

    images, links = [], []
    for communique in communiques:
        for order, (processed, files) in enumerate(stored):
            image = Image(
                communique=communique,
                file=files.name,
                width=processed.width,
                height=processed.height,
                renditions=files.renditions,
                source_sha256=processed.source_sha256,
                credit="MEAE",
                placement=(
                    Image.Placement.AFTER_PARAGRAPH if order == 0 else Image.Placement.GALLERY
                ),
                after_paragraph=1 if order == 0 else None,
                order=order,
            )
            for language in languages:
                suffix = language.replace("-", "_")
                setattr(image, f"alt_text_{suffix}", f"Photo {order + 1} ({language})")
                setattr(image, f"caption_{suffix}", f"Caption {order + 1} ({language})")
            images.append(image)
        for order, kind in enumerate((SourceLink.Kind.ORIGINAL, SourceLink.Kind.RELATED)):
            link = SourceLink(
                communique=communique,
                url=f"https://www.diplomatie.gouv.fr/fr/{communique.slug}-{order}/",
                kind=kind,
                order=order,
            )
            for language in languages:
                setattr(link, f"label_{language.replace('-', '_')}", f"Link {order + 1}")
            links.append(link)
    Image.objects.bulk_create(images, batch_size=500)
    SourceLink.objects.bulk_create(links, batch_size=500)
    return communiques


# --- Cases -------------------------------------------------------------------------------------


def route(name: str, language: str, **kwargs: Any) -> str | None:
    """Return the address of a named route, or None where the route does not exist yet."""
    from django.urls import NoReverseMatch, reverse
    from django.utils import translation

    with translation.override(language):
        try:
            return reverse(name, kwargs=kwargs or None)
        except NoReverseMatch:
            return None


def build_cases(communiques: list[Any], notes: list[str]) -> list[Case]:
    from django.conf import settings
    from django.contrib.staticfiles.storage import staticfiles_storage

    languages = [code for code, _name in settings.LANGUAGES]
    static = Case("static file", [staticfiles_storage.url(STATIC_FILE)], runs=("-",))
    details = [
        route("communiques:detail", languages[number % len(languages)], slug=communique.slug)
        for number, communique in enumerate(communiques[:DETAIL_URLS])
    ]
    cases = [
        static,
        Case("detail", [path for path in details if path]),
        Case("list", [route("communiques:index", languages[0])]),
    ]

    search = route("communiques:search", languages[0])
    if search:
        # A word of the first communiqué's title, in the default language: a query with results.
        word = max((word for word in communiques[0].title.split() if word.isalpha()), key=len)
        cases.append(Case("search", [f"{search}?{urllib.parse.urlencode({'q': word})}"]))
    else:
        notes.append("search: skipped, no route communiques:search yet")
    feed = route("communiques:feed-rss", "fr")
    if feed:
        cases.append(Case("feed", [feed]))
    else:
        notes.append("feed: skipped, no route communiques:feed-rss yet")
    return cases


def count_queries(cases: list[Case]) -> None:
    """Check every address answers 200 in-process, and count each case's queries per request."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST)
    for case in cases:
        for path in case.paths:
            status = client.get(path).status_code
            if status != 200:
                raise RuntimeError(f"{case.name}: {path} answers {status}, not 200.")
        for run in case.runs:
            if run != "warm":
                cache.clear()
            with CaptureQueriesContext(connection) as queries:
                client.get(case.paths[0])
            case.queries[run] = len(queries)


# --- wrk -------------------------------------------------------------------------------------

WRK_SCRIPT = """\
local paths = {%(paths)s}
local index = 0

request = function()
  index = index %% #paths + 1
  return wrk.format(nil, paths[index])
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "BENCH {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"bytes\\": %%d, \\"p50_us\\": %%d, " ..
    "\\"p99_us\\": %%d, \\"status_errors\\": %%d, \\"socket_errors\\": %%d}\\n",
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(99), errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
"""


def run_wrk(case: Case, workdir: Path) -> dict[str, Any]:
    script = workdir / f"{case.name.replace(' ', '-')}.lua"
    # The paths are ASCII (percent-encoded): a JSON string is then a valid Lua string.
    paths = ", ".join(json.dumps(path, ensure_ascii=True) for path in case.paths)
    script.write_text(WRK_SCRIPT % {"paths": paths})
    command = [
        "wrk",
        "--threads",
        str(THREADS),
        "--connections",
        str(CONNECTIONS),
        "--duration",
        f"{DURATION_S}s",
        "--timeout",
        "5s",
        "--script",
        str(script),
        f"http://{HOST}:{PORT}",
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=DURATION_S + 60, check=True
    )
    for line in result.stdout.splitlines():
        if line.startswith("BENCH "):
            return json.loads(line.removeprefix("BENCH "))
    raise RuntimeError(f"wrk printed no summary:\n{result.stdout}\n{result.stderr}")


# --- The run ---------------------------------------------------------------------------------


def django_environment(workdir: Path, redis_url: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "embassy.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost",
        "DATABASE_URL": f"{POSTGRES_URL}/{DATABASE}",
        "DJANGO_MEDIA_ROOT": str(workdir / "media"),
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "DJANGO_MEDIA_STORAGE": "local",
        "REDIS_URL": redis_url,
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_LOG_FORMAT": "json",
        "DJANGO_LOG_LEVEL": "INFO",
    }


def collect_static() -> None:
    """Hash the static files as at image build time, without compressing them.

    wrk asks for no compressed encoding, and whitenoise's brotli pass takes 45 seconds.
    """
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import override_settings

    storage = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": storage}):
        call_command("collectstatic", interactive=False, verbosity=0)


def port_is_free() -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((HOST, PORT)) != 0


def emit(line: dict[str, Any]) -> None:
    print(json.dumps(line, ensure_ascii=False), flush=True)


@contextlib.contextmanager
def stopped_on_termination() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into an exit, so that cleanup runs as it does on Ctrl-C."""

    def leave(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, leave) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main() -> int:
    import shutil

    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk (make bench does).", file=sys.stderr)
        return 2
    if not port_is_free():
        print(f"Port {PORT} is in use on {HOST}: set BENCH_PORT.", file=sys.stderr)
        return 2

    redis_url = REDIS_URL if REDIS_URL and redis_reachable(REDIS_URL) else ""
    notes = [] if redis_url or not REDIS_URL else [f"cache: {REDIS_URL} unreachable, local memory"]

    with stopped_on_termination(), tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        environment = django_environment(workdir, redis_url)
        os.environ.update(environment)
        server = Server(environment={**os.environ}, workdir=workdir)
        created = False
        try:
            create_database()
            created = True
            return measure(server, workdir, redis_url, notes)
        finally:
            server.stop()
            if created:
                from django.db import connections

                connections.close_all()
                drop_database()


def measure(server: Server, workdir: Path, redis_url: str, notes: list[str]) -> int:
    import logging

    import django

    django.setup()
    # This process's own test-client requests are not the benchmark's: keep them out of stdout.
    logging.getLogger("embassy.requests").disabled = True
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    collect_static()
    communiques = fill()
    # Statistics of the filled tables, as autovacuum would gather them on a live database: the
    # planner otherwise plans every query for empty ones.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    prepared_s = time.perf_counter() - started

    cases = build_cases(communiques, notes)
    count_queries(cases)
    static_path = cases[0].paths[0]
    emit(
        {
            "case": "setup",
            "communiques": len(communiques),
            "languages": len(communiques[0].available_languages),
            "images_each": 2,
            "links_each": 2,
            "prepared_s": round(prepared_s, 1),
            "database": f"PostgreSQL {connection.pg_version // 10000}",
            "cache": "redis" if redis_url else "local memory",
            "workers": WORKERS,
            "connections": CONNECTIONS,
            "threads": THREADS,
            "duration_s": DURATION_S,
            "static_file": static_path,
            "static_bytes": (workdir / "static" / STATIC_FILE).stat().st_size,
            "notes": notes,
        }
    )

    results = []
    static_rate = None
    for case in cases:
        for run in case.runs:
            if run != "warm":
                server.stop()
                cache.clear()
                server.start()
            measured = run_wrk(case, workdir)
            statuses = server.statuses_since_last_read()
            rate = measured["requests"] / (measured["duration_us"] / 1e6)
            static_rate = static_rate or rate
            line = {
                "case": case.name,
                "cache": run,
                "urls": len(case.paths),
                "req_per_s": round(rate, 1),
                "p50_ms": milliseconds(measured["p50_us"]),
                "p99_ms": milliseconds(measured["p99_us"]),
                "non_2xx": sum(1 for status in statuses if not 200 <= status < 300),
                "socket_errors": measured["socket_errors"],
                "requests": measured["requests"],
                "kb_per_response": round(
                    measured["bytes"] / max(measured["requests"], 1) / 1024, 1
                ),
                "queries_per_request": case.queries[run],
                "ratio_to_static": round(rate / static_rate, 3),
            }
            emit(line)
            results.append(line)
    print_table(results)
    return 0 if all(line["non_2xx"] == 0 and line["socket_errors"] == 0 for line in results) else 1


def milliseconds(microseconds: int) -> float | None:
    # wrk gives 0 when no answer came within its timeout: there is then no latency to report.
    return round(microseconds / 1000, 2) if microseconds else None


def print_table(results: list[dict[str, Any]]) -> None:
    """Print the results as a Markdown table on stderr, for a person or a report."""
    header = (
        "| case | cache | req/s | p50 ms | p99 ms | non-2xx | socket errors | queries/req "
        "| vs static |"
    )
    rows = [header, "|" + " --- |" * 9]
    for line in results:
        rows.append(
            f"| {line['case']} | {line['cache']} | {line['req_per_s']:.1f} | {line['p50_ms']} | "
            f"{line['p99_ms']} | {line['non_2xx']} | {line['socket_errors']} | "
            f"{line['queries_per_request']} | {line['ratio_to_static']:.1%} |"
        )
    print("\n".join(rows), file=sys.stderr)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("Interrupted: gunicorn stopped, database dropped.", file=sys.stderr)
        sys.exit(130)
