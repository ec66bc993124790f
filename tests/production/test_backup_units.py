"""Backup pieces that need no subprocess: retention, the schedule, refusals, S3 as-of."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.utils import timezone

from ops import backup, objects


def _fake_backup(folder, name, complete=True):
    path = folder / name
    path.mkdir(parents=True)
    if complete:
        (path / backup.MANIFEST).write_text("{}")
    return path


def test_prune_keeps_the_newest_complete_ones(tmp_path):
    names = [f"hedang-2026120{d}T021700Z" for d in range(1, 6)]
    for name in names:
        _fake_backup(tmp_path, name)
    unfinished = _fake_backup(tmp_path, "hedang-20261206T021700Z", complete=False)
    other = _fake_backup(tmp_path, "my-manual-backup")
    removed = backup.prune(tmp_path, keep=2)
    assert removed == names[:3]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*names[3:], unfinished.name, other.name]
    )
    assert backup.prune(tmp_path, keep=0) == [names[3]]  # never fewer than one


def test_nightly_backup_is_scheduled(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["ops-nightly-backup"]
    assert entry["task"] == "ops.tasks.nightly_backup"
    from config import celery_app

    assert "ops.tasks.nightly_backup" in celery_app.tasks


@pytest.mark.django_db(transaction=True)
def test_scheduled_backup_runs_and_prunes(settings, tmp_path, make_household, make_item):
    from ops.tasks import nightly_backup

    make_item(make_household("420102"))
    settings.HEDANG_BACKUP_DIR = tmp_path / "backups"
    settings.HEDANG_BACKUP_KEEP = 2
    for day in (1, 2):
        _fake_backup(tmp_path / "backups", f"hedang-2020010{day}T000000Z")
    result = nightly_backup()
    assert result["items"] == 1 and result["objects"] == 1 and result["damaged"] == []
    assert result["removed"] == ["hedang-20200101T000000Z"]
    manifest = json.loads(
        (tmp_path / "backups" / result["path"].rsplit("/", 1)[1] / "manifest.json").read_text()
    )
    from django.db import connection

    assert manifest["database"]["engine"] == connection.vendor and manifest["items"] == 1


@pytest.mark.django_db(transaction=True)
def test_backup_refuses_a_folder_with_something_in_it(tmp_path, hubei):
    (tmp_path / "dest").mkdir()
    (tmp_path / "dest" / "keep.txt").write_text("mine")
    with pytest.raises(backup.BackupError, match="不存在或为空"):
        backup.create_backup(tmp_path / "dest")
    assert [p.name for p in (tmp_path / "dest").iterdir()] == ["keep.txt"]


@pytest.mark.django_db(transaction=True)
def test_damaged_stored_object_is_named(tmp_path, make_household, make_item):
    from archive.models import File
    from archive.storage import archive_storage, blob_name

    make_item(make_household("420102"))
    sha = File.objects.get().sha256
    path = archive_storage().path(blob_name(sha))
    with open(path, "ab") as fh:
        fh.write(b"rot")
    report = backup.create_backup(tmp_path / "bk")
    assert report.damaged == [blob_name(sha)]


@pytest.mark.s3
def test_s3_objects_as_of_the_snapshot(s3_bucket, moto_s3):
    from archive.storage import archive_storage, blob_name, store_bytes

    moto_s3.client().put_bucket_versioning(
        Bucket=s3_bucket, VersioningConfiguration={"Status": "Enabled"}
    )
    early = store_bytes(b"before the snapshot")
    time.sleep(1.1)  # S3 times are whole seconds
    as_of = timezone.now()
    time.sleep(1.1)
    store_bytes(b"after the snapshot")
    archive_storage().delete(blob_name(early.sha256))  # deleted after: still in the backup
    listed = objects.list_objects(as_of)
    assert [o.name for o in listed] == [early.name]
    assert listed[0].version
    sha, size = objects.copy_out(listed[0], objects.Path("/dev/null"))
    assert (sha, size) == (early.sha256, early.size)
    now = objects.list_objects(timezone.now() + dt.timedelta(seconds=5))
    assert [o.name for o in now] == [
        blob_name(objects.hashlib.sha256(b"after the snapshot").hexdigest())
    ]


@pytest.mark.django_db(transaction=True)
def test_tampered_seal_key_refuses_the_restore(tmp_path, settings, make_household, make_item):
    from archive.certificates import ensure_archive_certificate
    from ops import restore

    settings.HEDANG_ARCHIVE_KEY = tmp_path / "keys" / "archive-key.pem"
    settings.HEDANG_ARCHIVE_CERT = tmp_path / "keys" / "archive-cert.pem"
    ensure_archive_certificate()
    make_item(make_household("420102"))
    backup.create_backup(tmp_path / "bk")
    manifest = restore.read_manifest(tmp_path / "bk")
    restore.check_backup(tmp_path / "bk", manifest)  # intact: accepted
    key = tmp_path / "bk" / "seal" / "archive-key.pem"
    key.write_bytes(key.read_bytes() + b"\n")
    with pytest.raises(restore.RestoreError, match="签章文件与清单哈希不符"):
        restore.check_backup(tmp_path / "bk", manifest)
    key.unlink()
    with pytest.raises(restore.RestoreError, match="缺少签章文件"):
        restore.check_backup(tmp_path / "bk", manifest)
    # A name that climbs out of the trust folder is refused before any file is read.
    manifest["seal"] = {"files": {}, "trust_roots": {"../../etc/passwd": "0" * 64}}
    with pytest.raises(restore.RestoreError, match="不安全的文件名"):
        restore.check_backup(tmp_path / "bk", manifest)
