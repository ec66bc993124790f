"""Consistent snapshots of the database and putting one back.

SQLite: the online backup API copies the live database page by page under a read lock, so the
copy is one consistent state even while others write. PostgreSQL: ``pg_dump`` (custom format)
reads inside one exported snapshot, which the item count in the manifest reads too, so count
and dump are the same moment.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, connections


class DatabaseBackupError(RuntimeError):
    """The database could not be copied or put back; the message says why (Chinese)."""


@dataclass(frozen=True)
class Snapshot:
    engine: str  # "sqlite" | "postgresql"
    file: str  # name of the dump inside the backup folder
    items: int


def vendor() -> str:
    return connection.vendor


def snapshot(folder: Path) -> Snapshot:
    """Write a consistent copy of the database into ``folder``."""
    if connection.vendor == "sqlite":
        return _sqlite_snapshot(folder)
    if connection.vendor == "postgresql":
        return _postgres_snapshot(folder)
    raise DatabaseBackupError(f"不支持的数据库：{connection.vendor}")


def _sqlite_snapshot(folder: Path) -> Snapshot:
    target = folder / "database.sqlite3"
    connection.ensure_connection()
    dest = sqlite3.connect(target)
    try:
        connection.connection.backup(dest)
        # The copy is a plain rollback-journal file: one self-contained file in the backup.
        dest.execute("PRAGMA journal_mode=DELETE")
        (items,) = dest.execute("SELECT count(*) FROM archive_item").fetchone()
    finally:
        dest.close()
    return Snapshot("sqlite", target.name, int(items))


def _pg_env_args(db: dict) -> tuple[dict, list[str]]:
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return env, args


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise DatabaseBackupError(f"找不到 {name}：请安装 postgresql-client")
    return path


def _postgres_snapshot(folder: Path) -> Snapshot:
    target = folder / "database.pgdump"
    db = connections["default"].settings_dict
    env, args = _pg_env_args(db)
    # A connection of our own holds the exported snapshot open while pg_dump reads it.
    conn = connections.create_connection("default")
    try:
        conn.ensure_connection()
        # Autocommit connection: the explicit BEGIN is the only transaction.
        with conn.connection.cursor() as cur:
            cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cur.execute("SELECT pg_export_snapshot()")
            (snapshot_id,) = cur.fetchone()
            cur.execute("SELECT count(*) FROM archive_item")
            (items,) = cur.fetchone()
            proc = subprocess.run(
                [_tool("pg_dump"), *args, "-Fc", "--no-owner", "--no-privileges"]
                + [f"--snapshot={snapshot_id}", "-f", str(target), "-d", str(db["NAME"])],
                env=env,
                capture_output=True,
                text=True,
            )
            cur.execute("ROLLBACK")
    finally:
        conn.close()
    if proc.returncode != 0:
        raise DatabaseBackupError(f"pg_dump 失败：{proc.stderr.strip()[:500]}")
    return Snapshot("postgresql", target.name, int(items))


def restore(folder: Path, snap: Snapshot) -> None:
    """Replace the (empty) database with the snapshot. Callers check emptiness first."""
    if snap.engine != vendor():
        raise DatabaseBackupError(
            f"备份来自 {snap.engine} 数据库，本安装使用 {vendor()}：请在同类数据库上恢复"
        )
    source = folder / snap.file
    connections.close_all()
    if snap.engine == "sqlite":
        target = connections["default"].settings_dict["NAME"]
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dest = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dest)
            dest.execute("PRAGMA journal_mode=WAL")
        finally:
            src.close()
            dest.close()
        return
    db = connections["default"].settings_dict
    with connection.cursor() as cur:
        # The installation is empty (checked): its freshly migrated tables go, the dump's
        # tables, data and extensions come back in one transaction.
        cur.execute("DROP SCHEMA public CASCADE")
        cur.execute("CREATE SCHEMA public")
    connections.close_all()
    env, args = _pg_env_args(db)
    proc = subprocess.run(
        [_tool("pg_restore"), *args, "--no-owner", "--no-privileges", "--single-transaction"]
        + ["--exit-on-error", "-d", str(db["NAME"]), str(source)],
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise DatabaseBackupError(f"pg_restore 失败：{proc.stderr.strip()[:500]}")
