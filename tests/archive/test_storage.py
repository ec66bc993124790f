"""Content-addressed, write-once storage: local folders and S3 (a real moto_server)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from archive import storage as storage_module
from archive.storage import (
    StorageIntegrityError,
    archive_storage,
    blob_name,
    read_blob,
    store_bytes,
)

PROJECT = Path(__file__).resolve().parents[2]


def _files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _local_root() -> Path:
    return Path(settings.STORAGES["archive"]["OPTIONS"]["location"])


# --- local -------------------------------------------------------------------------------


def test_local_bytes_come_back_identical():
    data = os.urandom(200_000) + "核对报告".encode()
    blob = store_bytes(data)
    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert blob.size == len(data)
    assert blob.name == blob_name(blob.sha256)
    assert blob.name == f"blobs/{blob.sha256[:2]}/{blob.sha256[2:4]}/{blob.sha256}"
    assert read_blob(blob.sha256) == data
    assert (_local_root() / blob.name).read_bytes() == data


def test_local_same_bytes_stored_once():
    data = b"%PDF-1.7 the same page twice"
    first = store_bytes(data)
    second = store_bytes(data)
    assert first == second
    assert _files_under(_local_root()) == [_local_root() / first.name]


def test_local_different_bytes_get_different_names():
    a = store_bytes(b"page 1")
    b = store_bytes(b"page 2")
    assert a.name != b.name
    assert len(_files_under(_local_root())) == 2


def test_local_damaged_copy_is_an_alarm_and_never_overwritten():
    data = b"original scan bytes" * 100
    blob = store_bytes(data)
    path = _local_root() / blob.name
    damaged = b"bit rot" + data[7:]
    path.write_bytes(damaged)
    with pytest.raises(StorageIntegrityError):
        store_bytes(data)
    # Write-once: the damaged copy is evidence; it stays as found, no second file appears.
    assert path.read_bytes() == damaged
    assert _files_under(_local_root()) == [path]


def test_local_read_blob_detects_corruption():
    data = b"a verification report" * 50
    blob = store_bytes(data)
    (_local_root() / blob.name).write_bytes(data[:-1] + b"!")
    with pytest.raises(StorageIntegrityError):
        read_blob(blob.sha256)
    # Without verification the damaged bytes are returned as they are.
    assert read_blob(blob.sha256, verify=False) == data[:-1] + b"!"


def test_local_truncated_copy_detected(monkeypatch):
    monkeypatch.setattr(storage_module, "SETTLE_SECONDS", 0.3)
    data = os.urandom(5000)
    blob = store_bytes(data)
    path = _local_root() / blob.name
    path.write_bytes(data[:100])
    with pytest.raises(StorageIntegrityError):
        read_blob(blob.sha256)
    started = time.monotonic()
    with pytest.raises(StorageIntegrityError):
        store_bytes(data)
    assert time.monotonic() - started < 5
    assert path.read_bytes() == data[:100]


def _store_at_once(data: bytes, writers: int = 8) -> list:
    barrier = threading.Barrier(writers)
    results, errors = [], []

    def write():
        barrier.wait(timeout=30)
        try:
            results.append(store_bytes(data))
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert len(results) == writers
    return results


def test_local_concurrent_writers_of_the_same_bytes():
    """Writers racing on one blob: all succeed, one file, no stray copies (ingest workers
    can receive the same scan twice at the same moment)."""
    for _round in range(5):
        data = os.urandom(2 * 1024 * 1024)
        results = _store_at_once(data)
        assert len(set(results)) == 1
        blob = results[0]
        assert read_blob(blob.sha256) == data
        folder = (_local_root() / blob.name).parent
        assert [p.name for p in folder.iterdir()] == [blob.sha256], "stray copies left"


def test_local_copy_still_being_written_is_waited_for():
    data = os.urandom(300_000)
    sha = hashlib.sha256(data).hexdigest()
    path = _local_root() / blob_name(sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data[:1000])  # another writer has begun

    def finish():
        time.sleep(0.3)
        with path.open("ab") as fh:
            fh.write(data[1000:150_000])
            fh.flush()
            time.sleep(0.3)
            fh.write(data[150_000:])

    writer = threading.Thread(target=finish)
    writer.start()
    try:
        blob = store_bytes(data)
    finally:
        writer.join()
    assert blob.sha256 == sha
    assert path.read_bytes() == data
    assert _files_under(_local_root()) == [path]


def test_local_missing_blob_raises():
    with pytest.raises(FileNotFoundError):
        read_blob(hashlib.sha256(b"never stored").hexdigest())


def test_local_empty_bytes():
    blob = store_bytes(b"")
    assert blob.size == 0
    assert read_blob(blob.sha256) == b""


# --- S3 (moto_server) --------------------------------------------------------------------


def _object_keys(moto_s3, bucket: str) -> list[str]:
    listing = moto_s3.client().list_objects_v2(Bucket=bucket)
    return sorted(obj["Key"] for obj in listing.get("Contents", []))


@pytest.mark.s3
def test_s3_three_megabytes_round_trip(moto_s3, s3_bucket):
    assert archive_storage().__class__.__name__ == "S3Storage"
    data = os.urandom(3 * 1024 * 1024)
    blob = store_bytes(data)
    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert blob.size == len(data)
    back = read_blob(blob.sha256)
    assert back == data
    assert hashlib.sha256(back).hexdigest() == blob.sha256
    # What sits in the bucket is the same bytes, under the content address.
    raw = moto_s3.client().get_object(Bucket=s3_bucket, Key=blob.name)["Body"].read()
    assert raw == data


@pytest.mark.s3
def test_s3_storing_twice_keeps_one_object(moto_s3, s3_bucket):
    data = os.urandom(64 * 1024)
    first = store_bytes(data)
    second = store_bytes(data)
    assert first == second
    assert _object_keys(moto_s3, s3_bucket) == [first.name]


@pytest.mark.s3
def test_s3_damaged_object_detected_and_not_overwritten(moto_s3, s3_bucket, monkeypatch):
    monkeypatch.setattr(storage_module, "SETTLE_SECONDS", 0.3)
    data = os.urandom(10_000)
    blob = store_bytes(data)
    client = moto_s3.client()
    client.put_object(Bucket=s3_bucket, Key=blob.name, Body=b"tampered")
    with pytest.raises(StorageIntegrityError):
        read_blob(blob.sha256)
    with pytest.raises(StorageIntegrityError):
        store_bytes(data)
    assert client.get_object(Bucket=s3_bucket, Key=blob.name)["Body"].read() == b"tampered"
    assert _object_keys(moto_s3, s3_bucket) == [blob.name]


@pytest.mark.s3
@pytest.mark.slow
def test_s3_selected_by_environment_in_settings(moto_s3, tmp_path):
    """HEDANG_STORAGE=s3 and the AWS_* variables, read by config/settings.py, reach the bucket.

    DB-free on purpose: ``manage.py shell -c`` only stores and reads a blob.
    """
    bucket = moto_s3.create_bucket("hedang-env")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "HEDANG_", "DATABASE_URL", "DJANGO_"))
    }
    env.update(moto_s3.env(bucket))
    env["HEDANG_DATA_DIR"] = str(tmp_path / "data")
    code = textwrap.dedent(
        """
        from django.conf import settings
        from archive.storage import archive_storage, read_blob, store_bytes
        assert settings.STORAGES["archive"]["BACKEND"] == "storages.backends.s3.S3Storage"
        data = "核档 S3 环境变量".encode() * 1000
        blob = store_bytes(data)
        assert read_blob(blob.sha256) == data
        print(type(archive_storage()).__name__, blob.sha256, blob.name)
        """
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    kind, sha, name = result.stdout.strip().splitlines()[-1].split()
    assert kind == "S3Storage"
    expected = "核档 S3 环境变量".encode() * 1000
    assert sha == hashlib.sha256(expected).hexdigest()
    assert _object_keys(moto_s3, bucket) == [name]
    body = moto_s3.client().get_object(Bucket=bucket, Key=name)["Body"].read()
    assert body == expected
    # Nothing was written to the local files folder of that data directory.
    assert not (tmp_path / "data" / "files").exists() or not _files_under(
        tmp_path / "data" / "files"
    )


@pytest.mark.s3
def test_s3_concurrent_writers_of_the_same_bytes(moto_s3, s3_bucket):
    data = os.urandom(512 * 1024)
    results = _store_at_once(data)
    assert len(set(results)) == 1
    assert _object_keys(moto_s3, s3_bucket) == [results[0].name]
    assert read_blob(results[0].sha256) == data
