"""WORM on S3 (moto_server): originals locked until their due date, early deletes refused,
and destruction removing every object version.

moto does not emulate everything: GetObjectRetention answers 500 (we read the retain-until
date from HeadObject instead) and a COMPLIANCE retention can be shortened there, which AWS
refuses. Neither is relied on here."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.s3, pytest.mark.slow]


@pytest.fixture
def locked_bucket(moto_s3, settings):
    """A fresh bucket with Object Lock (hence versioning) as the archive storage."""
    import uuid

    from django.core.files.storage import storages

    bucket = f"hedang-worm-{uuid.uuid4().hex[:12]}"
    client = moto_s3.client()
    client.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    config = moto_s3.storage_config(bucket)
    settings.STORAGES = {**settings.STORAGES, "default": config, "archive": config}
    storages._storages = {}
    storages._backends = None
    yield client, bucket
    storages._storages = {}
    storages._backends = None


def _versions(client, bucket, sha: str) -> list:
    from archive.storage import blob_name

    found = client.list_object_versions(Bucket=bucket, Prefix=blob_name(sha))
    return found.get("Versions", []) + found.get("DeleteMarkers", [])


def test_original_locked_until_due_and_early_delete_refused(locked_bucket, make_household, filed):
    from botocore.exceptions import ClientError

    from archive.storage import BlobLocked, blob_name, destroy_blob, read_blob

    client, bucket = locked_bucket
    item = filed(make_household("420102", "王五"), "RHB", dt.date(2024, 5, 1))
    sha = item.files.get(role="original").sha256
    head = client.head_object(Bucket=bucket, Key=blob_name(sha))
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"].date() == dt.date(2035, 1, 1)
    with pytest.raises(BlobLocked):
        destroy_blob(sha)
    version = _versions(client, bucket, sha)[0]["VersionId"]
    with pytest.raises(ClientError):  # S3 itself refuses too
        client.delete_object(Bucket=bucket, Key=blob_name(sha), VersionId=version)
    assert hashlib.sha256(read_blob(sha)).hexdigest() == sha


def test_appraisal_keep_extends_the_lock(locked_bucket, make_household, filed, make_user):
    from archive.storage import blob_name
    from retention import worm
    from retention.timer import add_years

    client, bucket = locked_bucket
    item = filed(make_household("420102", "赵六"), "RHB", dt.date(2024, 5, 1))
    sha = item.files.get(role="original").sha256
    worm.extend_item_lock(item, add_years(dt.date(2035, 1, 1), 5))
    head = client.head_object(Bucket=bucket, Key=blob_name(sha))
    assert head["ObjectLockRetainUntilDate"].date() == dt.date(2040, 1, 1)


def test_destruction_removes_every_version(locked_bucket, world):
    from archive.storage import blob_name
    from retention import destruction
    from retention.appraisal import Choice, appraise
    from retention.sweep import fill_appraisal_list

    client, bucket = locked_bucket
    item = world.items["李明-2014"]
    # world's files were stored before the bucket switch: store this item's again on S3
    from archive.pdf import text_pdf
    from archive.storage import store_bytes

    blob = store_bytes(text_pdf("入户核查表", ["李明 S3"]))
    item.files.update(sha256=blob.sha256, size=blob.size)
    # a second version of the same key (as a rewrite would leave behind)
    client.put_object(Bucket=bucket, Key=blob_name(blob.sha256), Body=b"stale copy")
    client.put_object(
        Bucket=bucket, Key=blob_name(blob.sha256), Body=text_pdf("入户核查表", ["李明 S3"])
    )
    assert len(_versions(client, bucket, blob.sha256)) == 3
    u = world.users
    fill_appraisal_list(dt.date(2025, 1, 1))
    appraise(
        world.households["李明"],
        [Choice(item, "destroy")],
        appraisers="王芳",
        reason="期满",
        user=u["档案员"],
    )
    batch = destruction.propose([item], title="S3 批", reason="期满", user=u["档案员"])
    destruction.approve(batch, user=u["负责人"])
    destruction.supervise(batch, user=u["监销甲"])
    destruction.supervise(batch, user=u["监销乙"])
    destruction.execute(batch, user=u["档案员"])
    assert _versions(client, bucket, blob.sha256) == []
    listed = client.list_object_versions(Bucket=bucket).get("Versions", [])
    bodies = {
        hashlib.sha256(
            client.get_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])["Body"].read()
        ).hexdigest()
        for v in listed
    }
    assert blob.sha256 not in bodies
    batch.refresh_from_db()
    assert batch.register_sha256 in bodies
    head = client.head_object(Bucket=bucket, Key=blob_name(batch.register_sha256))
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"].year >= dt.date.today().year + 99
