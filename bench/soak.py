"""Soak the public site at a steady request rate, with a burst of concurrent admin saves midway.

Run as `make soak` or `.venv/bin/python bench/soak.py [--minutes 10] [--rate 10]`; not part of the
test suite. What it does, what each figure means and why the bounds are what they are:
bench/README.md, "Soak".

It reuses the load benchmark's fill, environment and gunicorn (bench/load.py), with its own
PostgreSQL database `communiques_soak`, its own port, Redis database and temporary folder, so
that both can run at once. Everything it creates goes when it stops, even on Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import dataclasses
import datetime as dt
import http.client
import http.cookies
import json
import math
import multiprocessing
import os
import queue
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402  (bench/load.py, beside this file)

HOST = load.HOST
DATABASE = "communiques_soak"
# Beside the load benchmark (8765) and the development server (8000).
DEFAULT_PORT = 8779
# Not the load benchmark's database 15, which it empties before each of its cold runs; this one
# is emptied when the soak starts and ends.
REDIS_URL = os.environ.get("SOAK_REDIS_URL", "redis://127.0.0.1:6379/14")
CACHE_KEY_PREFIX = "communiques-soak"

# A reader's request gives up after this long; it then counts as a socket error (timeout).
REQUEST_TIMEOUT_S = 10.0
RSS_SAMPLE_S = 5.0
# One cycle of the public mix: each slot is one request of that case (bench/README.md, "Soak").
MIX = {"detail": 8, "archive": 2, "list": 3, "search": 2, "feed": 2, "static": 3}
RECENT_DETAILS = 50
STATIC_FILES = (load.STATIC_FILE, "css/site.css", "fonts/vazirmatn/Vazirmatn-wght.woff2")

# The message of a save refused by the optimistic-concurrency check (communiques/forms.py,
# LockVersionFormMixin), looked up in each writer's language to recognise a refusal.
STALE_MESSAGE = (
    "%(names)s saved this communiqué after you opened it, so nothing was saved. Nothing you "
    "typed is lost: the form below holds your changes, and theirs in the fields you had not "
    "changed. Review their changes, then save again."
)


@dataclasses.dataclass
class Options:
    minutes: float
    window_s: float
    rate: float
    communiques: int
    port: int
    saves: int
    burst_at_s: float
    rss_bound_mb: float
    rss_after_burst_mb: float
    p99_factor: float
    p99_floor_ms: float
    keep_log: Path | None
    think_s: float


def parse_options(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10, help="length of the soak (10)")
    parser.add_argument(
        "--window",
        type=float,
        default=None,
        help="seconds per reported window (60, or a quarter of a run shorter than 4 minutes)",
    )
    parser.add_argument("--rate", type=float, default=10, help="public requests per second (10)")
    parser.add_argument("--communiques", type=int, default=1000, help="communiqués to fill (1000)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"({DEFAULT_PORT})")
    parser.add_argument("--saves", type=int, default=5, help="admin saves per writer (5)")
    parser.add_argument(
        "--think", type=float, default=2, help="seconds between opening a form and saving it (2)"
    )
    parser.add_argument("--keep-log", type=Path, default=None, help="copy gunicorn's log here")
    parser.add_argument(
        "--burst-at",
        type=float,
        default=None,
        help="second of the burst (the first window's start after 30%% of the run: 180)",
    )
    parser.add_argument(
        "--rss-bound-mb",
        type=float,
        default=50,
        help="RSS growth allowed per worker from the second window to the end (50)",
    )
    parser.add_argument(
        "--rss-after-burst-mb",
        type=float,
        default=5,
        help="RSS growth allowed per worker after the burst, under the readers alone (5)",
    )
    parser.add_argument(
        "--p99-factor",
        type=float,
        default=2.0,
        help="last window's p99 at most this times the steady state's (2)",
    )
    parser.add_argument(
        "--p99-floor-ms",
        type=float,
        default=10.0,
        help="p99 below which no window counts as unstable (10)",
    )
    args = parser.parse_args(argv)
    duration = args.minutes * 60
    window = args.window or (60.0 if duration >= 240 else duration / 4)
    # After the steady state's windows, with most of the run left to recover and to show whether
    # memory still grows once the admin's pages have been served.
    burst_at = (
        math.ceil(0.3 * duration / window) * window if args.burst_at is None else args.burst_at
    )
    return Options(
        minutes=args.minutes,
        window_s=window,
        rate=args.rate,
        communiques=args.communiques,
        port=args.port,
        saves=args.saves,
        burst_at_s=burst_at,
        rss_bound_mb=args.rss_bound_mb,
        rss_after_burst_mb=args.rss_after_burst_mb,
        p99_factor=args.p99_factor,
        p99_floor_ms=args.p99_floor_ms,
        keep_log=args.keep_log,
        think_s=args.think,
    )


def percentile(values: list[float], fraction: float) -> float | None:
    """Return the nearest-rank percentile of the values, or None if there are none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def emit(line: dict[str, Any]) -> None:
    print(json.dumps(line, ensure_ascii=False), flush=True)


# --- The readers: an open-loop client at a fixed rate, in its own process ------------------------


