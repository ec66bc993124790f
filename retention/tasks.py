"""Celery tasks of the retention app (the schedule is CELERY_BEAT_SCHEDULE in settings)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="retention.tasks.daily_sweep")
def daily_sweep() -> int:
    """Once a day: what fell due joins the appraisal list. Expiry never deletes anything."""
    from retention.sweep import fill_appraisal_list

    return fill_appraisal_list()
