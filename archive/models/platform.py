"""The main platform's push integration: API tokens, receipts (the idempotency record) and
print tasks for born-digital items that must also be filed on paper."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from archive.scoping import ScopedQuerySet


class PlatformToken(models.Model):
    """An API token of the main platform, scoped to one agency and its jurisdiction.

    Only the SHA-256 of the token is stored; ``prefix`` (public, part of the token) finds the
    row. Requests made with the token act as ``user``, a dedicated account of the agency in
    the 平台接口 role, so scoping and the operation log work as for staff.
    """

    name = models.CharField("名称", max_length=100)
    agency = models.ForeignKey(
        "archive.Agency",
        verbose_name="核对机构",
        on_delete=models.PROTECT,
        related_name="platform_tokens",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接口账号",
        on_delete=models.PROTECT,
        related_name="platform_tokens",
    )
    prefix = models.CharField("前缀", max_length=16, unique=True)
    key_hash = models.CharField("令牌哈希", max_length=64)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField("失效时间", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "agency"

    class Meta:
        verbose_name = "平台接口令牌"
        verbose_name_plural = "平台接口令牌"
        ordering = ["name", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(revoked_at__isnull=True),
                name="platformtoken_unique_active_name",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}）"

    @property
    def active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class PlatformReceipt(models.Model):
    """One filed push. ``key`` is unique: it makes a push idempotent and lets two concurrent
    pushes of the same report file it once (the loser finds the winner's row)."""

    class Kind(models.TextChoices):
        REPORT = "report", "核对报告"
        MATERIAL = "material", "其他材料"

    key = models.CharField("幂等键", max_length=200, unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    token = models.ForeignKey(
        PlatformToken,
        verbose_name="令牌",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="receipts",
    )
    item = models.ForeignKey(
        "archive.Item",
        verbose_name="件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="platform_receipts",
    )
    sha256 = models.CharField("原件 SHA-256", max_length=64)
    receipt = models.JSONField("回执", default=dict)
    created_at = models.DateTimeField("接收时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "item__agency"

    class Meta:
        verbose_name = "平台推送回执"
        verbose_name_plural = "平台推送回执"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.key


class PrintTask(models.Model):
    """A born-digital item to print with its 归档章 and file on paper (docs/domain.md)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待打印"
        PRINTED = "printed", "已打印归档"

    item = models.OneToOneField(
        "archive.Item", verbose_name="件", on_delete=models.PROTECT, related_name="print_task"
    )
    file = models.ForeignKey(
        "archive.File",
        verbose_name="打印件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    printed_at = models.DateTimeField("打印归档时间", null=True, blank=True)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    scope_path = "item__agency"

    class Meta:
        verbose_name = "打印任务"
        verbose_name_plural = "打印任务"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"打印 {self.item}"