async def fetch(port: int, path: str, timeout: float) -> tuple[int | None, str | None]:
    """GET a path over a new connection, as the reverse proxy does; return (status, error)."""
    writer = None
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(HOST, port)
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n"
                "User-Agent: communiques-soak\r\n\r\n".encode("ascii")
            )
            head = await reader.readline()
            await reader.read()
    except TimeoutError:
        return None, "timeout"
    except OSError as error:
        return None, "connect" if writer is None else f"read: {error.__class__.__name__}"
    finally:
        if writer is not None:
            writer.close()
    parts = head.split()
    if len(parts) < 2 or not parts[1].isdigit():
        return None, "read: no status line"
    return int(parts[1]), None


@dataclasses.dataclass
class ClientWindow:
    requests: int = 0
    done: int = 0
    latencies_ms: list[float] = dataclasses.field(default_factory=list)
    lags_ms: list[float] = dataclasses.field(default_factory=list)
    by_case: dict[str, list[float]] = dataclasses.field(
        default_factory=lambda: collections.defaultdict(list)
    )
    statuses: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    socket_errors: collections.Counter = dataclasses.field(default_factory=collections.Counter)

    def summary(self, index: int) -> dict[str, Any]:
        return {
            "window": index,
            "requests": self.requests,
            "p50_ms": rounded(percentile(self.latencies_ms, 0.50)),
            "p90_ms": rounded(percentile(self.latencies_ms, 0.90)),
            "p99_ms": rounded(percentile(self.latencies_ms, 0.99)),
            "max_ms": rounded(max(self.latencies_ms, default=None)),
            "lag_p99_ms": rounded(percentile(self.lags_ms, 0.99)),
            "p99_ms_by_case": {
                case: rounded(percentile(values, 0.99)) for case, values in self.by_case.items()
            },
            "non_2xx": sum(n for status, n in self.statuses.items() if not 200 <= status < 300),
            "statuses": {str(status): n for status, n in sorted(self.statuses.items())},
            "socket_errors": dict(self.socket_errors),
        }


async def read_at_fixed_rate(plan: dict[str, Any], results: Any) -> None:
    """Send the plan's requests at their scheduled times, whatever the answers' delays.

    Each latency runs from the moment the request was due, not from when it was sent, so that
    a stalled server is charged for the requests it held back (no coordinated omission).
    """
    rate, window_s, port = plan["rate"], plan["window_s"], plan["port"]
    total = int(plan["duration_s"] * rate)
    windows_count = math.ceil(plan["duration_s"] / window_s)
    started = time.perf_counter() + (plan["start"] - time.time())
    windows = [ClientWindow() for _ in range(windows_count)]
    positions = dict.fromkeys(plan["paths"], 0)
    sending = {"window": 0}
    reported = {"next": 0}
    tasks: set[asyncio.Task] = set()

    def report_finished() -> None:
        # A window is reported once its last request was sent and every one of them answered.
        while reported["next"] < windows_count:
            index = reported["next"]
            window = windows[index]
            if sending["window"] <= index or window.done < window.requests:
                return
            results.put(window.summary(index + 1))
            reported["next"] += 1

    async def one(case: str, path: str, due: float, window: ClientWindow) -> None:
        sent = time.perf_counter()
        status, error = await fetch(port, path, REQUEST_TIMEOUT_S)
        latency_ms = (time.perf_counter() - due) * 1000
        window.done += 1
        window.lags_ms.append((sent - due) * 1000)
        if error:
            window.socket_errors[error] += 1
        else:
            window.statuses[status] += 1
            window.latencies_ms.append(latency_ms)
            window.by_case[case].append(latency_ms)
        report_finished()

    for number in range(total):
        due = started + number / rate
        index = min(int(number / rate // window_s), windows_count - 1)
        if index != sending["window"]:
            sending["window"] = index
            report_finished()
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        case = plan["slots"][number % len(plan["slots"])]
        paths = plan["paths"][case]
        path = paths[positions[case] % len(paths)]
        positions[case] += 1
        windows[index].requests += 1
        task = asyncio.create_task(one(case, path, due, windows[index]))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    sending["window"] = windows_count
    report_finished()
    if tasks:
        await asyncio.wait(tasks)
    report_finished()


def run_readers(plan: dict[str, Any], results: Any) -> None:
    asyncio.run(read_at_fixed_rate(plan, results))


# --- The writers: editors and press officers saving change forms at once --------------------------


class AdminSession:
    """A browser's session in the admin: cookies kept, forms read and posted as a browser does."""

    def __init__(self, port: int, language: str) -> None:
        self.port = port
        self.language = language
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, data: list[tuple[str, str]] | None = None
    ) -> tuple[int, http.client.HTTPMessage, str]:
        """Return the status, the headers and the body of one request."""
        headers = {"Accept-Language": self.language, "User-Agent": "communiques-soak-admin"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            origin = f"http://{HOST}:{self.port}"
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": origin,
                    "Referer": origin + path,
                }
            )
        connection = http.client.HTTPConnection(HOST, self.port, timeout=120)
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers, text

    def form(
        self, path: str, form_id: str
    ) -> tuple[int, http.client.HTTPMessage, list[tuple[str, str]], Any]:
        """GET a page; return its status, headers, the values its form posts as shown, the form."""
        import lxml.html

        status, headers, text = self.request("GET", path)
        if status != 200:
            return status, headers, [], None
        form = lxml.html.fromstring(text).get_element_by_id(form_id)
        return status, headers, form.form_values(), form

    def log_in(self, login_path: str, username: str, password: str) -> None:
        status, _headers, values, _form = self.form(login_path, "login-form")
        if status != 200:
            raise RuntimeError(f"{username}: the login page answered {status}.")
        values = [(k, v) for k, v in values if k not in {"username", "password"}]
        values += [("username", username), ("password", password)]
        status, headers, _text = self.request("POST", login_path, values)
        if status != 302 or urllib.parse.urlsplit(headers.get("Location", "")).path == login_path:
            raise RuntimeError(f"{username} could not log in (status {status}).")


