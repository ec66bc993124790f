"""Loans (借阅): who reads which items, when and why; the counted return; incidents; reading.

A loan is requested → approved or refused → issued → returned → closed (or ``incident`` while a
counted return disagrees with what was issued). Paper is issued for the reading room only:
there is deliberately no "taken out" state. The rules live in ``loans.services``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from archive.scoping import ScopedQuerySet


def default_start() -> dt.time:
    return dt.time(9, 0)


def default_end() -> dt.time:
    return dt.time(17, 0)


class LoanQuerySet(ScopedQuerySet):
    def overdue(self, now: dt.datetime | None = None) -> LoanQuerySet:
        """Issued and not returned by the end of its day (local time)."""
        today = timezone.localdate(now or timezone.now())
        return self.filter(status=Loan.Status.ISSUED, date__lt=today)

    def open(self, now: dt.datetime | None = None) -> LoanQuerySet:
        """Loans whose items are, or may still be, in a reader's hands: issued or awaiting
        their incidents, or requested/approved for today or a later day. A request whose day
        has passed unused has lapsed and holds nothing."""
        today = timezone.localdate(now or timezone.now())
        return self.filter(
            models.Q(status__in=(Loan.Status.ISSUED, Loan.Status.INCIDENT))
            | models.Q(status__in=(Loan.Status.REQUESTED, Loan.Status.APPROVED), date__gte=today)
        )


class Loan(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "待审批"
        APPROVED = "approved", "已批准"
        REFUSED = "refused", "已驳回"
        ISSUED = "issued", "已发放"
        INCIDENT = "incident", "归还异常待处理"
        CLOSED = "closed", "已归还结清"

    class Kind(models.TextChoices):
        PAPER = "paper", "纸质（阅览室内）"
        ELECTRONIC = "electronic", "电子阅览"
        BOTH = "both", "纸质和电子"

    agency = models.ForeignKey(
        "archive.Agency",
        verbose_name="受理机构",
        on_delete=models.PROTECT,
        related_name="loans",
        help_text="受理借阅申请的核对机构（申请人所属机构）。",
    )
    borrower_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="借阅人（本系统用户）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loans_borrowed",
    )
    borrower_name = models.CharField("借阅人姓名", max_length=50)
    borrower_id_number = models.CharField("借阅人身份证号", max_length=18, blank=True)
    borrower_unit = models.CharField("借阅单位", max_length=100)
    letter_sha256 = models.CharField("介绍信（SHA-256）", max_length=64, blank=True)
    letter_name = models.CharField("介绍信文件名", max_length=200, blank=True)
    letter_media_type = models.CharField("介绍信类型", max_length=100, blank=True)
    purpose = models.CharField("借阅目的", max_length=300)
    kind = models.CharField("借阅方式", max_length=12, choices=Kind.choices)
    date = models.DateField("借阅日期")
    start_time = models.TimeField("开始时间", default=default_start)
    end_time = models.TimeField("结束时间", default=default_end)
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请登记人",
        on_delete=models.PROTECT,
        related_name="loans_requested",
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loans_decided",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    refusal_reason = models.CharField("驳回理由", max_length=300, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发放人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loans_issued",
    )
    issued_at = models.DateTimeField("发放时间", null=True, blank=True)
    returned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人（点收）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loans_received",
    )
    returned_at = models.DateTimeField("归还时间", null=True, blank=True)
    closed_at = models.DateTimeField("结清时间", null=True, blank=True)

    objects = LoanQuerySet.as_manager()
    scope_path = "agency"

    class Meta:
        verbose_name = "借阅"
        verbose_name_plural = "借阅"
        ordering = ["-date", "-pk"]
        permissions = [
            ("approve_loan", "审批借阅"),
            ("issue_loan", "发放和点收借阅"),
            ("read_electronic", "电子阅览原件（无需借阅单）"),
            ("inspect_loans", "监督检查借阅"),
            ("export_loan_register", "导出借阅登记簿"),
        ]
        indexes = [models.Index(fields=["status", "date"])]

    def __str__(self) -> str:
        return f"借阅单 {self.pk}（{self.borrower_name}，{self.date}）"

    @property
    def has_paper(self) -> bool:
        return self.kind in (self.Kind.PAPER, self.Kind.BOTH)

    @property
    def has_electronic(self) -> bool:
        return self.kind in (self.Kind.ELECTRONIC, self.Kind.BOTH)

    def due_at(self) -> dt.datetime:
        """The end of the loan's day: after it an issued loan is overdue."""
        end = dt.datetime.combine(self.date, dt.time.max)
        return timezone.make_aware(end)

    def hours_at(self) -> tuple[dt.datetime, dt.datetime]:
        start = timezone.make_aware(dt.datetime.combine(self.date, self.start_time))
        end = timezone.make_aware(dt.datetime.combine(self.date, self.end_time))
        return start, end

    @property
    def is_lapsed(self) -> bool:
        """Requested or approved, but its day passed without the items being issued."""
        return (
            self.status in (self.Status.REQUESTED, self.Status.APPROVED)
            and self.date < timezone.localdate()
        )

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.ISSUED and timezone.now() > self.due_at()


