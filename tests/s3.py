"""A real S3 endpoint for tests: moto_server on a free loopback port.

``moto_s3`` starts one server per test session and stops it at the end; ``s3_bucket`` gives
each test its own fresh bucket and points ``STORAGES["archive"]`` at it the way
config/settings.py does for ``HEDANG_STORAGE=s3``.

moto is not AWS: GetObjectRetention answers 500 and COMPLIANCE retention can be shortened,
so nothing here relies on object lock.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

ACCESS_KEY = "hedang-test"
SECRET_KEY = "hedang-test-secret"
REGION = "us-east-1"


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY
    region_name: str = REGION

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=self.region_name,
        )

    def create_bucket(self, prefix: str = "hedang-test") -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def storage_config(self, bucket: str) -> dict:
        """The archive storage as config/settings.py builds it for HEDANG_STORAGE=s3."""
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": self.endpoint_url,
                "access_key": self.access_key,
                "secret_key": self.secret_key,
                "region_name": self.region_name,
                "file_overwrite": False,
                "default_acl": None,
                "querystring_auth": True,
            },
        }

    def env(self, bucket: str) -> dict[str, str]:
        """The environment that selects this bucket in config/settings.py."""
        return {
            "HEDANG_STORAGE": "s3",
            "AWS_S3_ENDPOINT_URL": self.endpoint_url,
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_S3_REGION_NAME": self.region_name,
        }


def _moto_server_command() -> list[str]:
    beside_python = Path(sys.executable).with_name("moto_server")
    if beside_python.exists():
        return [str(beside_python)]
    found = shutil.which("moto_server")
    if found:
        return [found]
    pytest.skip("moto_server is not installed (pip install 'moto[server]')")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(proc: subprocess.Popen, url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"moto_server exited early with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/moto-api/", timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answered, whatever it said
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto_server did not answer at {url} within {timeout:.0f} s")


@pytest.fixture(scope="session")
def moto_s3(tmp_path_factory) -> S3Server:
    """One moto_server for the session, bound to 127.0.0.1 on a free port."""
    command = _moto_server_command()
    log = tmp_path_factory.mktemp("moto") / "moto_server.log"
    for _attempt in range(3):  # the free port can be taken between bind() and the server's
        port = _free_port()
        with log.open("ab") as out:
            proc = subprocess.Popen(
                [*command, "-H", "127.0.0.1", "-p", str(port)],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(proc, url)
            break
        except RuntimeError:
            proc.kill()
            proc.wait()
    else:
        raise RuntimeError(f"moto_server would not start; see {log}")
    try:
        yield S3Server(endpoint_url=url)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def s3_bucket(moto_s3, settings):
    """A fresh bucket for this test, used as STORAGES["archive"] (and "default")."""
    from django.core.files.storage import storages

    bucket = moto_s3.create_bucket()
    config = moto_s3.storage_config(bucket)
    settings.STORAGES = {**settings.STORAGES, "default": config, "archive": config}
    storages._storages = {}
    storages._backends = None
    yield bucket
    storages._storages = {}
    storages._backends = None
