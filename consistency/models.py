"""Models of the consistency app: check runs, discrepancies and their resolution, corrected
versions of electronic records, fixity runs and their failures, cached paper readings."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from archive.scoping import ScopedQuerySet


class CheckRun(models.Model):
    """One run of the paper–electronic check (command, schedule or staff page)."""

    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    scope = models.JSONField("范围", default=dict, blank=True)
    pairs = models.PositiveIntegerField("比对对数", default=0)
    pages = models.PositiveIntegerField("比对页数", default=0)
    found = models.PositiveIntegerField("发现不一致", default=0)
    doubts = models.PositiveIntegerField("识别存疑（未计为不一致）", default=0)
    seconds = models.FloatField("耗时（秒）", default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "一致性检查"
        verbose_name_plural = "一致性检查"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"一致性检查 {self.started_at:%Y-%m-%d %H:%M}"


class Discrepancy(models.Model):
    """One difference between the paper and the electronic record, or an inventory gap."""

    class Kind(models.TextChoices):
        CONTENT = "content", "内容不一致"
        PAPER_ONLY = "paper_only", "有纸质无电子"
        NOT_SCANNED_BACK = "not_scanned_back", "已打印未回扫归档"
        PAGE_COUNT = "page_count", "页数不符"
        NO_IMAGE = "no_image", "目录无图像"
        NO_ENTRY = "no_entry", "图像无目录"
        NUMBER_GAP = "number_gap", "件号不连续"
        PAIR_PAGES = "pair_pages", "纸电页数不同"

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        ELECTRONIC_CORRECTED = "electronic_corrected", "电子已更正（以纸质为准）"
        PAPER_WRONG = "paper_wrong", "纸质有误（已记录）"
        DISMISSED = "dismissed", "经核实无误"

    key = models.CharField("标识", max_length=64, unique=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    item = models.ForeignKey(
        "archive.Item",
        verbose_name="件（电子）",
        on_delete=models.PROTECT,
        related_name="consistency_discrepancies",
    )
    paper_item = models.ForeignKey(
        "archive.Item",
        verbose_name="件（纸质）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    field = models.CharField("字段", max_length=40, blank=True)
    context = models.CharField("所属", max_length=100, blank=True)
    paper = models.TextField("纸质值", blank=True)
    electronic = models.TextField("电子值", blank=True)
    page = models.PositiveIntegerField("纸质页号", null=True, blank=True)
    electronic_page = models.PositiveIntegerField("电子页号", null=True, blank=True)
    confidence = models.FloatField("置信度", default=1.0)
    snippet = models.BinaryField("页面区域图像", blank=True, default=b"")
    detail = models.JSONField("说明", default=dict, blank=True)
    status = models.CharField(
        "状态", max_length=24, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    decision = models.TextField("处理意见", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    first_seen = models.DateTimeField("发现时间", auto_now_add=True)
    last_seen = models.DateTimeField("最近检出", auto_now=True)
    run = models.ForeignKey(
        CheckRun, verbose_name="检查", null=True, blank=True, on_delete=models.SET_NULL
    )

    objects = ScopedQuerySet.as_manager()
    scope_path = "item__agency"

    class Meta:
        verbose_name = "纸电不一致"
        verbose_name_plural = "纸电不一致"
        ordering = ["-first_seen", "pk"]
        permissions = [("resolve_discrepancy", "处理纸电不一致")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.field} {self.item}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class RecordVersion(models.Model):
    """A version of an item's electronic record. A correction never overwrites: the corrected
    record is a new version linked to the one it replaces, each sealed by its sha256 (also in
    the operation log's hash chain)."""

    item = models.ForeignKey(
        "archive.Item", verbose_name="件", on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveIntegerField("版本号")
    data = models.JSONField("记录内容")
    sha256 = models.CharField("SHA-256", max_length=64)
    previous = models.OneToOneField(
        "self",
        verbose_name="前一版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
    )
    discrepancy = models.ForeignKey(
        Discrepancy, verbose_name="依据", null=True, blank=True, on_delete=models.PROTECT
    )
    basis = models.CharField("依据说明", max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="更正人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "item__agency"

    class Meta:
        verbose_name = "电子记录版本"
        verbose_name_plural = "电子记录版本"
        ordering = ["item", "number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="recordversion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item} 第{self.number}版"


class PaperReadingCache(models.Model):
    """The consistency check's own reading of a page image, kept by the image's sha256."""

    image_sha256 = models.CharField(max_length=64, unique=True)
    reading = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "纸质页识别缓存"
        verbose_name_plural = "纸质页识别缓存"

    def __str__(self) -> str:
        return self.image_sha256[:16]


class FixityRun(models.Model):
    """A re-hash of every stored object, in sha256 order; resumable from ``cursor`` (the last
    object done), so an interrupted run goes on where it stopped."""

    class Status(models.TextChoices):
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"

    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    updated_at = models.DateTimeField("进度更新时间", auto_now=True)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.RUNNING, db_index=True
    )
    total = models.PositiveIntegerField("对象总数", default=0)
    checked = models.PositiveIntegerField("已校验", default=0)
    failed = models.PositiveIntegerField("不符", default=0)
    bytes_read = models.PositiveBigIntegerField("读取字节", default=0)
    cursor = models.CharField("进度位置（已校验到的 SHA-256）", max_length=64, blank=True)

    class Meta:
        verbose_name = "存储校验"
        verbose_name_plural = "存储校验"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"存储校验 {self.started_at:%Y-%m-%d %H:%M}（{self.get_status_display()}）"


class FixityFailure(models.Model):
    """A stored object whose bytes no longer hash to its name, or that cannot be read."""

    run = models.ForeignKey(FixityRun, on_delete=models.CASCADE, related_name="failures")
    sha256 = models.CharField("应有 SHA-256", max_length=64, db_index=True)
    actual = models.CharField("实际 SHA-256", max_length=64, blank=True)
    error = models.CharField("错误", max_length=300, blank=True)
    files = models.JSONField("涉及文件", default=list)
    found_at = models.DateTimeField("发现时间", auto_now_add=True)
    cleared_at = models.DateTimeField("恢复时间", null=True, blank=True)

    class Meta:
        verbose_name = "存储校验不符"
        verbose_name_plural = "存储校验不符"
        ordering = ["-found_at"]

    def __str__(self) -> str:
        return f"{self.sha256[:16]}…"
