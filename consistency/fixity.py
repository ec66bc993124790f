"""Fixity: every stored object re-hashed, streamed, in slices, resumable.

Objects are visited in sha256 order; the run keeps the last one done (``cursor``), its counts
and every failure, so a run cut short (a worker restart, a time budget) goes on where it
stopped. A mismatch or an unreadable object is a :class:`FixityFailure`, an ``alarm`` entry in
the operation log and an alarm on the dashboard until a later run finds the object intact.
The archive itself refuses to serve an object whose bytes fail their hash
(``archive.storage.read_blob(verify=True)``), so a damaged object is never given out as the
original.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.utils import timezone

from archive import audit
from archive.models import File
from archive.storage import open_blob, sha256_of
from consistency.models import FixityFailure, FixityRun

SAVE_EVERY_SECONDS = 2.0


@dataclass(frozen=True)
class Outcome:
    run: FixityRun
    done: bool


def current_run() -> FixityRun:
    run = FixityRun.objects.filter(status=FixityRun.Status.RUNNING).order_by("-started_at").first()
    if run is None:
        run = FixityRun.objects.create(total=_objects().count())
        audit.record(audit.Action.CHECK, run, detail={"fixity": "started", "total": run.total})
    return run


def _objects():
    return File.objects.order_by("sha256").values_list("sha256", flat=True).distinct()


def _check_one(sha256: str) -> tuple[str, int, str]:
    """(actual sha256, size, error)."""
    try:
        # Unverified: this hash is the check (a verified open would hash it twice and only
        # say "damaged", not what the bytes now are).
        with open_blob(sha256, verify=False) as fh:
            actual, size = sha256_of(fh)
        return actual, size, ""
    except Exception as exc:  # missing or unreadable: a failure, not a crash of the run
        return "", 0, f"{type(exc).__name__}: {exc}"[:300]


def run_fixity(*, budget_seconds: float | None = None, limit: int | None = None) -> Outcome:
    """Go on with the current run (or start one) for at most ``budget_seconds`` / ``limit``
    objects. Returns whether the run has finished."""
    run = current_run()
    started = last_save = time.monotonic()
    done_now = 0
    for sha256 in _objects().filter(sha256__gt=run.cursor).iterator(chunk_size=500):
        if limit is not None and done_now >= limit:
            break
        if budget_seconds is not None and time.monotonic() - started > budget_seconds:
            break
        actual, size, error = _check_one(sha256)
        run.checked += 1
        run.bytes_read += size
        run.cursor = sha256
        done_now += 1
        if error or actual != sha256:
            _fail(run, sha256, actual, error)
        else:
            FixityFailure.objects.filter(sha256=sha256, cleared_at__isnull=True).update(
                cleared_at=timezone.now()
            )
        if time.monotonic() - last_save > SAVE_EVERY_SECONDS:
            run.save()
            last_save = time.monotonic()
    finished = not _objects().filter(sha256__gt=run.cursor).exists()
    if finished:
        run.status = FixityRun.Status.DONE
        run.finished_at = timezone.now()
    run.save()
    if finished:
        audit.record(
            audit.Action.CHECK,
            run,
            detail={"fixity": "done", "checked": run.checked, "failed": run.failed},
        )
    return Outcome(run, finished)


def _fail(run: FixityRun, sha256: str, actual: str, error: str) -> None:
    run.failed += 1
    files = list(
        File.objects.filter(sha256=sha256).values("pk", "item_id", "item__archive_number", "role")
    )
    FixityFailure.objects.create(run=run, sha256=sha256, actual=actual, error=error, files=files)
    audit.record(
        audit.Action.ALARM,
        object_type="archive.File",
        object_id=str(files[0]["pk"]) if files else "",
        object_repr=f"存储对象校验不符 {sha256[:16]}…",
        detail={
            "fixity_run": run.pk,
            "sha256": sha256,
            "actual": actual,
            "error": error,
            "items": sorted({f["item__archive_number"] or str(f["item_id"]) for f in files}),
        },
    )


def open_alarms():
    return FixityFailure.objects.filter(cleared_at__isnull=True)
