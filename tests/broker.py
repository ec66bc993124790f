"""A Celery broker of the test's own (the browser and upload tests hand work to workers)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _reset_pools(app) -> None:
    app._pool = None  # as Celery does after a fork: connections are made anew from conf
    app.amqp._producer_pool = None


@contextmanager
def own_broker(tmp_path: Path) -> Iterator[Path | None]:
    """On the embedded filesystem:// broker the folders are moved under ``tmp_path`` (yields
    the folder messages are written to), so a stack running on the same data directory
    (``make run``) neither takes these tasks nor loses its own. On Redis (``make
    test-postgres``, a test-only database) the queues are emptied and None is yielded."""
    from config import celery_app

    conf = celery_app.conf
    if not conf.broker_url.startswith("filesystem"):
        with celery_app.connection_for_write() as connection:
            for queue in ("celery", "ocr"):
                connection.default_channel.queue_purge(queue)
        yield None
        return
    saved = conf.broker_transport_options
    folders = {sub: tmp_path / "broker" / sub for sub in ("out", "processed", "control")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    conf.broker_transport_options = {
        **saved,
        "data_folder_in": str(folders["out"]),
        "data_folder_out": str(folders["out"]),
        "processed_folder": str(folders["processed"]),
        "control_folder": str(folders["control"]),
    }
    _reset_pools(celery_app)
    try:
        yield folders["out"]
    finally:
        conf.broker_transport_options = saved
        _reset_pools(celery_app)
