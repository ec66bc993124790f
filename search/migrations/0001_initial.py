from django.db import migrations, models


def create_engine_tables(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        from search.backends.sqlite import FTS_DDL

        schema_editor.execute(FTS_DDL)
    elif vendor == "postgresql":
        from search.backends.pg_schema import V1_SCHEMA_SQL as SCHEMA_SQL

        for sql in SCHEMA_SQL:
            schema_editor.execute(sql)


def drop_engine_tables(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS hedang_search_fts")
    elif vendor == "postgresql":
        from search.backends.pg_schema import V1_UNSCHEMA_SQL as UNSCHEMA_SQL

        for sql in UNSCHEMA_SQL:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("item_id", models.BigIntegerField(primary_key=True, serialize=False, verbose_name="件")),
                ("agency_id", models.BigIntegerField(db_index=True, verbose_name="核对机构")),
                ("region_code", models.CharField(max_length=6, verbose_name="行政区划代码")),
                ("household_id", models.BigIntegerField(null=True, verbose_name="户")),
                ("head_id_number", models.CharField(blank=True, max_length=18, verbose_name="户主身份证号")),
                ("archive_number", models.CharField(blank=True, max_length=80, verbose_name="档号")),
                ("category", models.CharField(max_length=20, verbose_name="材料类别")),
                ("subtype_id", models.BigIntegerField(verbose_name="子类")),
                ("subtype", models.CharField(max_length=50, verbose_name="子类名称")),
                ("business_type", models.CharField(blank=True, max_length=2, verbose_name="核对项目")),
                ("year", models.PositiveSmallIntegerField(null=True, verbose_name="形成年度")),
                ("title", models.TextField(blank=True, verbose_name="题名")),
                ("keys", models.TextField(blank=True, verbose_name="编号")),
                ("names", models.TextField(blank=True, verbose_name="姓名")),
                ("text", models.TextField(blank=True, verbose_name="文字")),
                ("fingerprint", models.CharField(max_length=32, verbose_name="指纹")),
            ],
            options={
                "verbose_name": "检索文档",
                "verbose_name_plural": "检索文档",
                "db_table": "hedang_search_document",
                "default_permissions": (),
            },
        ),
        migrations.RunPython(create_engine_tables, drop_engine_tables),
    ]
