"""Querysets compiled once and run with new values (communiques/compiled.py): they must return
what their querysets return, on SQLite and on PostgreSQL."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Count, Exists, OuterRef
from django.test.utils import CaptureQueriesContext

from communiques.compiled import CompiledQuery
from communiques.models import ChangeNote, Communique
from tests.factories import CommuniqueFactory

pytestmark = pytest.mark.django_db


def by_slug(language, slug):
    notes = ChangeNote.objects.filter(communique=OuterRef("pk"))
    return (
        Communique.objects.filter(slug=slug)
        .written_in(language)
        .only("slug", "published_at", f"title_{language}")
        .annotate(has_notes=Exists(notes))
    )


BY_SLUG = CompiledQuery(by_slug, slug=str)
BY_IDS = CompiledQuery(
    lambda language, ids: Communique.objects.filter(pk__in=ids).written_in(language).only("slug"),
    ids=list,
)


def test_a_compiled_query_returns_what_its_queryset_returns_for_each_value():
    first = CommuniqueFactory(published_at=dt.datetime(2019, 6, 25, 8, 30, tzinfo=dt.UTC))
    second = CommuniqueFactory(title_fr="")
    ChangeNote.objects.create(communique=first, note_fr="Corrigé.")

    for language, slug in [("fr", first.slug), ("fa_af", second.slug), ("fr", second.slug)]:
        expected = list(by_slug(language, slug))
        found = BY_SLUG(language, slug=slug)
        assert [(c.pk, c.slug, c.published_at, c.has_notes) for c in found] == [
            (c.pk, c.slug, c.published_at, c.has_notes) for c in expected
        ]

    [communique] = BY_SLUG("fr", slug=first.slug)
    # Dates come back as the ORM gives them, aware, also from SQLite's text columns.
    assert communique.published_at == dt.datetime(2019, 6, 25, 8, 30, tzinfo=dt.UTC)
    assert communique.title_fr == first.title_fr
    assert communique.has_notes
    # What the queryset defers stays deferred, and is read when asked for, as with only().
    assert "body_fr" in communique.get_deferred_fields()
    assert communique.body_fr == first.body_fr
    # The French version of the second one has no title: written_in("fr") is part of the query.
    assert BY_SLUG("fr", slug=second.slug) == []


def test_a_compiled_query_runs_one_statement_with_the_new_value_each_time():
    communiques = CommuniqueFactory.create_batch(3)
    BY_SLUG("fr", slug="warm-up")
    with CaptureQueriesContext(connection) as queries:
        found = [BY_SLUG("fr", slug=c.slug)[0].pk for c in communiques]
    assert found == [c.pk for c in communiques]
    assert len(queries) == 3


def test_a_list_of_ids_is_compiled_for_each_length_and_finds_exactly_those():
    communiques = CommuniqueFactory.create_batch(4)
    ids = [c.pk for c in communiques]
    for chosen in ([ids[0]], ids[1:3], ids, [ids[3], ids[0]]):
        assert sorted(c.pk for c in BY_IDS("fr", ids=chosen)) == sorted(chosen)
    assert BY_IDS("fr", ids=[]) == []


def test_a_value_the_query_holds_twice_is_refused():
    twice = CompiledQuery(
        lambda slug: (
            Communique.objects.filter(slug=slug) | Communique.objects.filter(title_fr=slug)
        ),
        slug=str,
    )
    with pytest.raises(ValueError, match="more than once"):
        twice(slug="anything")


@pytest.mark.parametrize(
    "build",
    [
        lambda slug: Communique.objects.filter(slug=slug).select_related("category"),
        lambda slug: Communique.objects.filter(slug=slug).prefetch_related("links"),
        lambda slug: Communique.objects.filter(slug=slug).values("pk"),
        lambda slug: Communique.objects.filter(slug=slug).annotate(n=Count("links")).values("n"),
    ],
)
def test_a_queryset_of_related_lookups_or_values_cannot_be_compiled(build):
    with pytest.raises(ValueError):
        CompiledQuery(build, slug=str)(slug="anything")
