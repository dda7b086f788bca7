"""Stored search vectors, and the index of the public lists.

- search_vector_<lang>: each language's search_text as a tsvector, a column the database
  computes itself (models.SearchDocument; NULL on SQLite, which searches by containment).
  search.full_text_search filters and ranks on it: PostgreSQL no longer parses every matching
  document at each search. On PostgreSQL, a GIN index on each replaces 0004's indexes on the
  expression it used to compute, which nothing asks for any more.
- communique_status_published: published() in the lists' order, for a page of a list and for
  the communiqués before and after one.
"""

import django.contrib.postgres.search
from django.conf import settings
from django.db import migrations, models

import communiques.models


def columns():
    for code, _name in settings.LANGUAGES:
        suffix = code.replace("-", "_")
        yield f"search_text_{suffix}", f"search_vector_{suffix}"


def index_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for text_column, vector_column in columns():
        schema_editor.execute(f"DROP INDEX IF EXISTS communique_{text_column}_fts")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS communique_{vector_column}_gin "
            f"ON communiques_communique USING gin ({vector_column})"
        )


def index_expressions(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for text_column, vector_column in columns():
        schema_editor.execute(f"DROP INDEX IF EXISTS communique_{vector_column}_gin")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS communique_{text_column}_fts ON communiques_communique "
            f"USING gin (to_tsvector('simple'::regconfig, COALESCE({text_column}, '')))"
        )


def search_vector(language):
    return models.GeneratedField(
        db_persist=True,
        expression=communiques.models.SearchDocument(f"search_text_{language}", config="simple"),
        output_field=django.contrib.postgres.search.SearchVectorField(null=True),
    )


class Migration(migrations.Migration):
    dependencies = [("communiques", "0005_translations_history_concurrency")]

    operations = [
        migrations.AddField(
            model_name="communique", name="search_vector_en", field=search_vector("en")
        ),
        migrations.AddField(
            model_name="communique", name="search_vector_fa_af", field=search_vector("fa_af")
        ),
        migrations.AddField(
            model_name="communique", name="search_vector_fr", field=search_vector("fr")
        ),
        migrations.AddField(
            model_name="communique", name="search_vector_ps", field=search_vector("ps")
        ),
        migrations.RunPython(index_vectors, index_expressions),
        migrations.AddIndex(
            model_name="communique",
            index=models.Index(
                fields=["status", "published_at", "id"], name="communique_status_published"
            ),
        ),
    ]
