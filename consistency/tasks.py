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
    """One slice of the current fixity run; the next slice goes on from its cursor."""
    from consistency.fixity import run_fixity

    outcome = run_fixity(budget_seconds=budget_seconds)
    run = outcome.run
    return {"run": run.pk, "checked": run.checked, "failed": run.failed, "done": outcome.done}
