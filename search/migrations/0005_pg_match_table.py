"""PostgreSQL only: ``tsv`` moves from the document table into the narrow match table
``hedang_search_match`` (item id, filter columns, tsv out of line), GIN indexed there, so
counting a query's matches up to the rank limit reads ~100-byte rows that stay in shared
buffers instead of ~2 kB document rows (search/backends/postgres.py, MATCH)."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from search.backends.pg_schema import move_tsv_to_match

    with schema_editor.connection.cursor() as cur:
        move_tsv_to_match(cur)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from search.backends.pg_schema import move_tsv_back

    with schema_editor.connection.cursor() as cur:
        move_tsv_back(cur)


class Migration(migrations.Migration):
    dependencies = [("hedang_search", "0004_pg_head_index")]

    operations = [
        migrations.CreateModel(
            name="SearchMatch",
            fields=[
                (
                    "item_id",
                    models.BigIntegerField(primary_key=True, serialize=False, verbose_name="件"),
                ),
                ("agency_id", models.BigIntegerField(db_index=True, verbose_name="核对机构")),
                ("category", models.CharField(max_length=20, verbose_name="材料类别")),
                ("subtype_id", models.BigIntegerField(verbose_name="子类")),
                (
                    "business_type",
                    models.CharField(blank=True, max_length=2, verbose_name="核对项目"),
                ),
                ("year", models.PositiveSmallIntegerField(null=True, verbose_name="形成年度")),
            ],
            options={
                "verbose_name": "检索匹配",
                "verbose_name_plural": "检索匹配",
                "db_table": "hedang_search_match",
                "default_permissions": (),
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
