"""OCR's temporary folders, removed even when the worker that made them dies.

A folder is ``$HEDANG_DATA_DIR/tmp/ocr/<host>-<pid>-<random>`` (mode 0700: it holds page
images with resident IDs). ocrmypdf's own temporary files go inside it (TMPDIR). A worker
killed with SIGKILL cannot clean up, so :func:`sweep` (run by the periodic
``recover_stalled`` task and when a worker starts) removes every folder of this host whose
process is gone, and any folder older than ``STALE_SECONDS``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

STALE_SECONDS = 6 * 3600


def root() -> Path:
    folder = Path(settings.DATA_DIR) / "tmp" / "ocr"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _host() -> str:
    return socket.gethostname().replace("-", "_")[:40]


@contextlib.contextmanager
def ocr_tempdir() -> Iterator[str]:
    """A private temporary folder for one OCR run, removed on the way out."""
    with tempfile.TemporaryDirectory(prefix=f"{_host()}-{os.getpid()}-", dir=root()) as tmp:
        yield tmp


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep(now: float | None = None) -> list[str]:
    """Remove the folders whose worker is dead (this host) or that are stale (any host)."""
    now = time.time() if now is None else now
    removed = []
    host = _host()
    for folder in root().iterdir():
        if not folder.is_dir():
            continue
        parts = folder.name.split("-")
        dead = (
            len(parts) >= 3
            and parts[0] == host
            and parts[1].isdigit()
            and not _alive(int(parts[1]))
        )
        try:
            stale = now - folder.stat().st_mtime > STALE_SECONDS
        except FileNotFoundError:
            continue
        if dead or stale:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed
