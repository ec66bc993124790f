"""Home-visit photos and video stored before the photo/video roles existed were role
"access", described in ``item.fields["home_visit_media"]`` (kind and file_id per entry)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Item = apps.get_model("archive", "Item")
    File = apps.get_model("archive", "File")
    for item in Item.objects.filter(fields__has_key="home_visit_media").iterator():
        for entry in item.fields.get("home_visit_media") or []:
            if entry.get("kind") in ("photo", "video") and entry.get("file_id"):
                File.objects.filter(pk=entry["file_id"], item=item, role="access").update(
                    role=entry["kind"]
                )


def backwards(apps, schema_editor):
    File = apps.get_model("archive", "File")
    File.objects.filter(role__in=("photo", "video")).update(role="access")


class Migration(migrations.Migration):
    dependencies = [("archive", "0003_file_roles_photo_video")]

    operations = [migrations.RunPython(forwards, backwards)]
