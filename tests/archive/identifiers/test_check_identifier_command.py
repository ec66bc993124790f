"""manage.py check_identifier VALUE… [--json], run as users run it (subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # starts Django in a subprocess

PROJECT = Path(__file__).resolve().parents[3]
PYTHON = PROJECT / ".venv" / "bin" / "python"

REPORT = "第42010220240300017aaf1号"
AUTH = "居经授第420102202400000123号"
ARCHIVE = "Z109-HD·2024-D10-GC-0001"


def run(tmp_path: Path, *args: str, settings: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "HEDANG_DATA_DIR": str(tmp_path / "data")}
    if settings:
        env["DJANGO_SETTINGS_MODULE"] = settings
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tmp_path), env.get("PYTHONPATH")]))
    python = str(PYTHON) if PYTHON.exists() else sys.executable
    return subprocess.run(
        [python, "manage.py", "check_identifier", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def lines(proc: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_all_valid_exit_0(tmp_path):
    proc = run(
        tmp_path, "--json", "11010519491231002x", "360426199101010071", REPORT, AUTH, ARCHIVE
    )
    assert proc.returncode == 0, proc.stderr
    out = lines(proc)
    assert [o["kind"] for o in out] == [
        "resident_id",
        "resident_id",
        "report_number",
        "authorization_number",
        "archive_number",
    ]
    for o in out:
        assert set(o) >= {"value", "kind", "valid", "fields", "error"}
        assert o["valid"] is True
        assert o["error"] is None
    assert out[0]["value"] == "11010519491231002x"  # echoed as given
    assert out[0]["fields"] == {
        "region_code": "110105",
        "birth_date": "1949-12-31",
        "sequence": "002",
        "sex": "女",
        "check_char": "X",
    }
    assert out[2]["fields"] == {
        "region_code": "420102",
        "year": 2024,
        "month": 3,
        "serial": 17,
        "business_code": "aa",
        "business_name": "最低生活保障",
        "nature": "f",
        "nature_name": "首次报告",
        "copy": 1,
    }
    assert out[3]["fields"] == {"region_code": "420102", "year": 2024, "serial": 123}
    assert out[4]["fields"]["fonds"] == "Z109"
    assert out[4]["fields"]["number"] == 1
    # ensure_ascii=False: Chinese appears as itself
    assert "最低生活保障" in proc.stdout
    assert "\\u" not in proc.stdout


def test_invalid_and_unrecognised_exit_1(tmp_path):
    proc = run(tmp_path, "--json", "110105194912310024", "hello", REPORT)
    assert proc.returncode == 1
    bad_id, garbage, report = lines(proc)
    assert (bad_id["value"], bad_id["kind"], bad_id["valid"]) == (
        "110105194912310024",
        "resident_id",
        False,
    )
    assert bad_id["error"] == "校验码错误：应为 X，实为 4"
    assert bad_id["fields"] == {}
    assert garbage["kind"] is None
    assert garbage["valid"] is False
    assert garbage["error"]
    assert report["valid"] is True


@pytest.mark.parametrize(
    ("value", "kind", "fragment"),
    [
        ("第42010220241300017aaf1号", "report_number", "月份"),
        ("居经授第4201022024000001号", "authorization_number", "18 位"),
        ("Z109-HD·2024-D10-GC-001", "archive_number", "件号"),
        ("42010219910230123X", "resident_id", "出生日期"),
    ],
)
def test_each_kind_invalid(tmp_path, value, kind, fragment):
    proc = run(tmp_path, "--json", value)
    assert proc.returncode == 1
    (out,) = lines(proc)
    assert (out["kind"], out["valid"]) == (kind, False)
    assert fragment in out["error"]


def test_bad_usage_exit_2(tmp_path):
    proc = run(tmp_path, "--json")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "编号" in proc.stderr
    proc = run(tmp_path, "--no-such-option", "x")
    assert proc.returncode == 2
    assert proc.stdout == ""


def test_readable_output(tmp_path):
    proc = run(tmp_path, "11010519491231002x", REPORT)
    assert proc.returncode == 0, proc.stderr
    first, second = proc.stdout.splitlines()
    assert "身份证号有效" in first and "11010519491231002X" in first and "女" in first
    assert "报告编号有效" in second and "最低生活保障" in second
    proc = run(tmp_path, "110105194912310024")
    assert proc.returncode == 1
    assert "校验码错误：应为 X，实为 4" in proc.stdout


def test_archive_pattern_comes_from_settings(tmp_path):
    (tmp_path / "custom_settings.py").write_text(
        "from config.settings import *  # noqa: F403\n"
        "HEDANG_ARCHIVE_NUMBER_PATTERN = '{fonds}/{year}/{number:05d}'\n",
        encoding="utf-8",
    )
    proc = run(tmp_path, "--json", "Z109/2024/00042", settings="custom_settings")
    assert proc.returncode == 0, proc.stderr
    (out,) = lines(proc)
    assert out["kind"] == "archive_number"
    assert out["fields"]["number"] == 42
    proc = run(tmp_path, "--json", "Z109/2024/00042")
    assert proc.returncode == 1
