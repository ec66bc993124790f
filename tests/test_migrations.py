"""Data migrations, run forwards on rows made with the models as they were."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BEFORE = [("archive", "0003_file_roles_photo_video")]
AFTER = [("archive", "0004_home_visit_files_as_photo_video")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_home_visit_files_stored_as_access_become_photo_and_video(hubei):
    from archive.audit import model_entries_suppressed

    apps = _migrate(BEFORE)
    # The rows are made with the old models; the operation log (its table as of today) is
    # not part of what this migration is about.
    with model_entries_suppressed():
        Agency, Household = (
            apps.get_model("archive", "Agency"),
            apps.get_model("archive", "Household"),
        )
        Item, File = apps.get_model("archive", "Item"), apps.get_model("archive", "File")
        agency = Agency.objects.get(region_code="420102")
        household = Household.objects.create(
            agency=agency, head_id_number="42010219850315100X", head_name="张伟"
        )
        item = Item.objects.create(
            household=household,
            agency=agency,
            title="张伟户入户核查表",
            formation_date=dt.date.today(),
        )
        files = [
            File.objects.create(item=item, role="access", sha256=f"{n:064d}", size=1, media_type=m)
            for n, m in enumerate(["image/jpeg", "video/mp4", "application/pdf"])
        ]
        item.fields = {
            "home_visit_media": [
                {"kind": "photo", "file_id": files[0].pk},
                {"kind": "video", "file_id": files[1].pk},
            ]
        }
        item.save()
    try:
        apps = _migrate(AFTER)
        File = apps.get_model("archive", "File")
        roles = [File.objects.get(pk=f.pk).role for f in files]
        assert roles == ["photo", "video", "access"]  # the access copy stays what it was
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
