"""Installations of our own for the production tests: each a data directory (and, on
PostgreSQL, a database) driven through manage.py in subprocesses, as an operator would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Installation:
    data_dir: Path
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HEDANG_", "AWS_"))}
        env.pop("CELERY_BROKER_URL", None)
        env.pop("DATABASE_URL", None)
        env.update(
            {
                "HEDANG_DATA_DIR": str(self.data_dir),
                "DATABASE_URL": f"sqlite:///{self.data_dir / 'hedang.sqlite3'}",
                "OMP_THREAD_LIMIT": "1",
                "HEDANG_DEBUG": "0",
            }
        )
        env.update(self.extra_env)
        return env

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"manage.py {' '.join(args)} → {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr}"
            )
        return proc

    def json(self, *args: str) -> dict:
        out = self.manage(*args, "--json").stdout
        return json.loads(out.strip().splitlines()[-1])

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code).stdout


def pg_url(name: str) -> str | None:
    """A database of ours beside the one DATABASE_URL names, created empty; None off PG."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        return None
    import psycopg

    prefix, _, _db = base.rpartition("/")
    with psycopg.connect(f"{prefix}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{prefix}/{name}"


@pytest.fixture
def installation(tmp_path):
    def make(name: str, **env: str) -> Installation:
        return Installation(tmp_path / name, dict(env))

    return make
