"""A worker killed with SIGKILL in the middle of OCR loses nothing and files nothing twice.

Runs the real thing in subprocesses: a fresh embedded installation (SQLite, file storage,
Celery over kombu's filesystem:// transport, or Redis when it answers), `manage.py ingest`
without --sync, a Celery worker that is killed mid-OCR and a new one started in its place.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from PIL import Image

from tests.ingest.conftest import scan_page

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
HEAD_ID = "420102198503151234"


def _manage(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=check,
        timeout=300,
    )


def _worker(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            "celery,ocr",
            "-c",
            "1",
            "-n",
            "killtest@localhost",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: SIGKILL reaches the pool children too
    )


def _document(db: Path) -> tuple[str, str] | None:
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute(
            "SELECT status, step FROM ingest_document ORDER BY id LIMIT 1"
        ).fetchone()


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _redis_url() -> str | None:
    # Its own Redis db, flushed by this test: HEDANG_TEST_REDIS_DB lets two suites run side by
    # side (.ci/run gives the PostgreSQL suite 13) without flushing each other's queue.
    url = f"redis://127.0.0.1:6379/{int(os.environ.get('HEDANG_TEST_REDIS_DB', '14'))}"
    try:
        redis.Redis.from_url(url, socket_timeout=1).ping()
    except redis.RedisError:
        return None
    return url


@pytest.mark.parametrize("broker", ["filesystem", "redis"])
def test_worker_killed_mid_ocr_loses_nothing(tmp_path, broker):
    env = {
        **os.environ,
        "HEDANG_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'hedang.sqlite3'}",
        "OMP_THREAD_LIMIT": "1",
    }
    env.pop("CELERY_BROKER_URL", None)
    if broker == "redis":
        url = _redis_url()
        if url is None:
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        redis.Redis.from_url(url).flushdb()
        env["CELERY_BROKER_URL"] = url
    (tmp_path / "data").mkdir()
    _manage(env, "migrate", "-v0")
    _manage(env, "load_regions")
    _manage(
        env,
        "shell",
        "-c",
        "from archive.models import Agency, Household;"
        f"Household.objects.create(agency=Agency.objects.get(region_code='420102'),"
        f"head_id_number='{HEAD_ID}', head_name='张伟')",
    )
    # Dated: an undated form would wait for a person to give its date (ingest.dating).
    lines = [
        "居民家庭经济状况入户核查表",
        f"户主姓名：张伟  身份证号码：{HEAD_ID}",
        "核查日期：2024年3月6日",
    ]
    pages = [
        scan_page(lines + [f"第{n}页 邻里访问情况：情况属实。"] * 8, fmt="TIFF") for n in range(3)
    ]
    frames = [Image.open(io.BytesIO(p)) for p in pages]
    scan = tmp_path / "stack.tif"
    frames[0].save(scan, save_all=True, append_images=frames[1:], dpi=(300, 300))

    db = tmp_path / "data" / "hedang.sqlite3"
    log = tmp_path / "worker.log"
    worker = _worker(env, log)
    ingest = subprocess.Popen(
        [sys.executable, "manage.py", "ingest", str(scan), "--json"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(lambda: _document(db) == ("processing", "stored"), 120, "OCR to start")
        time.sleep(1.0)  # well inside Tesseract: three 300-dpi pages take several seconds
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        assert _document(db)[0] == "processing"  # the killed run left its lease behind

        worker = _worker(env, log)  # same node name: it reclaims its previous life's work
        out, err = ingest.communicate(timeout=600)
    finally:
        for proc in (ingest, worker):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL) if proc is worker else proc.kill()
                proc.wait(timeout=30)
    assert ingest.returncode == 0, err + log.read_text(errors="replace")[-3000:]
    (report,) = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert report["status"] == "filed"
    (item,) = report["items"]
    assert item["household"] == HEAD_ID and item["pages"] == 3

    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM archive_item").fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM ingest_document").fetchone() == (1,)
        files = conn.execute("SELECT count(*) FROM archive_file WHERE role='original'").fetchone()
        attempts = conn.execute("SELECT attempts FROM ingest_document").fetchone()[0]
        numbers = conn.execute("SELECT item_number FROM archive_item").fetchall()
    assert files == (1,) and attempts >= 2 and numbers == [(1,)]
    original = scan.read_bytes()
    sha = hashlib.sha256(original).hexdigest()
    stored = tmp_path / "data" / "files" / "blobs" / sha[:2] / sha[2:4] / sha
    assert stored.read_bytes() == original
