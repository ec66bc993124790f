"""PostgreSQL only: a GIN index on ``tsv_head`` (numbers, names, title), so a query with at most
HEDANG_SEARCH_RANK_LIMIT matches ranks its head matches without reading the others
(search/backends/postgres.py, PostgresBackend._ranked)."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from search.backends.pg_schema import V1_INDEX_SQL as INDEX_SQL

    for sql in INDEX_SQL:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from search.backends.pg_schema import DOC

    schema_editor.execute(f"DROP INDEX IF EXISTS {DOC}_tsv_head")


class Migration(migrations.Migration):
    dependencies = [("hedang_search", "0003_document_households")]

    operations = [migrations.RunPython(forwards, backwards)]
