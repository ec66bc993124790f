"""Restore drills: a seeded installation is backed up and restored into an empty one.

SQLite + local files always; PostgreSQL + S3 (moto_server, versioned bucket) under
``make test-postgres`` (DATABASE_URL=postgres://…).
"""

from __future__ import annotations

import json
import shutil

import pytest

from tests.production.conftest import pg_url

pytestmark = pytest.mark.slow

CHECK_FILES = (
    "import hashlib, json\n"
    "from archive.models import File\n"
    "from archive.storage import read_blob\n"
    "bad = [f.sha256 for f in File.objects.all()"
    " if hashlib.sha256(read_blob(f.sha256, verify=False)).hexdigest() != f.sha256]\n"
    "print(json.dumps({'files': File.objects.count(), 'bad': bad}))"
)


def _seed(inst) -> None:
    inst.manage("migrate", "-v0")
    inst.manage("load_regions")
    inst.manage("seed_demo")


def _search(inst) -> list[str]:
    return [h["archive_number"] for h in inst.json("search", "张伟")["hits"]]


def _drill(source, target, tmp_path) -> None:
    _seed(source)
    source.manage("create_archive_certificate")
    trust = source.data_dir / "trust"  # HEDANG_TRUST_ROOTS_DIR's default
    trust.mkdir(exist_ok=True)
    (trust / "platform-ca.pem").write_bytes(
        b"-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n"
    )
    before = _search(source)
    backup = source.json("backup", str(tmp_path / "backup"))
    assert backup["items"] > 0 and backup["objects"] > 0 and backup["bytes"] > 0
    assert backup["damaged"] == []
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert len(manifest["objects"]) == backup["objects"]

    assert set(manifest["seal"]["files"]) == {"archive-key.pem", "archive-cert.pem"}
    assert list(manifest["seal"]["trust_roots"]) == ["platform-ca.pem"]
    key_mode = (tmp_path / "backup" / "seal" / "archive-key.pem").stat().st_mode & 0o777
    assert key_mode == 0o600

    target.manage("migrate", "-v0")
    target.manage("load_regions")  # set-up done, nothing archived: still "empty"
    # The target made a certificate of its own before the restore: it is kept, not lost.
    target.manage("create_archive_certificate")
    own_cert = (target.data_dir / "keys" / "archive-cert.pem").read_bytes()
    restored = target.json("restore", str(tmp_path / "backup"))
    seal = restored.pop("seal")
    assert restored == {
        "items": backup["items"],
        "objects": backup["objects"],
        "verified": True,
        "audit_intact": True,
        "mismatched": [],
    }
    # The restored archive seals with the source's key and trusts the same roots.
    assert seal == {
        "archive-key.pem": "replaced",
        "archive-cert.pem": "replaced",
        "trust/platform-ca.pem": "installed",
    }
    keys = target.data_dir / "keys"
    for name in ("archive-key.pem", "archive-cert.pem"):
        assert (keys / name).read_bytes() == (source.data_dir / "keys" / name).read_bytes()
    assert [p.read_bytes() for p in keys.glob("archive-cert.pem.replaced-*")] == [own_cert]
    assert (target.data_dir / "trust" / "platform-ca.pem").is_file()
    assert target.json("verify_audit")["intact"] is True
    files = json.loads(target.shell(CHECK_FILES).strip().splitlines()[-1])
    assert files["files"] > 0 and files["bad"] == []
    assert _search(target) == before  # the index was rebuilt by restore itself
    actions = target.shell(
        "from archive.models import AuditEntry as A;"
        "print(list(A.objects.filter(action__in=['backup','restore'])"
        ".values_list('action', flat=True)))"
    )
    assert "'restore'" in actions  # the restore is the newest entry of the restored log
    assert "'backup'" in source.shell(
        "from archive.models import AuditEntry as A;"
        "print(list(A.objects.filter(action='backup').values_list('action', flat=True)))"
    )

    # A second restore into the now non-empty installation is refused, nothing changed.
    again = target.manage("restore", str(tmp_path / "backup"), "--json", check=False)
    assert again.returncode == 2 and "只能恢复到空的安装中" in again.stderr
    assert target.json("verify_audit")["entries"] == target.json("verify_audit")["entries"]


def test_drill_sqlite_local_files(installation, tmp_path):
    _drill(installation("source"), installation("target"), tmp_path)


@pytest.mark.postgres
@pytest.mark.s3
def test_drill_postgres_s3(installation, tmp_path, moto_s3):
    buckets = []
    for _ in range(2):
        bucket = moto_s3.create_bucket()
        moto_s3.client().put_bucket_versioning(
            Bucket=bucket, VersioningConfiguration={"Status": "Enabled"}
        )
        buckets.append(bucket)
    source = installation(
        "source", DATABASE_URL=pg_url("hedang_prod_drill_a"), **moto_s3.env(buckets[0])
    )
    target = installation(
        "target", DATABASE_URL=pg_url("hedang_prod_drill_b"), **moto_s3.env(buckets[1])
    )
    _drill(source, target, tmp_path)
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["database"]["engine"] == "postgresql" and manifest["storage"] == "s3"
    assert all(entry.get("version") for entry in manifest["objects"])


def test_damaged_backup_is_refused_before_anything_changes(installation, tmp_path):
    source, target = installation("source"), installation("target")
    _seed(source)
    source.json("backup", str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    victim = tmp_path / "backup" / "objects" / manifest["objects"][0]["name"]
    victim.write_bytes(victim.read_bytes() + b"x")
    target.manage("migrate", "-v0")
    entries = target.json("verify_audit")["entries"]
    proc = target.manage("restore", str(tmp_path / "backup"), "--json", check=False)
    assert proc.returncode == 1 and "与清单哈希不符" in proc.stderr
    assert target.json("verify_audit")["entries"] == entries
    assert not (target.data_dir / "files").exists() or not any(
        (target.data_dir / "files").rglob("*")
    )

    # An unfinished backup (no manifest) is refused too.
    (tmp_path / "backup" / "manifest.json").unlink()
    proc = target.manage("restore", str(tmp_path / "backup"), check=False)
    assert proc.returncode == 1 and "缺少 manifest.json" in proc.stderr
    shutil.rmtree(tmp_path / "backup")
