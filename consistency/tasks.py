"""Scheduled runs (Celery beat, see CELERY_BEAT_SCHEDULE in config/settings.py)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="consistency.tasks.nightly_check")
def nightly_check() -> dict:
    from consistency.check import run_check

    result = run_check(scope={"scheduled": True})
    return {"pairs": result.run.pairs, "found": result.run.found}


@shared_task(name="consistency.tasks.fixity_slice")
def fixity_slice(budget_seconds: float = 240.0) -> dict:
    """One slice of the current fixity run; the next slice goes on from its cursor.

    A finished run is followed by the next one only after HEDANG_FIXITY_INTERVAL_DAYS (7 by
    default): re-hashing without pause would keep a worker busy and fill the log."""
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    from consistency.fixity import run_fixity
    from consistency.models import FixityRun

    interval = dt.timedelta(days=getattr(settings, "HEDANG_FIXITY_INTERVAL_DAYS", 7))
    if not FixityRun.objects.filter(status=FixityRun.Status.RUNNING).exists():
        last = FixityRun.objects.filter(status=FixityRun.Status.DONE).order_by("-finished_at")
        last = last.first()
        if last and last.finished_at and timezone.now() - last.finished_at < interval:
            return {"run": last.pk, "waiting": True}

    outcome = run_fixity(budget_seconds=budget_seconds)
    run = outcome.run
    return {"run": run.pk, "checked": run.checked, "failed": run.failed, "done": outcome.done}
