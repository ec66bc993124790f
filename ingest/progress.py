from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from ingest.models import Batch, Document


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    failed: int
    by_status: dict[str, int]

    @property
    def finished(self) -> bool:
        return self.done >= self.total

    def as_json(self) -> dict:
        return {
            "total": self.total,
            "done": self.done,
            "failed": self.failed,
            "by_status": self.by_status,
            "finished": self.finished,
        }


def batch_progress(batch: Batch) -> Progress:
    counts = dict(
        Document.objects.filter(batch=batch)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    total = sum(counts.values())
    done = sum(n for status, n in counts.items() if status in Document.FINISHED)
    failed = sum(counts.get(s, 0) for s in (Document.Status.REJECTED, Document.Status.ATTENTION))
    return Progress(total=total, done=done, failed=failed, by_status=counts)
