"""Search through the published communiqués of one language.

Both the stored documents (Communique.search_text) and the query are folded by
text.normalize_for_search, so that «می گردد» finds «می‌گردد» and «۲۰۱۹» finds «2019» on every
database. PostgreSQL ranks the matches with its full-text search, on each document's stored
tsvector (Communique.search_vector_<lang>); elsewhere (SQLite) every word must appear in the
document, newest first.
"""

from __future__ import annotations

import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, transaction
from django.db.models import F, Q
from modeltranslation.utils import build_localized_fieldname

from . import text
from .models import (
    SEARCH_CONFIG,
    Communique,
    CommuniqueQuerySet,
    language_codes,
    search_vector_name,
)

# Longer queries are cut: no reader types more, and each word costs the database a condition.
MAX_QUERY_LENGTH = 200


def search(
    query: str, language: str, communiques: CommuniqueQuerySet | None = None
) -> CommuniqueQuerySet:
    """Return the communiqués in a language whose text holds every word of the query, best first.

    By default among the published ones; a view passes its own queryset to keep what it fetches
    with them. An empty query finds nothing.
    """
    if communiques is None:
        communiques = Communique.objects.published()
    communiques = communiques.in_language(language)
    terms = text.search_terms(query[:MAX_QUERY_LENGTH], language)
    if not terms:
        return communiques.none()
    if connection.vendor == "postgresql":
        return full_text_search(communiques, language, terms)
    document = build_localized_fieldname("search_text", language)
    return contains_search(communiques, document, terms)


def full_text_search(
    communiques: CommuniqueQuerySet, language: str, terms: list[str]
) -> CommuniqueQuerySet:
    """Find the terms as word prefixes with PostgreSQL's full-text search, best ranked first."""
    # Terms are letters and digits only (text.search_terms), so quoting them is enough to make
    # a raw tsquery of them. Prefixes, as in «کشور» for «کشورهای», stand in for the stemming that
    # no dictionary offers.
    raw = " & ".join(f"'{term}':*" for term in terms)
    query = SearchQuery(raw, config=SEARCH_CONFIG, search_type="raw")
    # The document's tsvector as stored, and indexed (migration 0006): neither the match nor the
    # rank parses the text again.
    vector = search_vector_name(language)
    return (
        communiques.filter(**{vector: query})
        .annotate(rank=SearchRank(F(vector), query))
        .order_by("-rank", "-published_at", "-id")
    )


def contains_search(
    communiques: CommuniqueQuerySet, document: str, terms: list[str]
) -> CommuniqueQuerySet:
    """Find every term anywhere in the document: the fallback for databases without full text."""
    # Both sides are folded already, case included: a plain containment test is enough.
    condition = Q()
    for term in terms:
        condition &= Q(**{f"{document}__contains": term})
    return communiques.filter(condition)


def clean_query(value: str) -> tuple[str, bool]:
    """Return a query as searched, spaces collapsed and cut to length, and whether it was cut."""
    # Control characters have no place in a query, nor in the page that repeats it; format
    # characters such as the non-joiner of «می‌گردد» stay.
    printable = "".join(
        char for char in value if char.isspace() or unicodedata.category(char) != "Cc"
    )
    query = " ".join(printable.split())
    return " ".join(query[:MAX_QUERY_LENGTH].split()), len(query) > MAX_QUERY_LENGTH


def rebuild_search_text(batch_size: int = 200) -> int:
    """Rewrite the search documents of every communiqué from its text; return how many.

    For rows written before the documents existed, or by a bulk update, which bypasses save().
    """
    fields = [build_localized_fieldname("search_text", code) for code in language_codes()]
    batch: list[Communique] = []
    count = 0
    with transaction.atomic():
        for communique in Communique.objects.order_by("pk").iterator(chunk_size=batch_size):
            communique.update_search_text()
            batch.append(communique)
            if len(batch) == batch_size:
                Communique.objects.bulk_update(batch, fields)
                count += len(batch)
                batch = []
        Communique.objects.bulk_update(batch, fields)
    return count + len(batch)
