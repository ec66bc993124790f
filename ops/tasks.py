"""Scheduled work of the ops app (Celery beat: CELERY_BEAT_SCHEDULE in settings)."""

from __future__ import annotations

import logging

from celery import shared_task

from ops.backup import scheduled_backup

log = logging.getLogger(__name__)


@shared_task(acks_late=False)
def nightly_backup() -> dict:
    """A backup into HEDANG_BACKUP_DIR and retention of HEDANG_BACKUP_KEEP of them.

    Not acks_late: a backup interrupted by a dying worker is not worth redoing twice over;
    the next night's run makes a fresh one, and the unfinished folder has no manifest."""
    report, removed = scheduled_backup()
    if report.damaged:
        log.error("backup %s: damaged objects %s", report.path, report.damaged)
    return {**report.as_dict(), "removed": removed}
