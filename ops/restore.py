"""``manage.py restore SRC``: a backup into an empty installation.

Order: read the manifest and check every file of the backup against it (a damaged or
incomplete backup is refused before anything is touched); refuse an installation that holds
any household, item, file or stored object; put the database back and bring it to the code's
migrations; put every object back and read each one back to check its hash; rebuild the
search index (search's public ``reindex``); re-check the operation log's chain; log the
restore as its newest entry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.core.management import call_command
from django.db import DatabaseError

from archive import audit
from archive.audit import verify_chain
from archive.models import AuditEntry, File, Household, Item
from ops import database, keys, objects
from ops.backup import FORMAT, MANIFEST


class RestoreError(RuntimeError):
    """The restore was refused or failed; the message says why (Chinese)."""


class RestoreRefused(RestoreError):
    """Not attempted: the installation is not empty or the backup is for another database."""


@dataclass
class RestoreReport:
    items: int
    objects: int
    verified: bool
    audit_intact: bool
    mismatched: list[str]
    seal: dict[str, str]

    def as_dict(self) -> dict:
        return {
            "items": self.items,
            "objects": self.objects,
            "verified": self.verified,
            "audit_intact": self.audit_intact,
            "mismatched": self.mismatched,
            "seal": self.seal,
        }


def read_manifest(src: Path) -> dict:
    path = src / MANIFEST
    if not path.is_file():
        raise RestoreError(f"{src} 不是完整的备份：缺少 {MANIFEST}")
    try:
        manifest = json.loads(path.read_text())
    except ValueError as exc:
        raise RestoreError(f"备份清单无法读取：{exc}") from exc
    if manifest.get("format") != FORMAT:
        raise RestoreError(f"不认识的备份格式：{manifest.get('format')!r}")
    return manifest


def check_backup(src: Path, manifest: dict) -> None:
    """Every file the manifest names is there with its hash; names stay inside the backup."""
    db = manifest["database"]
    if objects.file_sha256(src / db["file"]) != db["sha256"]:
        raise RestoreError(f"备份中的数据库文件与清单哈希不符：{db['file']}")
    for entry in manifest["objects"]:
        name = entry["name"]
        if not objects.safe_name(name):
            raise RestoreError(f"备份清单中有不安全的对象名：{name!r}")
        path = src / "objects" / name
        if not path.is_file():
            raise RestoreError(f"备份中缺少对象：{name}")
        if objects.file_sha256(path) != entry["sha256"]:
            raise RestoreError(f"备份中的对象与清单哈希不符：{name}")
    if reason := keys.check_seal(src, manifest):
        raise RestoreError(reason)


def installation_empty() -> str | None:
    """None when empty; else what is in the way (Chinese)."""
    try:
        for model, label in ((Household, "户"), (Item, "件"), (File, "文件")):
            if model.objects.exists():
                return f"数据库中已有{label}"
    except DatabaseError:
        pass  # not migrated yet: nothing in it
    if objects.has_objects():
        return "存储中已有对象"
    return None


def restore_backup(src: Path) -> RestoreReport:
    src = src.resolve()
    if not src.is_dir():
        raise RestoreError(f"备份文件夹不存在：{src}")
    manifest = read_manifest(src)
    check_backup(src, manifest)
    if reason := installation_empty():
        raise RestoreRefused(f"只能恢复到空的安装中：{reason}。未做任何改动。")
    snap = database.Snapshot(
        manifest["database"]["engine"], manifest["database"]["file"], manifest["items"]
    )
    if snap.engine != database.vendor():
        raise RestoreRefused(
            f"备份来自 {snap.engine} 数据库，本安装使用 {database.vendor()}。未做任何改动。"
        )
    database.restore(src, snap)
    keys.install_audit_keys(src, manifest)
    seal = keys.install_seal(src, manifest)
    call_command("migrate", verbosity=0, interactive=False)
    mismatched = []
    for entry in manifest["objects"]:
        objects.put_back(entry["name"], src / "objects" / entry["name"])
    for entry in manifest["objects"]:
        if objects.stored_sha256(entry["name"]) != entry["sha256"]:
            mismatched.append(entry["name"])
    from search import reindex  # search's public face: the index follows the restored rows

    reindex()
    chain = verify_chain()
    items = Item.objects.count()
    report = RestoreReport(
        items=items,
        objects=len(manifest["objects"]),
        verified=not mismatched and chain.intact and items == manifest["items"],
        audit_intact=chain.intact,
        mismatched=mismatched,
        seal=seal,
    )
    audit.record(
        AuditEntry.Action.RESTORE,
        object_type="ops.Backup",
        object_id=src.name,
        object_repr=f"从 {src} 恢复",
        detail={**report.as_dict(), "backup_created": manifest.get("created")},
    )
    return report
