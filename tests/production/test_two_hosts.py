"""Two worker "hosts" share nothing but PostgreSQL, Redis and S3, and every document is
processed once.

Each host is a Celery worker process with its own data directory and its own HEDANG_TMP (a
host's local disk); the "web host" submits the files with ``manage.py ingest`` (no --sync)
and waits for them. Stored files go to one moto S3 bucket; no host keeps a stored file on
its local disk.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys

import pytest

from tests.production.conftest import ROOT, pg_url

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.s3]
HEAD_ID = "420102198503151234"
DOCUMENTS = 6


def _worker(inst, name: str, log) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "celery,ocr"]
        + ["-c", "1", "-n", f"{name}@%h", "--without-heartbeat", "--without-gossip"]
        + ["--without-mingle", "--loglevel", "INFO"],
        cwd=ROOT,
        env=inst.env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def test_two_worker_hosts_process_every_document_once(installation, tmp_path, moto_s3):
    import redis

    from archive.pdf import text_pdf

    broker = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/7")
    if not broker.startswith("redis"):
        pytest.skip("needs Redis: CELERY_BROKER_URL=redis://…")
    redis.Redis.from_url(broker).flushdb()
    bucket = moto_s3.create_bucket()
    shared = {"DATABASE_URL": pg_url("hedang_prod_hosts"), "CELERY_BROKER_URL": broker}
    shared.update(moto_s3.env(bucket))
    web = installation("web", **shared)
    hosts = {
        name: installation(name, HEDANG_TMP=str(tmp_path / name / "tmp"), **shared)
        for name in ("hosta", "hostb")
    }
    web.manage("migrate", "-v0")
    web.manage("load_regions")
    web.shell(
        "from archive.models import Agency, Household;"
        "Household.objects.create(agency=Agency.objects.get(region_code='420102'),"
        f"head_id_number='{HEAD_ID}', head_name='张伟')"
    )
    inbox = tmp_path / "scans"
    inbox.mkdir()
    for n in range(DOCUMENTS):
        lines = [
            f"户主姓名：张伟  身份证号码：{HEAD_ID}",
            f"第{n}份 邻里访问情况：情况属实。",
            "核查日期：2024年3月6日",  # an undated form would wait for a person (ingest.dating)
        ]
        (inbox / f"doc{n}.pdf").write_bytes(text_pdf("居民家庭经济状况入户核查表", lines))

    logs = {name: tmp_path / f"{name}.log" for name in hosts}
    workers = [_worker(inst, name, logs[name]) for name, inst in hosts.items()]
    try:
        out = web.manage("ingest", str(inbox), "--json").stdout
    finally:
        for proc in workers:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in workers:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    reports = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert len(reports) == DOCUMENTS
    assert {r["status"] for r in reports} == {"filed"}, reports
    numbers = [item["archive_number"] for r in reports for item in r["items"]]
    assert len(set(numbers)) == DOCUMENTS

    state = json.loads(
        web.shell(
            "import json\n"
            "from archive.models import Item, File\n"
            "from ingest.models import Document\n"
            "print(json.dumps({'items': Item.objects.count(),"
            " 'originals': File.objects.filter(role='original').count(),"
            " 'attempts': list(Document.objects.values_list('attempts', flat=True)),"
            " 'numbers': sorted(Item.objects.values_list('item_number', flat=True))}))"
        )
        .strip()
        .splitlines()[-1]
    )
    assert state["items"] == DOCUMENTS and state["originals"] == DOCUMENTS
    # Two claims a document: OCR, then filing. A step taken twice would show a third.
    assert state["attempts"] == [2] * DOCUMENTS
    assert state["numbers"] == list(range(1, DOCUMENTS + 1))  # 件号 gap-free, none twice

    done = re.compile(r"Task ingest\.tasks\.ocr_document\[[^\]]+\] succeeded")
    per_host = {
        name: len(done.findall(log.read_text(errors="replace"))) for name, log in logs.items()
    }
    assert sum(per_host.values()) == DOCUMENTS, per_host  # each document OCR'd exactly once
    assert all(count >= 1 for count in per_host.values()), per_host  # both hosts worked
    filed = re.compile(r"Task ingest\.tasks\.file_document\[[^\]]+\] succeeded")
    logs_text = "".join(log.read_text(errors="replace") for log in logs.values())
    assert len(filed.findall(logs_text)) == DOCUMENTS  # each document filed exactly once

    keys = moto_s3.client().list_objects_v2(Bucket=bucket).get("KeyCount", 0)
    assert keys >= DOCUMENTS
    for name, inst in hosts.items():
        assert not (inst.data_dir / "files").exists(), f"{name} kept stored files locally"
        assert (tmp_path / name / "tmp").is_dir()
