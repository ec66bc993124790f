"""Celery tasks of the push: the deferred seal of a pushed item and its sweeper.

Messages may be lost or delivered twice (Redis redelivers unacknowledged ones); neither
matters: the job row is the promise, a sealed job is never sealed again, and the sweeper
queues what nobody works on (push/sealing.py).
"""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready

from push import sealing


@shared_task(bind=True, acks_late=True, name="push.tasks.seal_item")
def seal_item(self, item_id: int) -> str:
    return sealing.seal_item(item_id, self.request.hostname or "celery")


@shared_task(name="push.tasks.requeue_stalled_seals")
def requeue_stalled_seals() -> int:
    return sealing.requeue_stalled()


@worker_ready.connect
def _reclaim_own_seals(sender=None, **kwargs) -> None:
    hostname = getattr(sender, "hostname", None)
    if hostname:
        sealing.reclaim(hostname)
