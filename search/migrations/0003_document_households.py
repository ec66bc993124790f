"""The ``households`` column: every household of an item that concerns several (a 委托书 with
its 花名册), so a hit names the household that matched. Existing rows get "" (their
fingerprints do not change); ``search_reindex`` fills it for items linked to several."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("hedang_search", "0002_pg_bounded_search")]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="households",
            field=models.TextField(blank=True, default="", verbose_name="关联的户"),
        ),
    ]