class LoanItem(models.Model):
    class Condition(models.TextChoices):
        INTACT = "intact", "完好"
        DAMAGED = "damaged", "损坏"

    loan = models.ForeignKey(
        Loan, verbose_name="借阅", on_delete=models.CASCADE, related_name="lines"
    )
    item = models.ForeignKey(
        "archive.Item", verbose_name="件", on_delete=models.PROTECT, related_name="loan_lines"
    )
    pages_issued = models.PositiveIntegerField("发放页数", null=True, blank=True)
    pages_counted = models.PositiveIntegerField("归还清点页数", null=True, blank=True)
    condition = models.CharField("归还状况", max_length=10, choices=Condition.choices, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "loan__agency"

    class Meta:
        verbose_name = "借阅件"
        verbose_name_plural = "借阅件"
        ordering = ["loan", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "item"], name="loanitem_unique_item")
        ]

    def __str__(self) -> str:
        return f"{self.loan_id}: {self.item}"


class Incident(models.Model):
    class Kind(models.TextChoices):
        COUNT_MISMATCH = "count_mismatch", "页数不符"
        DAMAGE = "damage", "损坏"

    loan = models.ForeignKey(
        Loan, verbose_name="借阅", on_delete=models.CASCADE, related_name="incidents"
    )
    line = models.ForeignKey(
        LoanItem, verbose_name="借阅件", on_delete=models.CASCADE, related_name="incidents"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    detail = models.CharField("情况", max_length=300)
    opened_at = models.DateTimeField("发现时间", auto_now_add=True)
    resolved = models.BooleanField("已处理", default=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    resolution = models.TextField("处理说明", blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "loan__agency"

    class Meta:
        verbose_name = "借阅异常"
        verbose_name_plural = "借阅异常"
        ordering = ["loan", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.detail}"


class ReadingEvent(models.Model):
    """One act in the electronic reading room, kept beside the operation-log entry so the
    inspector's figures (most-read households, reading out of hours) are plain queries."""

    class Kind(models.TextChoices):
        VIEW = "view", "打开阅览"
        PAGE = "page", "翻页"
        DOWNLOAD = "download", "下载"
        PRINT = "print", "打印"
        REFUSED = "refused", "拒绝访问"

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="阅览人", on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        "archive.Item", verbose_name="件", on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "archive.Household",
        verbose_name="户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    loan = models.ForeignKey(
        Loan, verbose_name="借阅", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("操作", max_length=10, choices=Kind.choices)
    page = models.PositiveIntegerField("页号", null=True, blank=True)
    reason = models.CharField("说明", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "item__agency"

    class Meta:
        verbose_name = "电子阅览记录"
        verbose_name_plural = "电子阅览记录"
        ordering = ["-at", "-pk"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.user} {self.get_kind_display()} {self.item}"
