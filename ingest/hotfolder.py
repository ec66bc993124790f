"""Hot folders: $HEDANG_DATA_DIR/inbox/<station>/, one per scanning station.

A network scanner writes a file slowly; a file is taken only once its size and modification
time have stayed the same for ``settle`` seconds. Taken files are removed from the inbox
after their bytes are stored and verified; refused ones move to ``.rejected/`` beside a note
saying why, so the archivist at the station sees what happened.

A station with ``stack_folders`` scans stacks: each subfolder of its hot folder is one stack
(sheet-feeding scanners write one image per page into a folder per job). The subfolder is
taken whole once every file in it — hidden ones too, which is how scanners and copy tools
write a file before renaming it — and the folder itself have stayed unchanged for
``settle`` seconds; its images, in file-name order, are joined into one PDF (nothing is
re-compressed) and ingested as one document, which separator sheets split into items.
Files at the top of such a hot folder are still taken one by one.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from ingest import sniff
from ingest.intake import Incoming, intake
from ingest.models import Batch, Document, Station
from ingest.stacks import join_page_images

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


def _hidden(path: Path, root: Path) -> bool:
    return any(p.startswith(".") for p in path.relative_to(root).parts)


def candidates(root: Path, stacking: frozenset[str] = frozenset()) -> Iterable[Path]:
    """Single files to take: every visible file, except those in a stack station's subfolders."""
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or _hidden(path, root):
            continue
        if relative.parts[0] in stacking and len(relative.parts) > 2:
            continue
        yield path


def stack_folders(root: Path, stacking: Iterable[str]) -> Iterable[Path]:
    for name in sorted(stacking):
        station = root / name
        if station.is_dir():
            yield from (p for p in sorted(station.iterdir()) if p.is_dir() and p.name[0] != ".")


def stack_files(folder: Path) -> list[Path]:
    """The pages of a stack: its visible files, in file-name order (subfolders by path)."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and not _hidden(p, folder))


class Watcher:
    """Keeps the last size/mtime of every inbox file and takes the ones that settled."""

    def __init__(self, settle: float = 2.0) -> None:
        self.settle = settle
        self.seen: dict[Path, Seen] = {}

    def _check(self, path: Path, now: float, current: dict[Path, Seen]) -> bool | None:
        """Whether ``path`` has settled (None: it is gone)."""
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        before = self.seen.get(path)
        if before and (before.size, before.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            current[path] = before
            return now - before.since >= self.settle
        current[path] = Seen(stat.st_size, stat.st_mtime_ns, now)
        return False

    def settled(self, now: float | None = None) -> list[Path]:
        """Settled single files, and stack subfolders all of whose files have settled."""
        now = time.monotonic() if now is None else now
        stacking = frozenset(
            Station.objects.filter(active=True, stack_folders=True).values_list("name", flat=True)
        )
        ready, current = [], {}
        for path in candidates(inbox_dir(), stacking):
            if self._check(path, now, current):
                ready.append(path)
        for folder in stack_folders(inbox_dir(), stacking):
            members = [folder, *(p for p in folder.rglob("*") if p.is_file())]
            states = [self._check(p, now, current) for p in members]
            if all(states) and stack_files(folder):
                ready.append(folder)
        self.seen = current
        return ready

    def take(self, paths: list[Path]) -> list[Document]:
        by_station: dict[str, list[Path]] = {}
        for path in paths:
            station = path.relative_to(inbox_dir()).parts[0]
            by_station.setdefault(station, []).append(path)
        documents = []
        for name, found in by_station.items():
            station = Station.objects.filter(name=name, active=True).first()
            if station is None:
                log.warning("inbox folder %s has no active station; files left in place", name)
                continue
            files = [p for p in found if not p.is_dir()]
            documents += take_files(station, files) if files else []
            for folder in (p for p in found if p.is_dir()):
                documents += take_stack(station, folder)
        for path in paths:
            self.seen.pop(path, None)
        return documents


@dataclass(frozen=True)
class FromInbox(Incoming):
    path: Path | None = None


def _intake(station: Station, files, detail: dict, then):
    return intake(
        files,
        source=Batch.Source.HOT_FOLDER,
        agency=station.agency,
        station=station,
        detail=detail,
        then=then,
    )


def take_files(station: Station, files: list[Path]) -> list[Document]:
    """Single files of a station: one batch, each file's bytes read when its turn comes and
    the file removed (or moved to .rejected/) as soon as its documents are committed."""

    def incoming():
        for path in files:
            yield FromInbox(path.name, path.read_bytes(), path=path)

    def settle(taken: FromInbox, documents: list[Document]) -> None:
        rejected = [d for d in documents if d.status == Document.Status.REJECTED]
        if rejected:
            _move_rejected(taken.path, "；".join(d.error for d in rejected))
        else:
            taken.path.unlink()  # its bytes are stored and verified

    return _intake(station, incoming(), {"files": len(files)}, settle).documents


def take_stack(station: Station, folder: Path) -> list[Document]:
    """One subfolder of a stack station: its images joined, in name order, as one document."""
    files = stack_files(folder)
    images = [p.read_bytes() for p in files]
    name = f"{folder.name}.pdf"
    try:
        incoming = Incoming(name, join_page_images(images, [p.name for p in files]))
    except sniff.Rejected as exc:
        incoming = Incoming(name, b"".join(images), refused=str(exc))
    return _intake(
        station, [incoming], {"files": len(files), "stack": folder.name}, _settle_stack(folder)
    ).documents


def _settle_stack(folder: Path):
    def settle(taken: Incoming, documents: list[Document]) -> None:
        rejected = [d for d in documents if d.status == Document.Status.REJECTED]
        if rejected:
            _move_rejected(folder, "；".join(d.error for d in rejected))
        else:
            shutil.rmtree(folder)  # the joined bytes are stored and verified

    return settle


def _move_rejected(path: Path, reason: str) -> None:
    """A refused file, or a refused stack subfolder, moves to .rejected/ with a note."""
    station_root = inbox_dir() / path.relative_to(inbox_dir()).parts[0]
    target_dir = station_root / REJECTED_DIR
    target_dir.mkdir(exist_ok=True)
    target = target_dir / path.name
    stamp = time.strftime("%Y%m%d-%H%M%S")
    if target.exists():
        target = target_dir / f"{path.stem}-{stamp}{path.suffix}"
    path.rename(target)
    target.with_name(target.name + ".原因.txt").write_text(reason + "\n", encoding="utf-8")
