"""Every stored object of the archive storage, listed, copied out and put back.

Local files (``FileSystemStorage``) are walked on disk. On S3 the bucket's object versions
are listed and, for each key, the version current at the snapshot time is copied, so an
object written after the database snapshot is not taken and one replaced after it is taken
as it was. Buckets without versioning answer with their "null" versions, read the same way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.core.files import File
from django.core.files.storage import Storage

from archive.storage import CHUNK, archive_storage

BLOB_NAME = re.compile(r"^blobs/[0-9a-f]{2}/[0-9a-f]{2}/([0-9a-f]{64})$")


class ObjectError(RuntimeError):
    """An object could not be copied, put back or verified (Chinese message)."""


@dataclass(frozen=True)
class StoredObject:
    name: str  # relative to the storage's root, '/'-separated
    version: str | None = None  # S3 version id as of the snapshot


def is_s3(storage: Storage) -> bool:
    return hasattr(storage, "bucket_name") and hasattr(storage, "connection")


def s3_client(storage):
    return storage.connection.meta.client


def _s3_prefix(storage) -> str:
    location = (getattr(storage, "location", "") or "").strip("/")
    return f"{location}/" if location else ""


def list_objects(as_of: dt.datetime | None = None) -> list[StoredObject]:
    """Every object in the archive storage (on S3: the versions current at ``as_of``)."""
    storage = archive_storage()
    if is_s3(storage):
        return sorted(_s3_objects(storage, as_of), key=lambda o: o.name)
    root = Path(storage.location)
    found = []
    for dirpath, _dirs, files in os.walk(root):
        for filename in files:
            rel = (Path(dirpath) / filename).relative_to(root).as_posix()
            found.append(StoredObject(rel))
    return sorted(found, key=lambda o: o.name)


def _s3_objects(storage, as_of: dt.datetime | None) -> Iterator[StoredObject]:
    client = s3_client(storage)
    prefix = _s3_prefix(storage)
    latest: dict[str, tuple[dt.datetime, str | None, bool]] = {}
    paginator = client.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=storage.bucket_name, Prefix=prefix):
        events = [(v, False) for v in page.get("Versions", [])]
        events += [(m, True) for m in page.get("DeleteMarkers", [])]
        for event, deleted in events:
            when = event["LastModified"]
            if as_of is not None and when > as_of:
                continue
            key = event["Key"]
            if key not in latest or when >= latest[key][0]:
                latest[key] = (when, event.get("VersionId"), deleted)
    for key, (_when, version, deleted) in latest.items():
        if not deleted and not key.endswith("/"):
            yield StoredObject(key[len(prefix) :], None if version in (None, "null") else version)


def has_objects() -> bool:
    storage = archive_storage()
    if is_s3(storage):
        reply = s3_client(storage).list_objects_v2(
            Bucket=storage.bucket_name, Prefix=_s3_prefix(storage), MaxKeys=1
        )
        return bool(reply.get("KeyCount"))
    root = Path(storage.location)
    return root.exists() and any(f for _d, _s, files in os.walk(root) for f in files)


def copy_out(obj: StoredObject, target: Path) -> tuple[str, int]:
    """Copy one object to ``target``; returns its (sha256, size) as read."""
    storage = archive_storage()
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    if is_s3(storage) and obj.version:
        body = s3_client(storage).get_object(
            Bucket=storage.bucket_name, Key=_s3_prefix(storage) + obj.name, VersionId=obj.version
        )["Body"]
        source = body
    else:
        source = storage.open(obj.name, "rb")
    with source, target.open("wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def expected_sha256(name: str) -> str | None:
    """Content-addressed blobs carry their hash in their name (archive.storage.blob_name)."""
    match = BLOB_NAME.match(name)
    return match.group(1) if match else None


def safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def put_back(name: str, source: Path) -> None:
    storage = archive_storage()
    with source.open("rb") as fh:
        saved = storage.save(name, File(fh, name=PurePosixPath(name).name))
    if saved != name:
        raise ObjectError(f"对象已存在，未覆盖：{name}")


def stored_sha256(name: str) -> str:
    digest = hashlib.sha256()
    with archive_storage().open(name, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
