"""The configuration (issue 12, high): DEBUG off unless HEDANG_DEBUG=1; demo accounts only
in the demo configuration, and a production start refused while one has the demo password;
the database and data directory not world-readable. Each case in a fresh process."""

from __future__ import annotations

import secrets
import stat
import subprocess
import sys

import pytest

from tests.test_settings import PROJECT, clean_env, dump, manage

pytestmark = pytest.mark.slow


def test_debug_is_off_unless_asked_for(tmp_path):
    assert dump(tmp_path / "a")["DEBUG"] is False
    assert dump(tmp_path / "b", HEDANG_DEBUG="1")["DEBUG"] is True
    assert dump(tmp_path / "c", HEDANG_DEBUG="0")["DEBUG"] is False


def _production(data, **extra):
    return clean_env(
        data,
        HEDANG_PRODUCTION="1",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        HEDANG_ALLOWED_HOSTS="archive.example",
        **extra,
    )


def test_production_refuses_to_start_with_a_demo_password(tmp_path):
    data = tmp_path / "data"
    demo = clean_env(data)
    for args in (("migrate", "-v0"), ("load_regions",), ("seed_demo",)):
        result = manage(demo, *args, timeout=600)
        assert result.returncode == 0, result.stderr

    production = _production(data)
    check = manage(production, "check", "--deploy")
    assert check.returncode != 0
    assert "hedang.E001" in check.stderr + check.stdout
    assert "admin" in check.stderr + check.stdout

    start = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=PROJECT,
        env=production,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert start.returncode != 0
    assert "hedang.E001" in start.stderr

    seeded = manage(production, "seed_demo")
    assert seeded.returncode != 0
    assert "演示" in seeded.stderr

    # Once no account keeps the demo password, the production start is clean.
    code = (
        "from archive.demo import DEMO_USERS; from archive.models import User;"
        "[u.set_unusable_password() or u.save() for u in User.objects.all()]"
    )
    assert manage(demo, "shell", "--no-imports", "-c", code).returncode == 0
    check = manage(production, "check", "--deploy")
    assert "hedang.E001" not in check.stderr + check.stdout


def test_demo_data_is_not_seeded_outside_the_demo_configuration(tmp_path):
    env = clean_env(tmp_path / "data", HEDANG_DEMO="0")
    assert manage(env, "migrate", "-v0", timeout=600).returncode == 0
    result = manage(env, "seed_demo")
    assert result.returncode != 0
    assert "演示" in result.stderr


def test_database_and_data_directory_are_not_world_readable(tmp_path):
    data = tmp_path / "data"
    result = manage(clean_env(data), "migrate", "-v0", timeout=600)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(data.stat().st_mode) & 0o077 == 0
    for name in ("hedang.sqlite3", "secret_key"):
        mode = stat.S_IMODE((data / name).stat().st_mode)
        assert mode & 0o077 == 0, (name, oct(mode))
    keys = data / "audit-keys"
    for key in keys.iterdir():
        assert stat.S_IMODE(key.stat().st_mode) & 0o077 == 0
