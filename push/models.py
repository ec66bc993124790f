"""The push's own table: the deferred seal of each pushed item.

A push is filed and answered before the archive's seal is on its access copy: the receipt
promises the seal (已接收，封存中) and a :class:`SealJob` keeps the promise. A Celery worker
takes the job under a lease (push/sealing.py), adds the sealed copy to the item and marks
the job sealed; a sweeper re-queues jobs whose worker died. The other push models
(PlatformToken, PlatformReceipt, PrintTask) stay in archive (push/apps.py says why).
"""

from __future__ import annotations

from django.db import models

from archive.scoping import ScopedQuerySet


class SealJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "封存中"
        SEALED = "sealed", "已封存"
        FAILED = "failed", "封存失败"

    item = models.OneToOneField(
        "archive.Item", verbose_name="件", on_delete=models.CASCADE, related_name="seal_job"
    )
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    worker = models.CharField("处理进程", max_length=200, blank=True)
    lease_until = models.DateTimeField("租约到期", null=True, blank=True)
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("接收时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    sealed_at = models.DateTimeField("封存时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "item__agency"

    class Meta:
        verbose_name = "归档签章任务"
        verbose_name_plural = "归档签章任务"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"签章 {self.item_id}（{self.get_status_display()}）"
