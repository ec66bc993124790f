"""The secrets and certificates a backup carries beside the database and the objects.

* ``audit-keys/``: the operation log's HMAC key files — a restored chain is verified with the
  keys that signed it. A key given by ``HEDANG_AUDIT_KEY`` is configuration and is not copied:
  the restored installation must be given the same variable.
* ``seal/``: the archive's signing key and certificate (``HEDANG_ARCHIVE_KEY`` /
  ``HEDANG_ARCHIVE_CERT``) — the restored archive goes on sealing as the same archive — and the
  trust roots (``HEDANG_TRUST_ROOTS_DIR``) that pushed signatures are validated against.

Every file is written 0600 in a 0700 folder and named with its sha256 in the manifest, so a
restore checks it like any object. Restore never loses a key: a different key or certificate
already in the installation is kept beside the restored one as ``<name>.replaced-<UTC time>``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from pathlib import Path

from django.conf import settings

SEAL_FOLDER = "seal"
TRUST_FOLDER = "trust"


def _write_secret(path: Path, data: bytes) -> str:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return hashlib.sha256(data).hexdigest()


def copy_audit_keys(dest: Path) -> list[str]:
    from archive.audit_keys import file_keys

    folder = dest / "audit-keys"
    folder.mkdir(mode=0o700)
    keys = file_keys()
    for key_id, secret in keys.items():
        _write_secret(folder / key_id, secret)
    return sorted(keys)


def install_audit_keys(src: Path, manifest: dict) -> None:
    from archive.audit_keys import install_key

    for key_id in manifest.get("audit_keys", []):
        install_key(key_id, (src / "audit-keys" / key_id).read_bytes())


def _seal_sources() -> dict[str, Path]:
    return {
        "archive-key.pem": Path(settings.HEDANG_ARCHIVE_KEY),
        "archive-cert.pem": Path(settings.HEDANG_ARCHIVE_CERT),
    }


def copy_seal(dest: Path) -> dict:
    """The archive key/cert and the trust roots into ``dest/seal``; the manifest's ``seal``."""
    folder = dest / SEAL_FOLDER
    folder.mkdir(mode=0o700)
    files: dict[str, str] = {}
    for name, path in _seal_sources().items():
        if path.is_file():
            files[name] = _write_secret(folder / name, path.read_bytes())
    trust = Path(settings.HEDANG_TRUST_ROOTS_DIR)
    roots: dict[str, str] = {}
    if trust.is_dir():
        (folder / TRUST_FOLDER).mkdir(mode=0o700)
        for path in sorted(trust.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                roots[path.name] = _write_secret(
                    folder / TRUST_FOLDER / path.name, path.read_bytes()
                )
    return {"files": files, "trust_roots": roots}


def _safe(name: object) -> bool:
    """A plain file name: no folder, no parent, not hidden (names come from the manifest)."""
    return isinstance(name, str) and bool(name) and Path(name).name == name and name[0] != "."


def check_seal(src: Path, manifest: dict) -> str | None:
    """None when every seal file of the manifest is in the backup with its hash; else why."""
    seal = manifest.get("seal") or {}
    folder = src / SEAL_FOLDER
    wanted = [(folder, n, h) for n, h in seal.get("files", {}).items()]
    wanted += [(folder / TRUST_FOLDER, n, h) for n, h in seal.get("trust_roots", {}).items()]
    for parent, name, sha256 in wanted:
        if not _safe(name):
            return f"备份清单中有不安全的文件名：{name!r}"
        path = parent / name
        if not path.is_file():
            return f"备份中缺少签章文件：{path.relative_to(src)}"
        if hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
            return f"备份中的签章文件与清单哈希不符：{path.relative_to(src)}"
    return None


def _put(source: Path, target: Path, stamp: str) -> str:
    """Install ``source`` at ``target``; 'installed', 'same' or 'replaced' (old one kept)."""
    data = source.read_bytes()
    if target.is_file():
        if target.read_bytes() == data:
            return "same"
        shutil.move(target, target.with_name(f"{target.name}.replaced-{stamp}"))
        outcome = "replaced"
    else:
        outcome = "installed"
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = target.with_name(f".{target.name}.restoring")
    tmp.unlink(missing_ok=True)
    _write_secret(tmp, data)
    os.replace(tmp, target)
    return outcome


def install_seal(src: Path, manifest: dict) -> dict[str, str]:
    """Put the backup's seal key/cert and trust roots in place; what happened to each file."""
    seal = manifest.get("seal") or {}
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    done: dict[str, str] = {}
    targets = _seal_sources()
    for name in seal.get("files", {}):
        if name in targets:
            done[name] = _put(src / SEAL_FOLDER / name, targets[name], stamp)
    trust = Path(settings.HEDANG_TRUST_ROOTS_DIR)
    for name in seal.get("trust_roots", {}):
        done[f"{TRUST_FOLDER}/{name}"] = _put(
            src / SEAL_FOLDER / TRUST_FOLDER / name, trust / name, stamp
        )
    # archive.certificates caches its signer by the files' mtime and size: a new key is seen.
    return done
