"""Anchors of the operation log: the chain head, signed, written outside the database.

The HMAC key (archive/audit_keys.py) stops a forger who only has the database; an anchor
stops one who also has the key and rewrites the whole chain, or who drops its newest
entries: every ``HEDANG_AUDIT_ANCHOR_SECONDS`` (Celery beat, ``archive.tasks``) or on
``manage.py anchor_audit`` the newest entry's id and hash are signed with the archive's
certificate (a detached CMS signature, pyHanko) and written once:

* local storage: ``HEDANG_AUDIT_ANCHOR_DIR``, created exclusively and made read-only;
* ``HEDANG_STORAGE=s3``: the archive bucket under ``audit-anchors/`` with S3 Object Lock
  (COMPLIANCE, ``HEDANG_AUDIT_ANCHOR_RETAIN_DAYS``), so not even the account can delete it.

``verify_chain`` then requires every anchored entry to be present with the anchored hash.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import cms
from django.conf import settings
from django.utils import timezone

from archive.models import AuditEntry, AuditHead


class AnchorError(RuntimeError):
    """An anchor is unreadable or its signature does not verify."""


@dataclass(frozen=True)
class Anchor:
    name: str
    entry_id: int
    entry_hash: str
    entries: int


def _sign(data: bytes) -> bytes:
    from archive.certificates import archive_signer

    signer = archive_signer()
    content = asyncio.run(signer.async_sign_general_data(data, "sha256", detached=True))
    return content.dump()


def _verify(data: bytes, signature: bytes) -> bool:
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity

    from archive.certificates import archive_certificate

    try:
        signed = cms.ContentInfo.load(signature)["content"]
        signer_info = signed["signer_infos"][0]
        intact, valid = validate_sig_integrity(
            signer_info, archive_certificate(), "data", hashlib.sha256(data).digest()
        )
    except Exception:  # noqa: BLE001 - any parse failure is a bad anchor
        return False
    return bool(intact and valid)


def _s3() -> bool:
    return getattr(settings, "HEDANG_STORAGE", "local") == "s3"


def _s3_client_and_bucket():
    import boto3

    options = settings.STORAGES["archive"]["OPTIONS"]
    client = boto3.client(
        "s3",
        endpoint_url=options.get("endpoint_url"),
        aws_access_key_id=options.get("access_key"),
        aws_secret_access_key=options.get("secret_key"),
        region_name=options.get("region_name"),
    )
    return client, options["bucket_name"]


def database_id() -> str:
    """Which database an anchor belongs to (a test database never meets a live one's)."""
    from django.db import connection

    return f"{connection.vendor}-{Path(str(connection.settings_dict['NAME'])).name}"


def _folder() -> Path:
    """One folder (S3: prefix) per database, so a test run never reads a live one's."""
    return Path(settings.HEDANG_AUDIT_ANCHOR_DIR) / database_id()


def _prefix() -> str:
    return f"{settings.HEDANG_AUDIT_ANCHOR_PREFIX}{database_id()}/"


def anchor_now() -> Anchor | None:
    """Sign and write the current chain head; None when the log is still empty."""
    head = AuditHead.objects.filter(pk=1).first()
    if head is None or head.last_id is None:
        return None
    entries = AuditEntry.objects.filter(pk__lte=head.last_id).count()
    body = {
        "entry_id": head.last_id,
        "entry_hash": head.last_hash,
        "entries": entries,
        "anchored_at": timezone.now().isoformat(),
        "database": database_id(),
    }
    data = json.dumps(body, sort_keys=True).encode()
    signature = _sign(data)
    name = f"anchor-{timezone.now():%Y%m%dT%H%M%S%f}-{head.last_id}"
    if _s3():
        client, bucket = _s3_client_and_bucket()
        until = timezone.now() + dt.timedelta(days=settings.HEDANG_AUDIT_ANCHOR_RETAIN_DAYS)
        for suffix, payload in ((".json", data), (".p7s", signature)):
            client.put_object(
                Bucket=bucket,
                Key=f"{_prefix()}{name}{suffix}",
                Body=payload,
                ObjectLockMode="COMPLIANCE",
                ObjectLockRetainUntilDate=until,
            )
    else:
        folder = _folder()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        for suffix, payload in ((".json", data), (".p7s", signature)):
            path = folder / f"{name}{suffix}"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
    return Anchor(name, head.last_id, head.last_hash, entries)


def _stored() -> list[tuple[str, bytes, bytes | None]]:
    """(name, json, signature) of every anchor written."""
    out = []
    if _s3():
        client, bucket = _s3_client_and_bucket()
        prefix = _prefix()
        keys = []
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            keys += [o["Key"] for o in page.get("Contents", [])]
        for key in sorted(k for k in keys if k.endswith(".json")):
            data = client.get_object(Bucket=bucket, Key=key)["Body"].read()
            sig_key = key[: -len(".json")] + ".p7s"
            try:
                sig = client.get_object(Bucket=bucket, Key=sig_key)["Body"].read()
            except client.exceptions.NoSuchKey:
                sig = None
            out.append((key[len(prefix) : -len(".json")], data, sig))
        return out
    folder = _folder()
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("anchor-*.json")):
        sig_path = path.with_suffix(".p7s")
        sig = sig_path.read_bytes() if sig_path.exists() else None
        out.append((path.stem, path.read_bytes(), sig))
    return out


def anchors() -> list[Anchor]:
    """Every anchor, each with its signature verified; AnchorError on the first bad one."""
    result = []
    here = database_id()
    for name, data, sig in _stored():
        if sig is None or not _verify(data, sig):
            raise AnchorError(f"锚定记录 {name} 的签名无效或缺失")
        body = json.loads(data)
        if body.get("database") != here:
            raise AnchorError(f"锚定记录 {name} 属于另一个数据库（{body.get('database')}）")
        result.append(Anchor(name, int(body["entry_id"]), body["entry_hash"], body["entries"]))
    return result


def anchored_points() -> dict[int, str]:
    return {a.entry_id: a.entry_hash for a in anchors()}
