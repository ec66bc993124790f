"""The secret keys of the operation log's HMAC chain, kept outside the database.

Without a key the chain is only a checksum: whoever can write the table can delete entries
and re-hash the rest. With HMAC-SHA256 under a key the database never holds, a rewritten
chain no longer verifies.

Where the keys come from, in order:

* ``HEDANG_AUDIT_KEY``: ``"<id>:<secret>"`` or a bare secret (its id is ``env``);
* the files of ``HEDANG_AUDIT_KEY_DIR`` (default ``$HEDANG_DATA_DIR/audit-keys``): one file
  per key, the file name is the key id, the content the secret. The newest id (they sort by
  creation time) signs new entries; every key verifies the entries that name it. When the
  folder is empty a first key is made (mode 0600).

Rotation (``manage.py rotate_audit_key``) adds a key file; old entries keep their key id.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.utils import timezone

ENV_KEY_ID = "env"


class AuditKeyError(RuntimeError):
    """An entry names a key that is not available here."""


def _key_dir() -> Path:
    return Path(settings.HEDANG_AUDIT_KEY_DIR)


def _env_key() -> tuple[str, bytes] | None:
    value = getattr(settings, "HEDANG_AUDIT_KEY", "") or ""
    if not value:
        return None
    key_id, sep, secret = value.partition(":")
    if not sep:
        key_id, secret = ENV_KEY_ID, value
    return key_id[:32], secret.encode()


def file_keys() -> dict[str, bytes]:
    folder = _key_dir()
    if not folder.is_dir():
        return {}
    return {
        p.name: p.read_bytes().strip()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith(".")
    }


def all_keys() -> dict[str, bytes]:
    keys = file_keys()
    env = _env_key()
    if env is not None:
        keys[env[0]] = env[1]
    return keys


def new_key_file() -> str:
    """Create a new key file and return its id; it signs every entry from now on."""
    folder = _key_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    key_id = "k" + timezone.now().strftime("%Y%m%d%H%M%S%f")[:16]
    path = folder / key_id
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32))
    return key_id


def current_key() -> tuple[str, bytes]:
    """(key id, secret) that signs new entries."""
    env = _env_key()
    if env is not None:
        return env
    keys = file_keys()
    if not keys:
        new_key_file()
        keys = file_keys()
    key_id = max(keys)
    return key_id, keys[key_id]


def install_key(key_id: str, secret: bytes) -> bool:
    """Put back a key file taken by a backup (restore); False when that id is already here.

    A restored chain names the keys that signed it; without them it cannot be verified."""
    if not key_id or "/" in key_id or key_id.startswith("."):
        raise AuditKeyError(f"操作日志密钥名无效：{key_id!r}")
    folder = _key_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(folder / key_id, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as fh:
        fh.write(secret)
    return True


def key_for(key_id: str) -> bytes:
    keys = all_keys()
    if key_id not in keys:
        raise AuditKeyError(f"操作日志密钥 {key_id!r} 不可用")
    return keys[key_id]
