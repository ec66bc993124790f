"""Content-addressed, write-once storage of archived bytes.

Originals are stored once under their sha256 and never modified; every write is read back
and its hash checked before the caller may refer to it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import BinaryIO

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages

CHUNK = 1024 * 1024


class StorageIntegrityError(RuntimeError):
    """What was read back from storage is not what was written."""


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


def store_bytes(data: bytes) -> StoredBlob:
    """Store ``data`` unless an intact copy is already there; verify it either way."""
    sha256 = hashlib.sha256(data).hexdigest()
    name = blob_name(sha256)
    storage = archive_storage()
    if storage.exists(name):
        # Write-once: an existing copy is never replaced, so a damaged one is an alarm.
        if not _intact(storage, name, sha256):
            raise StorageIntegrityError(f"已存副本与哈希不符：{name}")
        return StoredBlob(sha256=sha256, size=len(data), name=name)
    saved = storage.save(name, ContentFile(data))
    if saved != name:
        raise StorageIntegrityError(f"存储改写了文件名：{name} → {saved}")
    if not _intact(storage, name, sha256):
        raise StorageIntegrityError(f"写入后读回校验失败：{name}")
    return StoredBlob(sha256=sha256, size=len(data), name=name)


def open_blob(sha256: str) -> BinaryIO:
    return archive_storage().open(blob_name(sha256), "rb")


def read_blob(sha256: str, *, verify: bool = True) -> bytes:
    with open_blob(sha256) as fh:
        data = fh.read()
    if verify and hashlib.sha256(data).hexdigest() != sha256:
        raise StorageIntegrityError(f"文件内容与哈希不符：{sha256}")
    return data


def _intact(storage: Storage, name: str, sha256: str) -> bool:
    with storage.open(name, "rb") as fh:
        return sha256_of(fh)[0] == sha256
