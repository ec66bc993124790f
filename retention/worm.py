"""WORM on S3: originals locked (Object Lock, COMPLIANCE mode) until their item's due date.

Applied when an item is filed (its due date is known from then on) and extended when an
appraisal keeps an item longer. Only on S3, and only when the bucket has Object Lock enabled
(it can only be switched on when the bucket is created); on local files nothing happens.

moto_server, used by the tests, does not emulate all of it: GetObjectRetention answers 500
(HeadObject carries the retain-until date and is what we read), and a COMPLIANCE retention
can be shortened there, which AWS refuses.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import cache

from django.db.models.signals import post_save

from archive.models import File, Item
from archive.storage import archive_storage, blob_name

log = logging.getLogger(__name__)


def _s3():
    storage = archive_storage()
    connection = getattr(storage, "connection", None)
    if connection is None:
        return None
    return storage, connection.meta.client


@cache
def _lock_enabled(endpoint: str, bucket: str) -> bool:
    storage, client = _s3()
    try:
        conf = client.get_object_lock_configuration(Bucket=bucket)
    except Exception:  # no configuration: the bucket was made without Object Lock
        conf = {}
    enabled = conf.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled") == "Enabled"
    if not enabled:  # logged once per bucket (cached): originals stay deletable there
        log.warning("retention: bucket %s has no Object Lock; originals are not WORM", bucket)
    return enabled


def lock_blob(sha256: str, until: dt.date) -> bool:
    """Lock the blob's current version until the start of ``until`` (never shortened)."""
    found = _s3()
    if found is None:
        return False
    storage, client = found
    if not _lock_enabled(client.meta.endpoint_url, storage.bucket_name):
        return False
    when = dt.datetime.combine(until, dt.time.min, tzinfo=dt.UTC)
    if when <= dt.datetime.now(dt.UTC):
        return False
    name = blob_name(sha256)
    key = f"{storage.location.strip('/')}/{name}" if storage.location else name
    head = client.head_object(Bucket=storage.bucket_name, Key=key)
    current = head.get("ObjectLockRetainUntilDate")
    if current is not None and current >= when:
        return True
    client.put_object_retention(
        Bucket=storage.bucket_name,
        Key=key,
        Retention={"Mode": "COMPLIANCE", "RetainUntilDate": when},
    )
    return True


def lock_item(item: Item, until: dt.date | None = None) -> int:
    """Lock the item's originals until its due date; returns how many were locked."""
    from retention.timer import due_date

    if _s3() is None or item.status != Item.Status.FILED:
        return 0
    until = until or due_date(item)
    if until is None:
        return 0
    shas = set(item.files.filter(role=File.Role.ORIGINAL).values_list("sha256", flat=True))
    return sum(lock_blob(sha, until) for sha in shas)


def extend_item_lock(item: Item, until: dt.date) -> int:
    return lock_item(item, until)


def _safely(item: Item) -> None:
    # A lock that cannot be set must not undo the filing that already happened: it is logged
    # as an alarm (the operation log shows it) for the administrator to repeat.
    try:
        lock_item(item)
    except Exception as exc:
        log.exception("retention: could not lock the originals of item %s", item.pk)
        from archive import audit

        audit.record(audit.Action.ALARM, item, detail={"worm_lock_failed": str(exc)[:300]})


def _item_saved(sender, instance: Item, raw=False, **kwargs) -> None:
    if not raw and instance.retention_start is not None and _s3() is not None:
        _safely(instance)


def _file_saved(sender, instance: File, created=False, raw=False, **kwargs) -> None:
    if not raw and created and instance.role == File.Role.ORIGINAL and _s3() is not None:
        _safely(instance.item)


def connect() -> None:
    post_save.connect(_item_saved, sender=Item, dispatch_uid="retention-worm-item")
    post_save.connect(_file_saved, sender=File, dispatch_uid="retention-worm-file")
