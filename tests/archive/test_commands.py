"""load_regions, seed_demo and the fresh-install path through manage.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from archive.audit import verify_chain
from archive.demo import DEMO_HOUSEHOLDS, DEMO_PASSWORD, DEMO_USERS
from archive.models import Agency, AuditEntry, Case, File, Household, Item, Member, Page, User
from archive.storage import read_blob

PROJECT = Path(__file__).resolve().parents[2]


def run(name: str, *args: str) -> str:
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


# --- load_regions ------------------------------------------------------------------------


def remove_all_agencies() -> None:
    """Start from an empty agency table (the test database comes with the tree loaded);
    rolled back with the test."""
    Agency.objects.all()._raw_delete(Agency.objects.db)


@pytest.mark.django_db
def test_load_regions_command_is_idempotent():
    remove_all_agencies()
    assert run("load_regions").strip() == "核对机构：新增 119，更新 0"
    assert Agency.objects.count() == 119
    assert run("load_regions").strip() == "核对机构：新增 0，更新 0"
    assert Agency.objects.count() == 119
    assert Agency.objects.get(region_code="429004").parent.region_code == "420000"
    assert Agency.objects.get(region_code="420102").parent.region_code == "420100"


@pytest.mark.django_db
def test_load_regions_missing_file(tmp_path):
    with pytest.raises(CommandError, match="找不到区划文件"):
        call_command("load_regions", "--csv", str(tmp_path / "nope.csv"))


@pytest.mark.django_db
def test_load_regions_invalid_file(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code,name,level,parent_code,statistical_only\n"
        "420000,湖北省,province,,0\n"
        "420199,孤儿区,county,421999,0\n",
        encoding="utf-8",
    )
    remove_all_agencies()
    with pytest.raises(CommandError, match="区划文件无效"):
        call_command("load_regions", "--csv", str(bad))
    assert not Agency.objects.exists()
    bad.write_text("code,name\n420000,湖北省\n", encoding="utf-8")
    with pytest.raises(CommandError, match="区划文件无效"):
        call_command("load_regions", "--csv", str(bad))


# --- seed_demo -----------------------------------------------------------------------------

EXPECTED_DEMO_NUMBERS = {
    # household head → its three items (授权书, 入户核查表, 核对报告)
    "张伟": [
        "Z420102-HD·2024-D10-GC-0001",
        "Z420102-HD·2024-D10-GC-0002",
        "Z420102-HD·2024-D10-BG-0001",
    ],
    "张伟华": [
        "Z420102-HD·2024-D10-GC-0003",
        "Z420102-HD·2024-D10-GC-0004",
        "Z420102-HD·2024-D10-BG-0002",
    ],
    "刘洋": [
        "Z420105-HD·2024-D10-GC-0001",
        "Z420105-HD·2024-D10-GC-0002",
        "Z420105-HD·2024-D10-BG-0001",
    ],
}


def _snapshot() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (User, Household, Member, Case, Item, File, Page)
    }


@pytest.mark.django_db
def test_seed_demo_needs_regions():
    remove_all_agencies()
    with pytest.raises(CommandError, match="load_regions"):
        call_command("seed_demo", stdout=StringIO())


@pytest.mark.django_db
def test_seed_demo_twice(hubei):
    first_output = run("seed_demo")
    after_first = _snapshot()
    second_output = run("seed_demo")
    assert _snapshot() == after_first
    assert first_output == second_output

    # Users, one per demo login, in their agencies and roles, with the demo password.
    for spec in DEMO_USERS:
        user = User.objects.get(username=spec.username)
        assert user.real_name == spec.real_name
        assert user.agency.region_code == spec.region_code
        assert user.is_superuser is spec.superuser
        groups = list(user.groups.values_list("name", flat=True))
        assert groups == ([spec.role] if spec.role else [])
        assert authenticate(username=spec.username, password=DEMO_PASSWORD) == user
    roles = {spec.role for spec in DEMO_USERS if spec.role}
    assert roles >= {"档案管理员", "监督检查", "信息管理", "核对报告"}

    # Three households, each with members, a case and three filed items.
    assert Household.objects.count() == len(DEMO_HOUSEHOLDS) == 3
    for spec in DEMO_HOUSEHOLDS:
        household = Household.objects.get(head_id_number=spec.head[1])
        assert household.agency.region_code == spec.region_code
        assert household.members.count() == 1 + len(spec.members)
        obligors = household.members.filter(co_resident=False).count()
        assert obligors == sum(1 for m in spec.members if not m[3])
        case = household.cases.get()
        assert case.business_type == spec.business_type
        assert case.report_number.startswith(f"第{spec.region_code}202403")
        items = list(household.items.order_by("item_number", "category"))
        assert sorted(i.archive_number for i in items) == sorted(
            EXPECTED_DEMO_NUMBERS[household.head_name]
        )
        for item in items:
            assert item.status == Item.Status.FILED
            assert item.case == case
            assert item.retention_start.isoformat() == "2025-01-01"
            assert item.pages.count() == 1
            original = item.files.get(role=File.Role.ORIGINAL)
            assert read_blob(original.sha256).startswith(b"%PDF")

    report = verify_chain()
    assert report.intact, report
    # The demo's own changes are in the log.
    assert AuditEntry.objects.filter(object_type="archive.Household", action="create").count() == 3


@pytest.mark.django_db
def test_seed_demo_print_logins(hubei):
    output = run("seed_demo", "--print-logins")
    lines = output.strip().splitlines()
    assert len(lines) == len(DEMO_USERS)
    for spec, line in zip(DEMO_USERS, lines, strict=True):
        assert line.split()[0] == spec.username
        assert DEMO_PASSWORD in line
    assert "江岸区" in output
    # Printing the logins creates nothing.
    assert not User.objects.filter(username="archivist").exists()
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_seed_demo_says_where_the_logins_are(hubei):
    output = run("seed_demo")
    assert "--print-logins" in output
    assert DEMO_PASSWORD not in output  # passwords only on request


# --- the fresh-install path, as `make setup` runs it -----------------------------------------


@pytest.mark.slow
def test_fresh_data_directory_through_manage_py(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HEDANG_", "DJANGO_", "AWS_", "CELERY_")) and k != "DATABASE_URL"
    }
    env["HEDANG_DATA_DIR"] = str(tmp_path / "data")

    def manage(*args: str) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode in (0, 1), result.stderr
        return result

    assert manage("migrate", "--noinput").returncode == 0
    assert "新增 119" in manage("load_regions").stdout
    assert manage("seed_demo").returncode == 0
    assert "archivist" in manage("seed_demo", "--print-logins").stdout
    assert "新增 0，更新 0" in manage("load_regions").stdout
    assert manage("seed_demo").returncode == 0
    result = manage("verify_audit", "--json")
    assert result.returncode == 0, result.stdout
    report = json.loads(result.stdout)
    assert report["intact"] is True
    assert report["entries"] > 0
    assert (tmp_path / "data" / "hedang.sqlite3").exists()
    assert any((tmp_path / "data" / "files" / "blobs").rglob("*"))