@dataclasses.dataclass
class Save:
    writer: str
    number: int
    marker: str
    started: float
    # The answers' times: the change form's, then the save's.
    form_seconds: float = 0.0
    seconds: float = 0.0
    outcome: str = ""  # "ok", "refused" (by the version check) or "failed"
    detail: str = ""


@dataclasses.dataclass
class Writer:
    username: str
    role: str
    language: str
    slug: str
    field: str
    shared: bool
    pk: int = 0
    session: AdminSession | None = None
    saves: list[Save] = dataclasses.field(default_factory=list)
    # The refusal message in the writer's language, split around the names it gives.
    refusal_parts: list[str] = dataclasses.field(default_factory=list)
    # The writers of the same communiqué: a refusal names one of them.
    rivals: list[str] = dataclasses.field(default_factory=list)
    # Reversed: DJANGO_ADMIN_PATH may move the admin.
    change_path: str = ""


def writers_plan(published: list[Any], drafts: list[Any]) -> list[Writer]:
    """Two writers alone on their communiqué, and six sharing two communiqués, a field each."""
    shared, alone = published[0], published[1]
    draft_alone, draft_shared = drafts
    return [
        Writer("soak-editor-1", "editor", "fr", alone.slug, "title_fr", shared=False),
        Writer("soak-officer-1", "officer", "en", draft_alone.slug, "title_en", shared=False),
        # The most recent communiqué: on the list, in the feeds, read by the public meanwhile.
        Writer("soak-editor-2", "editor", "fa-af", shared.slug, "title_fa_af", shared=True),
        Writer("soak-editor-3", "editor", "ps", shared.slug, "title_ps", shared=True),
        Writer("soak-editor-4", "editor", "fr", shared.slug, "title_fr", shared=True),
        Writer("soak-editor-5", "editor", "en", shared.slug, "title_en", shared=True),
        Writer("soak-officer-2", "officer", "fr", draft_shared.slug, "title_fr", shared=True),
        Writer("soak-officer-3", "officer", "fa-af", draft_shared.slug, "title_fa_af", shared=True),
    ]


def save_once(writer: Writer, number: int, run_token: str, think_s: float) -> Save:
    """Load the change form, change the writer's field, save it, and follow the redirect."""
    marker = f"Soak {run_token} {writer.username} #{number}"
    save = Save(writer.username, number, marker, started=time.time())
    session = writer.session
    try:
        clock = time.perf_counter()
        status, headers, values, form = session.form(writer.change_path, "communique_form")
        save.form_seconds = time.perf_counter() - clock
        if status != 200:
            save.outcome = "failed"
            save.detail = f"change form answered {status} ({request_id(headers)})"
            return save
        names = {name for name in form.inputs.keys()}
        if writer.field not in names:
            save.outcome, save.detail = "failed", f"{writer.field} is not on the form"
            return save
        values = [(k, marker if k == writer.field else v) for k, v in values]
        # A published communiqué asks for a change note or the minor-correction box.
        if "minor_change" in names and ("minor_change", "on") not in values:
            values.append(("minor_change", "on"))
        # The time a person takes to change a title: others save meanwhile.
        time.sleep(think_s)
        clock = time.perf_counter()
        status, headers, text = session.request("POST", writer.change_path, values)
        save.seconds = time.perf_counter() - clock
        location = headers.get("Location", "")
        if status == 302 and "/change/" not in location:
            save.outcome = "ok"
            # As a browser does: the changelist the save redirects to.
            listed, headers, _text = session.request("GET", urllib.parse.urlsplit(location).path)
            if listed != 200:
                save.detail = f"changelist answered {listed} ({request_id(headers)})"
        elif status == 200 and refused_for_conflict(writer, text):
            save.outcome = "refused"
        else:
            save.outcome = "failed"
            save.detail = f"{status} ({request_id(headers)}): {form_errors(text)[:300]}"
    except (OSError, http.client.HTTPException) as error:
        save.outcome, save.detail = "failed", f"{error.__class__.__name__}: {error}"
    return save


def request_id(headers: http.client.HTTPMessage) -> str:
    """Return the answer's request id, which finds its lines in the log (--keep-log)."""
    return f"request {headers.get('X-Request-ID', '?')}"


