"""Models of the retention app: the appraisal list, holds, appraisals and destruction batches.

Nothing here deletes an item. Expiry only puts an item on the appraisal list (``DueEntry``);
an appraisal keeps it (with a new period) or proposes it for destruction; a destruction batch
is approved by the agency head, checked by two supervisors, and only then executed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from archive.scoping import ScopedQuerySet


class DueEntry(models.Model):
    """An item on the appraisal list: its retention ran out on ``due_on``."""

    class State(models.TextChoices):
        PENDING = "pending", "待鉴定"
        KEPT = "kept", "继续保存"
        PROPOSED = "proposed", "拟销毁"
        DESTROYED = "destroyed", "已销毁"

    item = models.OneToOneField(
        "archive.Item", verbose_name="件", on_delete=models.PROTECT, related_name="due_entry"
    )
    due_on = models.DateField("到期日", db_index=True)
    listed_on = models.DateField("列入鉴定日期")
    state = models.CharField(
        "状态", max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )

    objects = ScopedQuerySet.as_manager()
    scope_path = "item__agency"

    class Meta:
        verbose_name = "到期待鉴定"
        verbose_name_plural = "到期待鉴定"
        ordering = ["due_on", "item_id"]
        permissions = [("appraise_item", "鉴定到期档案")]

    def __str__(self) -> str:
        return f"{self.item} 到期 {self.due_on}"


class Hold(models.Model):
    """A manual hold (冻结/暂缓销毁) on one item, a household or a case."""

    item = models.ForeignKey(
        "archive.Item", verbose_name="件", null=True, blank=True, on_delete=models.PROTECT
    )
    household = models.ForeignKey(
        "archive.Household", verbose_name="户", null=True, blank=True, on_delete=models.PROTECT
    )
    case = models.ForeignKey(
        "archive.Case", verbose_name="核对业务", null=True, blank=True, on_delete=models.PROTECT
    )
    agency = models.ForeignKey("archive.Agency", verbose_name="核对机构", on_delete=models.PROTECT)
    reason = models.CharField("冻结原因", max_length=300)
    until = models.DateField("冻结至", null=True, blank=True, help_text="空表示直至解除。")
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="冻结人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    placed_at = models.DateTimeField("冻结时间", auto_now_add=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="解除人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lifted_at = models.DateTimeField("解除时间", null=True, blank=True)
    lift_reason = models.CharField("解除原因", max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "agency"

    class Meta:
        verbose_name = "冻结"
        verbose_name_plural = "冻结"
        ordering = ["-placed_at"]
        permissions = [("place_hold", "冻结或解除冻结")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(item__isnull=False, household__isnull=True, case__isnull=True)
                    | models.Q(item__isnull=True, household__isnull=False, case__isnull=True)
                    | models.Q(item__isnull=True, household__isnull=True, case__isnull=False)
                ),
                name="hold_exactly_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"冻结 {self.target}"

    @property
    def target(self):
        return self.item or self.household or self.case

    @property
    def active(self) -> bool:
        return self.lifted_at is None


class Appraisal(models.Model):
    """One appraisal (鉴定) of a household's due items, decided together."""

    household = models.ForeignKey(
        "archive.Household", verbose_name="户", null=True, on_delete=models.PROTECT
    )
    agency = models.ForeignKey("archive.Agency", verbose_name="核对机构", on_delete=models.PROTECT)
    appraisers = models.CharField("鉴定人", max_length=200)
    reason = models.TextField("鉴定意见")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("鉴定时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "agency"

    class Meta:
        verbose_name = "鉴定"
        verbose_name_plural = "鉴定"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"鉴定 #{self.pk} {self.household}"


class AppraisalDecision(models.Model):
    """What one appraisal decided for one item: keep (until ``new_due_on``) or destroy."""

    class Decision(models.TextChoices):
        KEEP = "keep", "继续保存"
        DESTROY = "destroy", "拟销毁"

    appraisal = models.ForeignKey(
        Appraisal, verbose_name="鉴定", on_delete=models.PROTECT, related_name="decisions"
    )
    item = models.ForeignKey(
        "archive.Item",
        verbose_name="件",
        on_delete=models.PROTECT,
        related_name="retention_decisions",
    )
    decision = models.CharField("鉴定结论", max_length=10, choices=Decision.choices)
    due_on = models.DateField("原到期日")
    extra_years = models.PositiveSmallIntegerField("延长年限", null=True, blank=True)
    new_due_on = models.DateField("新到期日", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "item__agency"

    class Meta:
        verbose_name = "鉴定结论"
        verbose_name_plural = "鉴定结论"
        ordering = ["appraisal", "item_id"]
        indexes = [models.Index(fields=["item", "new_due_on"])]

    def __str__(self) -> str:
        return f"{self.item} {self.get_decision_display()}"


class DestructionBatch(models.Model):
    """A destruction batch (销毁批次) with its register (销毁清册) and its approvals."""

    class Status(models.TextChoices):
        DRAFT = "draft", "待审批"
        APPROVED = "approved", "负责人已批准"
        EXECUTED = "executed", "已销毁"
        CANCELLED = "cancelled", "已撤销"

    agency = models.ForeignKey("archive.Agency", verbose_name="核对机构", on_delete=models.PROTECT)
    title = models.CharField("批次名称", max_length=100)
    reason = models.TextField("销毁理由")
    method = models.CharField("电子档案销毁方式", max_length=100, default="删除全部电子副本")
    paper_method = models.CharField("纸质销毁方式", max_length=100, blank=True)
    paper_place = models.CharField("纸质销毁地点", max_length=100, blank=True)
    paper_destroyed_at = models.DateTimeField("纸质销毁时间", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField("申请时间", auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人（机构负责人）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="执行人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    executed_at = models.DateTimeField("执行时间", null=True, blank=True)
    place = models.CharField("销毁地点", max_length=100, blank=True)
    objects_removed = models.PositiveIntegerField("删除的存储对象数", default=0)
    objects_kept = models.PositiveIntegerField("保留的共用对象数", default=0)
    register_sha256 = models.CharField("销毁清册（签章 PDF）", max_length=64, blank=True)
    report_sha256 = models.CharField("销毁报告（签章 PDF）", max_length=64, blank=True)
    # Blobs still to remove after the database part of the execution committed; a retry
    # finishes them (a crash between the two leaves work, never a half-destroyed item).
    pending_blobs = models.JSONField("待删除对象", default=list, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "agency"

    class Meta:
        verbose_name = "销毁批次"
        verbose_name_plural = "销毁批次"
        ordering = ["-proposed_at"]
        permissions = [
            ("propose_destruction", "提出销毁"),
            ("approve_destruction", "批准销毁（机构负责人）"),
            ("supervise_destruction", "监销"),
            ("execute_destruction", "执行销毁"),
        ]

    def __str__(self) -> str:
        return f"销毁批次 #{self.pk} {self.title}"


class BatchItem(models.Model):
    """One line of the register; what it says is copied when the batch is made, so the
    register still reads the same after the item's content is gone."""

    batch = models.ForeignKey(
        DestructionBatch, verbose_name="批次", on_delete=models.PROTECT, related_name="lines"
    )
    item = models.ForeignKey(
        "archive.Item", verbose_name="件", on_delete=models.PROTECT, related_name="+"
    )
    decision = models.ForeignKey(
        AppraisalDecision, verbose_name="鉴定结论", on_delete=models.PROTECT, related_name="+"
    )
    archive_number = models.CharField("档号", max_length=80)
    title = models.CharField("户主/题名", max_length=300)
    year = models.PositiveSmallIntegerField("形成年度", null=True)
    retention = models.CharField("保管期限", max_length=4)
    due_on = models.DateField("到期日")
    pages = models.PositiveIntegerField("页数", default=0)
    files = models.PositiveIntegerField("电子文件数", default=0)
    carrier = models.CharField("载体", max_length=20)
    opinion = models.TextField("鉴定意见")

    class Meta:
        verbose_name = "销毁清册条目"
        verbose_name_plural = "销毁清册条目"
        ordering = ["batch", "archive_number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "item"], name="batchitem_unique_item")
        ]

    def __str__(self) -> str:
        return self.archive_number


class Supervision(models.Model):
    """A supervisor's (监销人) confirmation that the items were checked against the register."""

    batch = models.ForeignKey(
        DestructionBatch, verbose_name="批次", on_delete=models.PROTECT, related_name="supervisions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="监销人", on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认时间", auto_now_add=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "监销确认"
        verbose_name_plural = "监销确认"
        ordering = ["batch", "confirmed_at"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "user"], name="supervision_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} 监销 {self.batch_id}"
