"""Querysets compiled to SQL once, then run again with the values of each request.

Django builds and compiles a queryset every time one is evaluated. For the few small queries
every communiqué page and list page runs, that costs about three times as much as running them
(bench/README.md, "Where the time goes"). `CompiledQuery` keeps what a queryset compiles to, for
each database connection and each build argument (a language), and runs it with new values:
one statement on the database, and model instances made as the queryset would make them.

The queryset stays the one definition of what is read: it is written with the ORM, filtered by
the same methods as everywhere else, and compiled by Django. Only its values change, and only
those the caller names: each is given to the queryset as a marker that appears nowhere else,
and found again among the compiled parameters.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable
from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=Model)

# Markers below any id a database hands out, each used once per compilation.
_markers = itertools.count(-(2**62), -1)


def text_marker() -> str:
    return f"\x00marker{next(_markers)}\x00"


def id_marker() -> int:
    return next(_markers)


MARKERS: dict[type, Callable[[], Any]] = {str: text_marker, int: id_marker}


@dataclass
class Statement(Generic[M]):
    """What a queryset compiled to on one connection, and how to make instances of its rows."""

    compiler: SQLCompiler
    sql: str
    params: tuple[Any, ...]
    # Where each named value goes among the parameters.
    places: dict[str, list[int]]
    converters: dict[int, Any]
    model: type[M]
    init_list: list[str]
    model_columns: slice
    annotations: dict[str, int]

    @classmethod
    def compile(
        cls, queryset: QuerySet[M], connection: BaseDatabaseWrapper, markers: dict[str, Any]
    ) -> Statement[M]:
        if queryset._iterable_class is not ModelIterable:
            raise ValueError("Only querysets of model instances can be compiled.")
        if queryset._prefetch_related_lookups or queryset.query.select_related:
            raise ValueError("A compiled queryset reads one model: no related lookups.")
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        params = tuple(params)
        places = {}
        for name, marker in markers.items():
            wanted = marker if isinstance(marker, list) else [marker]
            places[name] = [params.index(value) for value in wanted]
            if sum(params.count(value) for value in wanted) != len(wanted):
                raise ValueError(f"The value {name!r} appears more than once in the query.")
        select_fields = compiler.klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        return cls(
            compiler=compiler,
            sql=sql,
            params=params,
            places=places,
            converters=compiler.get_converters(
                [s[0] for s in compiler.select[: compiler.col_count]]
            ),
            model=compiler.klass_info["model"],
            init_list=[column[0].target.attname for column in compiler.select[start:end]],
            model_columns=slice(start, end),
            annotations=dict(compiler.annotation_col_map),
        )

    def run(self, connection: BaseDatabaseWrapper, values: dict[str, Any]) -> list[M]:
        params = list(self.params)
        for name, places in self.places.items():
            value = values[name]
            for place, item in zip(
                places, value if isinstance(value, list) else [value], strict=True
            ):
                params[place] = item
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        instances = []
        for row in rows:
            instance = self.model.from_db(connection.alias, self.init_list, row[self.model_columns])
            for name, column in self.annotations.items():
                setattr(instance, name, row[column])
            instances.append(instance)
        return instances


class CompiledQuery(Generic[M]):
    """A queryset, built by `build`, compiled once per connection and build arguments.

    `build(*arguments, **markers)` returns the queryset. `parameters` names the values that
    change from one run to the next, each with its kind: `str`, `int`, or `list` for a list of
    ids (compiled once for each length). Calling the query with the arguments and the values
    returns what the queryset built with those values would return, as a list.
    """

    def __init__(self, build: Callable[..., QuerySet[M]], **parameters: type) -> None:
        self.build = build
        self.parameters = parameters
        self.statements: WeakKeyDictionary[
            BaseDatabaseWrapper, dict[tuple[Hashable, ...], Statement[M]]
        ] = WeakKeyDictionary()
        QUERIES.append(self)

    def __call__(
        self, *arguments: Hashable, using: str = DEFAULT_DB_ALIAS, **values: Any
    ) -> list[M]:
        values = {name: values[name] for name in self.parameters}
        lengths = []
        for name, kind in self.parameters.items():
            if kind is list:
                values[name] = list(values[name])
                if not values[name]:
                    return []
                lengths.append(len(values[name]))
        connection = connections[using]
        key = (*arguments, *lengths)
        compiled = self.statements.setdefault(connection, {})
        if key not in compiled:
            markers = {
                name: ([id_marker() for _ in values[name]] if kind is list else MARKERS[kind]())
                for name, kind in self.parameters.items()
            }
            compiled[key] = Statement.compile(
                self.build(*arguments, **markers), connection, markers
            )
        return compiled[key].run(connection, values)

    def clear(self) -> None:
        self.statements.clear()


# Every compiled query, so that a change of settings in the tests (languages, databases)
# compiles them again.
QUERIES: list[CompiledQuery] = []


def clear_compiled_queries(**kwargs: Any) -> None:
    for query in QUERIES:
        query.clear()


setting_changed.connect(clear_compiled_queries)
