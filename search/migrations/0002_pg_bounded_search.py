"""PostgreSQL only: the small ``tsv_head`` tsvector (the cheaper rank), lz4 for ``tsv``, a GIN
index on ``fullnames`` (exact names first without reading every match) and a small GIN
pending list. Existing index rows get their ``tsv_head`` from their stored tokens."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from search.backends.postgres import DOC, backfill_head
    from search.backends.pg_schema import V1_SCHEMA_SQL as SCHEMA_SQL

    for sql in SCHEMA_SQL:
        schema_editor.execute(sql)
    schema_editor.execute(f"ALTER INDEX {DOC}_tsv SET (fastupdate = on, gin_pending_list_limit = 256)")
    with schema_editor.connection.cursor() as cur:
        backfill_head(cur)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from search.backends.postgres import DOC

    schema_editor.execute(f"DROP INDEX IF EXISTS {DOC}_fullnames")
    schema_editor.execute(f"ALTER TABLE {DOC} DROP COLUMN IF EXISTS tsv_head")


class Migration(migrations.Migration):
    dependencies = [("hedang_search", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
