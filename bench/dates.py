"""Time the formatting of dates in both calendars, per language and style.

Run as `.venv/bin/python bench/dates.py`; not part of the test suite. Prints one JSON line per
case: dual dates formatted per second, microseconds per date, milliseconds per page of 20 dates.
- "100000 dates": 100,000 consecutive days, each formatted once: every Solar Hijri conversion
  is computed, none comes from the cache.
- "page, cold": a list page's 20 publication moments (aware datetimes), with the conversion
  cache emptied before each page: the first reader's page.
- "page, warm": the same page again, as every later reader gets it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "embassy.settings")
# Formatting needs the settings (time zone, month names), never the secret: a throwaway one.
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-throwaway-secret")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")

import django  # noqa: E402

django.setup()

from communiques import dates  # noqa: E402

LANGUAGES = ("fa-af", "ps", "fa", "fr", "en")
STYLES: tuple[dates.Style, ...] = ("short", "long")
MANY = 100_000
PAGE = 20
PAGES = 500
FIRST_DAY = dt.date(1990, 1, 1)


def seconds(work: Callable[[], object], *, repeat: int = 3) -> float:
    """Return the best time of a few runs: the others measure the machine's other work."""
    best = float("inf")
    for _run in range(repeat):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def report(case: str, language: str, style: str, count: int, elapsed: float) -> None:
    per_date = elapsed / count
    print(
        json.dumps(
            {
                "case": case,
                "language": language,
                "style": style,
                "dates": count,
                "dates_per_s": round(1 / per_date),
                "us_per_date": round(per_date * 1e6, 2),
                "ms_per_page_of_20": round(per_date * PAGE * 1e3, 4),
            },
            ensure_ascii=False,
        ),
        flush=True,
    )


def main() -> None:
    days = [FIRST_DAY + dt.timedelta(days=offset) for offset in range(MANY)]
    # A list page: one communiqué every few days, published mid-morning in Kabul.
    page = [
        dt.datetime(2019, 6, 25, 4, 30, tzinfo=dt.UTC) - dt.timedelta(days=3 * offset)
        for offset in range(PAGE)
    ]
    for language in LANGUAGES:
        for style in STYLES:

            def many(language: str = language, style: dates.Style = style) -> None:
                dates._solar_of.cache_clear()
                for day in days:
                    dates.format_dual(day, language, style)

            def cold_pages(language: str = language, style: dates.Style = style) -> None:
                for _page in range(PAGES):
                    dates._solar_of.cache_clear()
                    for moment in page:
                        dates.format_dual(moment, language, style)

            def warm_pages(language: str = language, style: dates.Style = style) -> None:
                for _page in range(PAGES):
                    for moment in page:
                        dates.format_dual(moment, language, style)

            report(f"{MANY} dates", language, style, MANY, seconds(many))
            report("page, cold", language, style, PAGES * PAGE, seconds(cold_pages))
            report("page, warm", language, style, PAGES * PAGE, seconds(warm_pages))


if __name__ == "__main__":
    main()
