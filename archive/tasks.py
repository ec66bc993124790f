"""Celery tasks of the archive core: the periodic anchor of the operation log."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="archive.tasks.anchor_audit_chain")
def anchor_audit_chain() -> str | None:
    """Sign the operation log's head and write it outside the database (CELERY_BEAT_SCHEDULE)."""
    from archive.audit_anchor import anchor_now

    anchor = anchor_now()
    return anchor.name if anchor else None
