"""``manage.py backup DEST``: a consistent snapshot of the database and every stored object.

The folder holds ``database.sqlite3`` (SQLite) or ``database.pgdump`` (PostgreSQL, pg_dump's
custom format), ``objects/<name>`` for every stored object, and ``manifest.json`` with the
sha256 of each file. The manifest is written last: a folder without one is an unfinished
backup and restore refuses it. The database is copied first and the objects as of that moment
after it: stored objects are write-once and written before the rows naming them commit, so
every object the snapshot refers to is there.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from archive import audit
from archive.models import AuditEntry
from ops import database, keys, objects

FORMAT = 1
MANIFEST = "manifest.json"
SCHEDULED_NAME = re.compile(r"^hedang-\d{8}T\d{6}Z$")


class BackupError(RuntimeError):
    """The backup could not be made; nothing usable was left in DEST (Chinese message)."""


@dataclass
class BackupReport:
    path: str
    items: int
    objects: int
    bytes: int
    damaged: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "items": self.items,
            "objects": self.objects,
            "bytes": self.bytes,
            "damaged": self.damaged,
        }


def _prepare(dest: Path) -> None:
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"备份目标必须是不存在或为空的文件夹：{dest}")
    dest.mkdir(parents=True, exist_ok=True)


def create_backup(dest: Path) -> BackupReport:
    """Snapshot into ``dest`` (missing or empty). A damaged stored object (its bytes no longer
    match the hash in its name) is still copied, and named in ``damaged``."""
    dest = dest.resolve()
    _prepare(dest)
    try:
        return _create(dest)
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise


def _create(dest: Path) -> BackupReport:
    started = timezone.now()
    snap = database.snapshot(dest)
    as_of = timezone.now()
    entries, damaged, total = [], [], 0
    for obj in objects.list_objects(as_of):
        sha256, size = objects.copy_out(obj, dest / "objects" / obj.name)
        expected = objects.expected_sha256(obj.name)
        if expected and expected != sha256:
            damaged.append(obj.name)
        entry = {"name": obj.name, "sha256": sha256, "size": size}
        if obj.version:
            entry["version"] = obj.version
        entries.append(entry)
        total += size
    audit_keys = keys.copy_audit_keys(dest)
    seal = keys.copy_seal(dest)
    db_path = dest / snap.file
    manifest = {
        "format": FORMAT,
        "created": started.isoformat(),
        "objects_as_of": as_of.isoformat(),
        "database": {
            "engine": snap.engine,
            "file": snap.file,
            "sha256": objects.file_sha256(db_path),
            "size": db_path.stat().st_size,
        },
        "items": snap.items,
        "storage": "s3" if objects.is_s3(objects.archive_storage()) else "local",
        "objects": entries,
        "damaged": damaged,
        "audit_keys": audit_keys,
        "seal": seal,
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    report = BackupReport(
        path=str(dest),
        items=snap.items,
        objects=len(entries),
        bytes=total + db_path.stat().st_size,
        damaged=damaged,
    )
    audit.record(
        AuditEntry.Action.BACKUP,
        object_type="ops.Backup",
        object_id=dest.name,
        object_repr=f"备份 {dest}",
        detail={**report.as_dict(), "manifest_sha256": objects.file_sha256(dest / MANIFEST)},
    )
    return report


def backup_dir() -> Path:
    return Path(settings.HEDANG_BACKUP_DIR)


def scheduled_backup(now: dt.datetime | None = None) -> tuple[BackupReport, list[str]]:
    """One backup under HEDANG_BACKUP_DIR named by its UTC time, then old ones pruned."""
    now = now or timezone.now()
    name = "hedang-" + now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    report = create_backup(backup_dir() / name)
    return report, prune(backup_dir(), settings.HEDANG_BACKUP_KEEP)


def prune(folder: Path, keep: int) -> list[str]:
    """Remove all but the ``keep`` newest complete scheduled backups (never the only one,
    never a folder this module did not name, never an unfinished one being written)."""
    keep = max(1, int(keep))
    if not folder.is_dir():
        return []
    complete = sorted(
        p
        for p in folder.iterdir()
        if p.is_dir() and SCHEDULED_NAME.match(p.name) and (p / MANIFEST).is_file()
    )
    removed = []
    for old in complete[:-keep]:
        shutil.rmtree(old)
        removed.append(old.name)
    return removed
