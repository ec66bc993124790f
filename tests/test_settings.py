"""config/settings.py as the environment drives it, each case in a fresh process."""

from __future__ import annotations

import json
import os
import secrets
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # every test starts Django in a subprocess

PROJECT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/hedang"

DUMP = textwrap.dedent(
    """
    import json
    from django.conf import settings
    db = settings.DATABASES["default"]
    print(json.dumps({
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": settings.DEBUG,
        "DATA_DIR": str(settings.DATA_DIR),
        "ENGINE": db["ENGINE"],
        "NAME": str(db["NAME"]),
        "OPTIONS": {k: str(v) for k, v in db.get("OPTIONS", {}).items()},
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "STORAGE_BACKEND": settings.STORAGES["archive"]["BACKEND"],
        "STORAGE_OPTIONS": {k: str(v) for k, v in settings.STORAGES["archive"]["OPTIONS"].items()},
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "BROKER_OPTIONS": getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None),
        "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
        "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
        "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
        "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
        "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    }))
    """
)


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without any of the project's switches, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HEDANG_", "DJANGO_", "AWS_", "CELERY_", "ELASTICSEARCH_"))
        and k != "DATABASE_URL"
    }
    env["HEDANG_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def shell(env: dict[str, str], code: str) -> str:
    result = manage(env, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def dump(data_dir: Path, **extra: str) -> dict:
    return json.loads(shell(clean_env(data_dir, **extra), DUMP))


def production_env(data_dir: Path, **extra: str) -> dict[str, str]:
    production = {
        "HEDANG_PRODUCTION": "1",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "HEDANG_ALLOWED_HOSTS": "archive.example",
        "DATABASE_URL": PG_URL,
    }
    return clean_env(data_dir, **{**production, **extra})


# --- production ----------------------------------------------------------------------------


def test_deploy_check_is_clean_in_production(tmp_path):
    result = manage(
        production_env(tmp_path / "data"), "check", "--deploy", "--fail-level", "WARNING"
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output.upper()
    assert "System check identified no issues" in output


def test_production_settings(tmp_path):
    env = production_env(tmp_path / "data")
    got = json.loads(shell(env, DUMP))
    assert got["DEBUG"] is False
    assert got["SECRET_KEY"] == env["DJANGO_SECRET_KEY"]
    assert got["ALLOWED_HOSTS"] == ["archive.example"]
    assert got["ENGINE"] == "django.db.backends.postgresql"
    assert got["NAME"] == "hedang"
    assert got["SESSION_COOKIE_SECURE"] is True
    assert got["CSRF_COOKIE_SECURE"] is True
    assert got["SECURE_SSL_REDIRECT"] is True
    assert got["SECURE_HSTS_SECONDS"] >= 31536000
    # No key file is written when the key comes from the environment.
    assert not (tmp_path / "data" / "secret_key").exists()


def test_production_without_secret_key_fails_clearly(tmp_path):
    env = production_env(tmp_path / "data")
    del env["DJANGO_SECRET_KEY"]
    result = manage(env, "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when HEDANG_PRODUCTION=1" in result.stderr
    assert not (tmp_path / "data" / "secret_key").exists()


def test_production_with_a_short_secret_key_is_flagged(tmp_path):
    env = production_env(tmp_path / "data", DJANGO_SECRET_KEY="too-short")
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_unknown_storage_is_refused(tmp_path):
    result = manage(clean_env(tmp_path / "data", HEDANG_STORAGE="ftp"), "check")
    assert result.returncode != 0
    assert "HEDANG_STORAGE must be 'local' or 's3'" in result.stderr


# --- the embedded default ----------------------------------------------------------------


def test_two_data_directories_share_nothing(tmp_path):
    a = dump(tmp_path / "a")
    b = dump(tmp_path / "b")
    assert a["SECRET_KEY"] != b["SECRET_KEY"]
    assert len(a["SECRET_KEY"]) >= 50
    assert a["NAME"] == str((tmp_path / "a" / "hedang.sqlite3").resolve())
    assert b["NAME"] == str((tmp_path / "b" / "hedang.sqlite3").resolve())
    assert a["MEDIA_ROOT"] != b["MEDIA_ROOT"]
    assert a["STORAGE_OPTIONS"]["location"] == str((tmp_path / "a" / "files").resolve())
    assert a["BROKER_OPTIONS"]["data_folder_in"] != b["BROKER_OPTIONS"]["data_folder_in"]
    # The key is kept: the same directory gives the same key next time (sessions survive).
    assert dump(tmp_path / "a")["SECRET_KEY"] == a["SECRET_KEY"]
    key_file = tmp_path / "a" / "secret_key"
    assert key_file.read_text().strip() == a["SECRET_KEY"]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_default_database_is_sqlite_in_wal_mode(tmp_path):
    data = tmp_path / "data"
    env = clean_env(data)
    code = textwrap.dedent(
        """
        import json
        from django.db import connection
        with connection.cursor() as c:
            c.execute("PRAGMA journal_mode")
            mode = c.fetchone()[0]
            c.execute("PRAGMA busy_timeout")
            timeout = c.fetchone()[0]
        print(json.dumps({"vendor": connection.vendor, "mode": mode, "timeout": timeout,
                          "file": str(connection.settings_dict["NAME"])}))
        """
    )
    got = json.loads(shell(env, code))
    assert got["vendor"] == "sqlite"
    assert got["mode"] == "wal"
    assert got["timeout"] == 30000
    assert got["file"] == str((data / "hedang.sqlite3").resolve())
    assert (data / "hedang.sqlite3").exists()
    settings = dump(data)
    assert settings["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert settings["DEBUG"] is False  # off unless HEDANG_DEBUG=1 (issue 12)


def test_broker_defaults_to_folders_in_the_data_directory(tmp_path):
    data = tmp_path / "data"
    got = dump(data)
    assert got["CELERY_BROKER_URL"] == "filesystem://"
    options = got["BROKER_OPTIONS"]
    root = (data / "broker").resolve()
    for key in ("data_folder_in", "data_folder_out", "processed_folder"):
        folder = Path(options[key])
        assert folder.is_relative_to(root), (key, folder)
        assert folder.is_dir(), (key, folder)
    # Tasks written by the web process are read by the worker: in and out are one folder.
    assert options["data_folder_in"] == options["data_folder_out"]


def test_redis_broker_from_the_environment(tmp_path):
    got = dump(tmp_path / "data", CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    assert got["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/0"
    assert got["BROKER_OPTIONS"] is None
    assert not (tmp_path / "data" / "broker").exists()


def test_database_url_selects_postgres(tmp_path):
    got = dump(tmp_path / "data", DATABASE_URL=PG_URL)
    assert got["ENGINE"] == "django.db.backends.postgresql"
    assert got["NAME"] == "hedang"
    assert not (tmp_path / "data" / "hedang.sqlite3").exists()


def test_s3_storage_from_the_environment(tmp_path):
    got = dump(
        tmp_path / "data",
        HEDANG_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="hedang-archive",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        AWS_ACCESS_KEY_ID="key",
        AWS_SECRET_ACCESS_KEY="secret",
    )
    assert got["STORAGE_BACKEND"] == "storages.backends.s3.S3Storage"
    options = got["STORAGE_OPTIONS"]
    assert options["bucket_name"] == "hedang-archive"
    assert options["endpoint_url"] == "http://127.0.0.1:9000"
    assert options["file_overwrite"] == "False"
