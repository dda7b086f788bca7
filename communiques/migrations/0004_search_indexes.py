"""Full-text indexes on each language's search document, on PostgreSQL only.

search.full_text_search filters on to_tsvector('simple', COALESCE(search_text_<lang>, '')):
an index on that very expression spares PostgreSQL from computing it for every row. SQLite
searches by containment and has no use for them.
"""

from django.conf import settings
from django.db import migrations


def index_names():
    for code, _name in settings.LANGUAGES:
        column = f"search_text_{code.replace('-', '_')}"
        yield f"communique_{column}_fts", column


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in index_names():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON communiques_communique "
            f"USING gin (to_tsvector('simple'::regconfig, COALESCE({column}, '')))"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in index_names():
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("communiques", "0003_workflow_search_site_settings")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
