"""Content-addressed, write-once storage of archived bytes.

Originals are stored once under their sha256 and never modified; every write is read back
and its hash checked before the caller may refer to it.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import time
from dataclasses import dataclass
from typing import BinaryIO

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages

CHUNK = 1024 * 1024
log = logging.getLogger(__name__)


class StorageIntegrityError(RuntimeError):
    """What was read back from storage is not what was written."""


class BlobLocked(RuntimeError):
    """The blob is under an S3 Object Lock (retention or legal hold): it cannot be deleted."""


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    name: str


def archive_storage() -> Storage:
    return storages["archive"]


def blob_name(sha256: str) -> str:
    return f"blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def sha256_of(stream: BinaryIO) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


# How long a shorter-than-expected existing copy may stay unchanged before it counts as
# damaged rather than still being written by a concurrent writer (local files appear at
# their final name while they are written; S3 objects appear whole).
SETTLE_SECONDS = 2.0
WAIT_LIMIT_SECONDS = 60.0


def store_bytes(data: bytes) -> StoredBlob:
    """Store ``data`` unless an intact copy is already there; verify it either way.

    Safe against concurrent writers of the same bytes: whoever loses the race drops its
    extra copy and verifies the winner's, which it may see while it is still being written.
    """
    sha256 = hashlib.sha256(data).hexdigest()
    name = blob_name(sha256)
    blob = StoredBlob(sha256=sha256, size=len(data), name=name)
    storage = archive_storage()
    if not storage.exists(name):
        saved = storage.save(name, ContentFile(data))
        if saved == name:
            if not _intact(storage, name, sha256):
                raise StorageIntegrityError(f"写入后读回校验失败：{name}")
            return blob
        # Another writer created the blob between exists() and save(), and the storage
        # saved ours under a free name: drop that copy, check theirs below.
        storage.delete(saved)
    # Write-once: an existing copy is never replaced, so a damaged one is an alarm.
    _check_existing(storage, name, sha256, len(data))
    return blob


class BlobDamaged(StorageIntegrityError, OSError):
    """A stored blob no longer has its sha256: it is never served (and the log alarms).
    An OSError too, so every view that answers a missing file also refuses a damaged one."""


# Verified copies up to this size stay in memory; larger ones spill to a temporary file.
SPOOL_BYTES = 16 * 1024 * 1024


def open_blob(sha256: str, *, verify: bool = True) -> BinaryIO:
    """The blob's bytes as a stream, checked against ``sha256`` before the first byte is
    handed out: a copy whose hash fails raises :class:`BlobDamaged` after an ``alarm`` entry
    in the operation log."""
    stream = archive_storage().open(blob_name(sha256), "rb")
    if not verify:
        return stream
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    digest = hashlib.sha256()
    with stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            spool.write(chunk)
    if digest.hexdigest() != sha256:
        spool.close()
        _alarm_damaged(sha256)
        raise BlobDamaged(f"文件内容与哈希不符：{sha256}")
    spool.seek(0)
    return spool


def _alarm_damaged(sha256: str) -> None:
    """An ``alarm`` entry in the operation log; the refusal stands even if logging fails."""
    from archive import audit

    log.error("stored blob fails its sha256, refused: %s", blob_name(sha256))
    try:
        _record_alarm(audit, sha256)
    except Exception:  # noqa: BLE001 - no database here (a command, a test): logged above
        log.exception("could not write the alarm entry for %s", sha256)


def _record_alarm(audit, sha256: str) -> None:
    audit.record(
        audit.Action.ALARM,
        object_type="archive.File",
        object_id=sha256[:80],
        object_repr="存储的文件内容与其 SHA-256 不符，已拒绝提供",
        detail={"reason": "sha256_mismatch", "blob": blob_name(sha256)},
    )


def read_blob(sha256: str, *, verify: bool = True) -> bytes:
    with open_blob(sha256, verify=verify) as fh:
        return fh.read()


def _intact(storage: Storage, name: str, sha256: str) -> bool:
    with storage.open(name, "rb") as fh:
        return sha256_of(fh)[0] == sha256


def _check_existing(storage: Storage, name: str, sha256: str, size: int) -> None:
    """Raise unless the existing copy is intact. A copy shorter than ``size`` may still be
    growing under a concurrent writer: wait while it changes, alarm once it has settled."""
    deadline = time.monotonic() + WAIT_LIMIT_SECONDS
    last_size, settled_since = -1, time.monotonic()
    while True:
        current = storage.size(name)  # before reading: a copy being written only grows
        if _intact(storage, name, sha256):
            return
        now = time.monotonic()
        if current >= size or now >= deadline:
            raise StorageIntegrityError(f"已存副本与哈希不符：{name}")
        if current != last_size:
            last_size, settled_since = current, now
        elif now - settled_since >= SETTLE_SECONDS:
            raise StorageIntegrityError(f"已存副本与哈希不符：{name}")
        time.sleep(0.05)


def destroy_blob(sha256: str) -> int:
    """Delete every stored copy of a blob (on S3 every object version and delete marker).

    The one exception to write-once storage, used only by an executed destruction batch
    (retention). Refuses with :class:`BlobLocked`, deleting nothing, while any version is
    under Object Lock; S3 itself refuses too. Returns the number of objects removed.
    """
    storage = archive_storage()
    name = blob_name(sha256)
    connection = getattr(storage, "connection", None)
    if connection is None:  # a file system: one file, no versions
        if not storage.exists(name):
            return 0
        storage.delete(name)
        return 1
    client = connection.meta.client
    bucket = storage.bucket_name
    key = f"{storage.location.strip('/')}/{name}" if storage.location else name
    versions = []
    for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=key):
        versions += [v for v in page.get("Versions", []) if v["Key"] == key]
        versions += [m for m in page.get("DeleteMarkers", []) if m["Key"] == key]
    now = time.time()
    for version in versions:
        if "ETag" not in version:
            continue  # a delete marker carries no lock
        head = client.head_object(Bucket=bucket, Key=key, VersionId=version["VersionId"])
        until = head.get("ObjectLockRetainUntilDate")
        if head.get("ObjectLockLegalHoldStatus") == "ON" or (until and until.timestamp() > now):
            raise BlobLocked(f"对象处于保留锁定期内，不能删除：{name}（至 {until}）")
    from botocore.exceptions import ClientError

    for version in versions:
        try:
            client.delete_object(Bucket=bucket, Key=key, VersionId=version["VersionId"])
        except ClientError as exc:
            raise BlobLocked(f"存储拒绝删除对象：{name}（{exc}）") from exc
    return len(versions)
