"""Hot folders: $HEDANG_DATA_DIR/inbox/<station>/, one per scanning station.

A network scanner writes a file slowly; a file is taken only once its size and modification
time have stayed the same for ``settle`` seconds. Taken files are removed from the inbox
after their bytes are stored and verified; refused ones move to ``.rejected/`` beside a note
saying why, so the archivist at the station sees what happened.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from ingest import pipeline
from ingest.models import Batch, Document, Station
from ingest.tasks import enqueue

log = logging.getLogger(__name__)
REJECTED_DIR = ".rejected"


@dataclass(frozen=True)
class Seen:
    size: int
    mtime_ns: int
    since: float


def inbox_dir() -> Path:
    return Path(settings.HEDANG_INBOX_DIR)


def ensure_station_folders() -> list[Path]:
    folders = []
    for station in Station.objects.filter(active=True):
        folder = inbox_dir() / station.name
        folder.mkdir(parents=True, exist_ok=True)
        folders.append(folder)
    return folders


def candidates(root: Path) -> Iterable[Path]:
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not any(p.startswith(".") for p in relative.parts):
            yield path


class Watcher:
    """Keeps the last size/mtime of every inbox file and takes the ones that settled."""

    def __init__(self, settle: float = 2.0) -> None:
        self.settle = settle
        self.seen: dict[Path, Seen] = {}

    def settled(self, now: float | None = None) -> list[Path]:
        now = time.monotonic() if now is None else now
        ready, current = [], {}
        for path in candidates(inbox_dir()):
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            before = self.seen.get(path)
            if before and (before.size, before.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
                current[path] = before
                if now - before.since >= self.settle:
                    ready.append(path)
            else:
                current[path] = Seen(stat.st_size, stat.st_mtime_ns, now)
        self.seen = current
        return ready

    def take(self, paths: list[Path]) -> list[Document]:
        by_station: dict[str, list[Path]] = {}
        for path in paths:
            station = path.relative_to(inbox_dir()).parts[0]
            by_station.setdefault(station, []).append(path)
        documents = []
        for name, files in by_station.items():
            station = Station.objects.filter(name=name, active=True).first()
            if station is None:
                log.warning("inbox folder %s has no active station; files left in place", name)
                continue
            documents += take_files(station, files)
        for path in paths:
            self.seen.pop(path, None)
        return documents


def take_files(station: Station, files: list[Path]) -> list[Document]:
    batch = Batch.objects.create(
        source=Batch.Source.HOT_FOLDER,
        agency=station.agency,
        station=station,
        household=station.default_household,
        category=station.default_category,
        subtype=station.default_subtype,
    )
    taken = []
    for path in files:
        data = path.read_bytes()
        with transaction.atomic():
            documents = pipeline.submit(batch, path.name, data)
        rejected = [d for d in documents if d.status == Document.Status.REJECTED]
        if rejected:
            _move_rejected(path, "；".join(d.error for d in rejected))
        else:
            path.unlink()  # its bytes are stored and verified
        for document in documents:
            enqueue(document)
        taken += documents
    return taken


def _move_rejected(path: Path, reason: str) -> None:
    station_root = inbox_dir() / path.relative_to(inbox_dir()).parts[0]
    target_dir = station_root / REJECTED_DIR
    target_dir.mkdir(exist_ok=True)
    target = target_dir / path.name
    stamp = time.strftime("%Y%m%d-%H%M%S")
    if target.exists():
        target = target_dir / f"{path.stem}-{stamp}{path.suffix}"
    path.rename(target)
    target.with_name(target.name + ".原因.txt").write_text(reason + "\n", encoding="utf-8")