def refusal_parts(language: str) -> list[str]:
    """Return the refusal of a stale save in a language, split around the names it gives."""
    from django.utils import translation

    with translation.override(language):
        return translation.gettext(STALE_MESSAGE).split("%(names)s")


def refused_for_conflict(writer: Writer, page: str) -> bool:
    """Tell whether the page says, in the writer's language, who saved meanwhile."""
    errors = form_errors(page)
    parts = [" ".join(part.split()) for part in writer.refusal_parts]
    return all(part in errors for part in parts) and any(name in errors for name in writer.rivals)


def form_errors(page: str) -> str:
    import lxml.html

    tree = lxml.html.fromstring(page)
    found = tree.xpath('//*[contains(@class, "errornote") or contains(@class, "errorlist")]')
    return " | ".join(" ".join(element.text_content().split()) for element in found)


def run_burst(writers: list[Writer], saves: int, run_token: str, think_s: float) -> None:
    """Let every writer save its field `saves` times in a row, all writers starting at once."""
    start = threading.Barrier(len(writers))

    def work(writer: Writer) -> None:
        start.wait()
        for number in range(1, saves + 1):
            writer.saves.append(save_once(writer, number, run_token, think_s))

    threads = [threading.Thread(target=work, args=(w,), name=w.username) for w in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# --- Checking the writes in the database ---------------------------------------------------------


def check_writes(writers: list[Writer], first_history_id: int, initial: dict) -> dict[str, Any]:
    """Check from the database that every save answered as done is there, and no refused one.

    A lost write is a save answered as done whose value is not in the version it made, or that a
    later save by someone else replaced (which a form loaded before it would do without the
    version check), or that is not the field's final value although it was the writer's last.
    """
    from communiques.history import HISTORY_MANAGER
    from communiques.models import Communique

    History = getattr(Communique, HISTORY_MANAGER).model
    problems: list[str] = []
    # The values of the saves lost: one save is counted once, however many checks find it.
    lost: set[str] = set()
    refused_saved = 0
    by_communique: dict[int, list[Writer]] = collections.defaultdict(list)
    for writer in writers:
        by_communique[writer.pk].append(writer)
    versions_made = 0
    for pk, group in by_communique.items():
        fields = [writer.field for writer in group]
        rows = list(
            History.objects.filter(id=pk, history_id__gt=first_history_id)
            .order_by("history_id")
            .values("history_id", "lock_version", "history_user__username", *fields)
        )
        versions_made += len(rows)
        ok = [save for writer in group for save in writer.saves if save.outcome == "ok"]
        if len(rows) != len(ok):
            problems.append(f"communiqué {pk}: {len(ok)} saves done, {len(rows)} versions made")
        locks = [row["lock_version"] for row in rows]
        if locks and locks != list(range(locks[0], locks[0] + len(locks))):
            problems.append(f"communiqué {pk}: versions not consecutive: {locks}")
        owners = {writer.field: writer.username for writer in group}
        current = dict(initial[pk])
        for row in rows:
            for field, owner in owners.items():
                if row[field] != current[field] and row["history_user__username"] != owner:
                    lost.add(current[field])
                    problems.append(
                        f"communiqué {pk}: {row['history_user__username']} replaced "
                        f"{owner}'s {field} {current[field]!r} with {row[field]!r}"
                    )
                current[field] = row[field]
        final = Communique.objects.filter(pk=pk).values(*fields).get()
        for writer in group:
            recorded = {row[writer.field] for row in rows}
            done = [save for save in writer.saves if save.outcome == "ok"]
            for save in writer.saves:
                if save.outcome == "ok" and save.marker not in recorded:
                    lost.add(save.marker)
                    problems.append(f"{writer.username} #{save.number}: done, but not saved")
                if save.outcome == "refused" and (
                    save.marker in recorded or final[writer.field] == save.marker
                ):
                    refused_saved += 1
                    problems.append(f"{writer.username} #{save.number}: refused, but saved")
            expected = done[-1].marker if done else initial[pk][writer.field]
            if final[writer.field] != expected:
                lost.add(expected)
                problems.append(
                    f"{writer.username}: {writer.field} is {final[writer.field]!r}, "
                    f"not its last save {expected!r}"
                )
    saves = [save for writer in writers for save in writer.saves]
    outcomes = collections.Counter(save.outcome for save in saves)
    shared = [save for writer in writers if writer.shared for save in writer.saves]
    return {
        "attempted": len(saves),
        "ok": outcomes["ok"],
        "refused_conflict": outcomes["refused"],
        "failed": outcomes["failed"],
        "lost": len(lost),
        "refused_but_saved": refused_saved,
        "versions_made": versions_made,
        "shared_attempted": len(shared),
        "shared_refused": sum(1 for save in shared if save.outcome == "refused"),
        "form_p50_s": rounded(percentile([s.form_seconds for s in saves], 0.5), 2),
        "form_max_s": rounded(max((s.form_seconds for s in saves), default=None), 2),
        "save_p50_s": rounded(percentile([s.seconds for s in saves], 0.5), 2),
        "save_max_s": rounded(max((s.seconds for s in saves), default=None), 2),
        "failures": [f"{s.writer} #{s.number}: {s.detail}" for s in saves if s.outcome == "failed"]
        + [f"{s.writer} #{s.number}: {s.detail}" for s in saves if s.outcome == "ok" and s.detail],
        "problems": problems,
    }


# --- Preparing the database ----------------------------------------------------------------------


def prepare(options: Options) -> tuple[dict[str, list[str]], list[Writer], str]:
    """Migrate, collect static files and fill; return the addresses, the writers, a password."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from communiques import permissions
    from communiques.models import Communique

    call_command("migrate", interactive=False, verbosity=0)
    load.collect_static()
    communiques = load.fill()
    languages = [code for code, _name in settings.LANGUAGES]

    drafts = []
    for number, source in enumerate(communiques[2:4], start=1):
        draft = Communique(
            slug=f"soak-draft-{number}",
            original_language=source.original_language,
            category=source.category,
            event_date=source.event_date,
            status=Communique.Status.DRAFT,
        )
        for language in languages:
            suffix = language.replace("-", "_")
            for name in ("title", "subtitle", "lead", "body", "place"):
                value = getattr(source, f"{name}_{suffix}")
                setattr(draft, f"{name}_{suffix}", value)
        draft.save()
        drafts.append(draft)

    # As autovacuum would on a live database, and as the load benchmark does: without statistics
    # the planner plans every query for empty tables.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    password = secrets.token_urlsafe(16)
    permissions.setup_roles()
    writers = writers_plan(communiques, drafts)
    User = get_user_model()
    pks = {c.slug: c.pk for c in [*communiques[:2], *drafts]}
    for writer in writers:
        user = User.objects.create_user(writer.username, password=password, is_staff=True)
        role = permissions.EDITOR if writer.role == "editor" else permissions.PRESS_OFFICER
        permissions.assign_role(user, role)
        writer.pk = pks[writer.slug]
        writer.change_path = reverse("admin:communiques_communique_change", args=[writer.pk])
        writer.refusal_parts = refusal_parts(writer.language)
        writer.rivals = [w.username for w in writers if w.slug == writer.slug and w is not writer]

    paths = readers_paths(communiques, languages, staticfiles_storage.url)
    client = Client(HTTP_HOST=HOST)
    for case, addresses in paths.items():
        for path in {addresses[0], addresses[-1]}:
            status = client.get(path).status_code
            if status != 200:
                raise RuntimeError(f"{case}: {path} answers {status}, not 200.")
    return paths, writers, password


def readers_paths(communiques: list[Any], languages: list[str], static_url: Any) -> dict:
    """Return each case's addresses, in the order the readers go through them."""
    route = load.route
    recent = [
        route("communiques:detail", language, slug=communique.slug)
        for communique in communiques[:RECENT_DETAILS]
        for language in languages
    ]
    archive = [
        route("communiques:detail", language, slug=communique.slug)
        for communique in communiques
        for language in languages
    ]
    # The whole archive in an order of its own, the same in every run.
    random.Random(1).shuffle(archive)
    lists = [
        route("communiques:index", language) + (f"?page={page}" if page > 1 else "")
        for page in (1, 2, 3)
        for language in languages
    ]
    searches = []
    for language in languages:
        suffix = language.replace("-", "_")
        for communique in communiques[:3]:
            words = [w for w in getattr(communique, f"title_{suffix}").split() if w.isalpha()]
            if words:
                query = urllib.parse.urlencode({"q": max(words, key=len)})
                searches.append(f"{route('communiques:search', language)}?{query}")
    feeds = [
        route(name, language)
        for language in languages
        for name in ("communiques:feed-rss", "communiques:feed-atom")
    ]
    return {
        "detail": recent,
        "archive": archive,
        "list": lists,
        "search": searches,
        "feed": feeds,
        "static": [static_url(name) for name in STATIC_FILES],
    }


def mix_slots() -> list[str]:
    """Return one cycle of the mix, its cases spread out in an order fixed for every run."""
    slots = [case for case, weight in MIX.items() for _ in range(weight)]
    random.Random(2).shuffle(slots)
    return slots


# --- Watching the server: its request log and its workers' memory --------------------------------


def worker_pids(master: int) -> list[int]:
    """Return the pids of the gunicorn master's children, its workers."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            # The parent's pid is the 4th field, after the command name in parentheses.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == master:
                pids.append(int(entry.name))
    return sorted(pids)


def rss_mb(pid: int) -> float | None:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return None


@dataclasses.dataclass
class ServerWindow:
    public: int = 0
    public_non_2xx: int = 0
    durations_ms: list[float] = dataclasses.field(default_factory=list)
    admin: int = 0
    admin_errors: int = 0
    # Answers to change forms posted: 302 saved; 200 the form again (refused, or invalid).
    admin_saved: int = 0
    admin_not_saved: int = 0
    errors_logged: int = 0


class RequestLog:
    """Read the server's JSON request log into windows by the time each line was written."""

    def __init__(
        self, path: Path, start: float, window_s: float, count: int, admin_prefix: str
    ) -> None:
        self.path, self.start, self.window_s = path, start, window_s
        self.admin_prefix = admin_prefix
        self.windows = [ServerWindow() for _ in range(count)]
        self.offset = path.stat().st_size

    def read(self) -> None:
        with open(self.path, "rb") as log:
            log.seek(self.offset)
            data = log.read()
        # A line being written is read next time.
        complete = data[: data.rfind(b"\n") + 1]
        self.offset += len(complete)
        for line in complete.splitlines():
            try:
                entry = json.loads(line)
                moment = dt.datetime.fromisoformat(entry["time"]).timestamp()
            except (ValueError, KeyError):
                continue
            index = int((moment - self.start) // self.window_s)
            if index < 0:
                continue
            window = self.windows[min(index, len(self.windows) - 1)]
            if entry.get("level") in {"ERROR", "CRITICAL"}:
                window.errors_logged += 1
            if entry.get("logger") != "embassy.requests":
                continue
            status = entry["status"]
            if entry.get("path", "").startswith(self.admin_prefix):
                window.admin += 1
                # A save's redirect, a refused save's form: anything else is an error.
                window.admin_errors += status not in {200, 302}
                if entry.get("method") == "POST" and entry["path"].endswith("/change/"):
                    window.admin_saved += status == 302
                    window.admin_not_saved += status == 200
            else:
                window.public += 1
                window.public_non_2xx += not 200 <= status < 300
                window.durations_ms.append(entry.get("duration_ms", 0.0))


# --- The run -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    # load.py's functions read its module's settings when they run: give them the soak's.
    load.DATABASE = DATABASE
    load.PORT = options.port
    load.COMMUNIQUES = options.communiques
    if not load.port_is_free():
        print(f"Port {options.port} is in use on {HOST}: pass --port.", file=sys.stderr)
        return 2
    redis_url = REDIS_URL if REDIS_URL and load.redis_reachable(REDIS_URL) else ""
    notes = [] if redis_url else [f"cache: {REDIS_URL} unreachable, each worker's memory"]

    with load.stopped_on_termination(), tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        workdir = Path(tmp)
        environment = load.django_environment(workdir, redis_url)
        environment.update(
            {
                "DJANGO_CACHE_KEY_PREFIX": CACHE_KEY_PREFIX,
                # Plain HTTP on loopback: the admin's cookies must come back without TLS.
                "DJANGO_SECURE_COOKIES": "0",
            }
        )
        os.environ.update(environment)
        server = load.Server(environment={**os.environ}, workdir=workdir)
        # This process's own log lines (apps starting) would mix with the JSON lines on stdout.
        os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
        created = False
        try:
            load.create_database()
            created = True
            return soak(options, server, redis_url, notes)
        finally:
            server.stop()
            if options.keep_log and server.log_path.exists():
                shutil.copyfile(server.log_path, options.keep_log)
            if created:
                from django.core.cache import cache
                from django.db import connections

                connections.close_all()
                load.drop_database()
                if redis_url:
                    cache.clear()


def soak(options: Options, server: load.Server, redis_url: str, notes: list[str]) -> int:
    import logging

    import django

    django.setup()
    # This process's own requests (the address checks) are not the soak's: keep them off stdout.
    logging.getLogger("embassy.requests").disabled = True
    from django.core.cache import cache
    from django.db import connection, connections
    from django.urls import reverse

    prepared = time.perf_counter()
    if redis_url:
        cache.clear()
    paths, writers, password = prepare(options)
    prepared_s = time.perf_counter() - prepared
    pg_version = connection.pg_version // 10000
    connections.close_all()

    server.start()
    master = server.process.pid
    # Log in, and open each change form once, before the soak: sessions exist, admin code loaded.
    for writer in writers:
        writer.session = AdminSession(options.port, writer.language)
        writer.session.log_in(reverse("admin:login"), writer.username, password)
        writer.session.request("GET", writer.change_path)

    duration_s = options.minutes * 60
    count = math.ceil(duration_s / options.window_s)
    start = time.time() + 2
    slots = mix_slots()
    emit(
        {
            "case": "setup",
            "communiques": options.communiques,
            "prepared_s": round(prepared_s, 1),
            "database": f"PostgreSQL {pg_version}",
            "cache": "redis" if redis_url else "local memory",
            "workers": load.WORKERS,
            "port": options.port,
            "minutes": options.minutes,
            "window_s": options.window_s,
            "rate_per_s": options.rate,
            "mix": {case: f"{weight}/{len(slots)}" for case, weight in MIX.items()},
            "addresses": {case: len(addresses) for case, addresses in paths.items()},
            "writers": len(writers),
            "saves_per_writer": options.saves,
            "burst_at_s": options.burst_at_s,
            "load_average": os.getloadavg(),
            "notes": notes,
        }
    )

    log = RequestLog(server.log_path, start, options.window_s, count, reverse("admin:index"))
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    plan = {
        "port": options.port,
        "rate": options.rate,
        "start": start,
        "duration_s": duration_s,
        "window_s": options.window_s,
        "slots": slots,
        "paths": paths,
    }
    readers = context.Process(target=run_readers, args=(plan, results), daemon=True)
    readers.start()

    try:
        burst: dict[str, Any] = {}
        burst_thread = threading.Thread(
            target=burst_when_due,
            args=(writers, options, start, burst),
            name="burst",
            daemon=True,
        )
        burst_thread.start()

        samples: list[tuple[float, int, float]] = []
        lines: list[dict[str, Any]] = []
        pids_seen: set[int] = set()
        next_sample = time.time()
        while len(lines) < count:
            if time.time() >= next_sample:
                moment = time.time()
                for pid in worker_pids(master):
                    pids_seen.add(pid)
                    value = rss_mb(pid)
                    if value is not None:
                        samples.append((moment, pid, value))
                next_sample += RSS_SAMPLE_S
            try:
                summary = results.get(timeout=0.5)
            except queue.Empty:
                if not readers.is_alive() and results.empty():
                    raise RuntimeError("The readers' process stopped before the end.") from None
                continue
            log.read()
            lines.append(window_line(summary, log, samples, start, options))
            emit(lines[-1])

        burst_thread.join()
        if "error" in burst:
            raise RuntimeError("The burst of admin saves stopped.") from burst["error"]
        readers.join(timeout=10)
        log.read()
        writes = check_writes(writers, burst["first_history_id"], burst["initial"])
        connections.close_all()
        emit(
            {
                "case": "admin burst",
                "from_s": round(burst["started"] - start, 1),
                "to_s": round(burst["ended"] - start, 1),
                **writes,
            }
        )
        verdict = judge(lines, samples, pids_seen, writes, start, burst["ended"], options)
        emit(verdict)
        print_table(lines, verdict)
        return 0 if verdict["ok"] else 1
    finally:
        # On an error or Ctrl-C too: no reader goes on sending to a stopped server.
        if readers.is_alive():
            readers.terminate()
        readers.join()


def burst_when_due(
    writers: list[Writer], options: Options, start: float, burst: dict[str, Any]
) -> None:
    """At the burst's time, note the state the writes will be checked against, then run it."""
    from django.db import connections

    from communiques.history import HISTORY_MANAGER
    from communiques.models import Communique

    History = getattr(Communique, HISTORY_MANAGER).model
    try:
        time.sleep(max(0.0, start + options.burst_at_s - time.time()))
        burst["first_history_id"] = History.objects.order_by("-history_id").first().history_id
        fields = {writer.field for writer in writers}
        burst["initial"] = {
            w.pk: Communique.objects.filter(pk=w.pk).values(*fields).get() for w in writers
        }
        connections.close_all()
        burst["started"] = time.time()
        run_burst(writers, options.saves, secrets.token_hex(3), options.think_s)
        burst["ended"] = time.time()
    except Exception as error:
        # Raised again by the main thread once it has the windows: the soak goes on meanwhile.
        burst["error"] = error


def window_line(
    summary: dict[str, Any],
    log: RequestLog,
    samples: list[tuple[float, int, float]],
    start: float,
    options: Options,
) -> dict[str, Any]:
    index = summary["window"] - 1
    begin, end = start + index * options.window_s, start + (index + 1) * options.window_s
    server = log.windows[index]
    rss: dict[str, float] = {}
    for moment, pid, value in samples:
        if moment < end:
            rss[str(pid)] = round(value, 1)
    duration = min(end, start + options.minutes * 60) - begin
    return {
        "window": summary["window"],
        "from_s": round(begin - start),
        "to_s": round(begin - start + duration),
        "requests": summary["requests"],
        "req_per_s": round(summary["requests"] / duration, 1),
        "p50_ms": summary["p50_ms"],
        "p90_ms": summary["p90_ms"],
        "p99_ms": summary["p99_ms"],
        "max_ms": summary["max_ms"],
        "server_p99_ms": rounded(percentile(server.durations_ms, 0.99)),
        "worker_busy": round(sum(server.durations_ms) / 1000 / (duration * load.WORKERS), 3),
        "lag_p99_ms": summary["lag_p99_ms"],
        "non_2xx": summary["non_2xx"],
        "non_2xx_logged": server.public_non_2xx,
        "socket_errors": sum(summary["socket_errors"].values()),
        "errors_logged": server.errors_logged,
        "admin_requests": server.admin,
        "admin_errors": server.admin_errors,
        "admin_saved": server.admin_saved,
        "admin_not_saved": server.admin_not_saved,
        "rss_mb": rss,
        "p99_ms_by_case": summary["p99_ms_by_case"],
        "socket_error_kinds": summary["socket_errors"],
    }


def judge(
    lines: list[dict[str, Any]],
    samples: list[tuple[float, int, float]],
    pids_seen: set[int],
    writes: dict[str, Any],
    start: float,
    burst_ended: float,
    options: Options,
) -> dict[str, Any]:
    """Return the verdict: each bound, its figure, and which bounds were broken."""
    broken = []
    errors = sum(window_errors(line) for line in lines)
    if errors:
        windows = ", ".join(str(line["window"]) for line in lines if window_errors(line))
        broken.append(f"{errors} errors (windows {windows})")

    # Growth from the end of the first window (the second minute's start) to the last sample,
    # which includes the step the admin's pages make once; and growth after the burst, under the
    # readers alone, where a leak is not hidden by that step.
    baseline_at = start + options.window_s
    growth: dict[str, float] = {}
    growth_after_burst: dict[str, float] = {}
    quiet_s = 0.0
    by_pid: dict[int, list[tuple[float, float]]] = collections.defaultdict(list)
    for moment, pid, value in samples:
        by_pid[pid].append((moment, value))
    for pid, series in sorted(by_pid.items()):
        after = [value for moment, value in series if moment >= baseline_at]
        if after:
            growth[str(pid)] = round(after[-1] - after[0], 1)
        quiet = [(moment, value) for moment, value in series if moment >= burst_ended]
        if len(quiet) > 1:
            growth_after_burst[str(pid)] = round(quiet[-1][1] - quiet[0][1], 1)
            quiet_s = quiet[-1][0] - quiet[0][0]
    if len(pids_seen) != load.WORKERS:
        broken.append(f"workers restarted: {len(pids_seen)} worker pids seen")
    if any(value > options.rss_bound_mb for value in growth.values()):
        broken.append(f"RSS growth above {options.rss_bound_mb} MB")
    if quiet_s < options.window_s - RSS_SAMPLE_S:
        broken.append("less than a window of readers alone after the burst: memory not measured")
    elif any(value > options.rss_after_burst_mb for value in growth_after_burst.values()):
        broken.append(f"RSS growth after the burst above {options.rss_after_burst_mb} MB")

    # The steady state: the windows after the first (which fills the cache) and before the burst;
    # their median, so that one noisy window neither loosens nor tightens the bound.
    steady = [
        line["p99_ms"]
        for line in lines[1:-1]
        if line["to_s"] <= max(options.burst_at_s, options.window_s * 2)
        and line["p99_ms"] is not None
    ]
    p99_steady = statistics.median(steady) if steady else None
    p99_last = lines[-1]["p99_ms"]
    p99_bound = (
        max(options.p99_factor * p99_steady, options.p99_floor_ms)
        if p99_steady is not None
        else None
    )
    if p99_bound is not None and (p99_last is None or p99_last > p99_bound):
        broken.append(f"last p99 {p99_last} ms above {round(p99_bound, 1)} ms")

    if writes["lost"] or writes["refused_but_saved"] or writes["failed"] or writes["problems"]:
        broken.append("admin writes: lost, failed or inconsistent")
    if writes["ok"] + writes["refused_conflict"] + writes["failed"] != writes["attempted"]:
        broken.append("admin writes: unaccounted for")

    return {
        "case": "verdict",
        "ok": not broken,
        "errors": errors,
        "rss_growth_mb": growth,
        "rss_bound_mb": options.rss_bound_mb,
        "rss_from_s": round(options.window_s),
        "rss_growth_after_burst_mb": growth_after_burst,
        "rss_after_burst_bound_mb": options.rss_after_burst_mb,
        "rss_after_burst_s": [round(burst_ended - start), round(quiet_s)],
        "p99_steady_ms": rounded(p99_steady),
        "p99_steady_windows": len(steady),
        "p99_last_window_ms": p99_last,
        "p99_bound_ms": rounded(p99_bound),
        "admin_writes": {
            "attempted": writes["attempted"],
            "ok": writes["ok"],
            "refused_conflict": writes["refused_conflict"],
            "failed": writes["failed"],
            "lost": writes["lost"],
        },
        "broken": broken,
    }


def window_errors(line: dict[str, Any]) -> int:
    """Return a window's errors: the readers', the server's and the writers' alike."""
    return (
        line["non_2xx"]
        + line["non_2xx_logged"]
        + line["socket_errors"]
        + line["errors_logged"]
        + line["admin_errors"]
    )


def print_table(lines: list[dict[str, Any]], verdict: dict[str, Any]) -> None:
    """Print the windows as a Markdown table on stderr, for a person or a report."""
    pids = sorted({pid for line in lines for pid in line["rss_mb"]})
    header = (
        "| window | requests | req/s | p50 ms | p99 ms | max ms | server p99 ms | busy | errors "
        "| admin saved/not | " + " | ".join(f"RSS {pid} MB" for pid in pids) + " |"
    )
    rows = [header, "|" + " --- |" * (10 + len(pids))]
    for line in lines:
        rows.append(
            f"| {line['from_s']}–{line['to_s']} s | {line['requests']} | {line['req_per_s']} | "
            f"{line['p50_ms']} | {line['p99_ms']} | {line['max_ms']} | {line['server_p99_ms']} | "
            f"{line['worker_busy']:.0%} | {window_errors(line)} | "
            f"{line['admin_saved']}/{line['admin_not_saved']} | "
            + " | ".join(str(line["rss_mb"].get(pid, "")) for pid in pids)
            + " |"
        )
    rows.append("")
    rows.append(f"verdict: {'pass' if verdict['ok'] else 'FAIL: ' + '; '.join(verdict['broken'])}")
    print("\n".join(rows), file=sys.stderr)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("Interrupted: gunicorn stopped, database dropped.", file=sys.stderr)
        sys.exit(130)
