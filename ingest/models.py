from __future__ import annotations

from django.conf import settings
from django.db import models

from archive.categories import Category
from archive.scoping import ScopedQuerySet


class ColourMode(models.TextChoices):
    COLOUR = "colour", "彩色"
    GREY = "grey", "灰度"
    BITONAL = "bitonal", "黑白"


class Station(models.Model):
    """A scanning station's profile: its hot folder is $HEDANG_DATA_DIR/inbox/<name>/."""

    name = models.SlugField("站点名", max_length=50, unique=True)
    label = models.CharField("显示名称", max_length=100, blank=True)
    agency = models.ForeignKey("archive.Agency", verbose_name="核对机构", on_delete=models.PROTECT)
    default_household = models.ForeignKey(
        "archive.Household",
        verbose_name="默认户",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    default_category = models.CharField(
        "默认材料类别", max_length=20, choices=Category.choices, blank=True
    )
    default_subtype = models.ForeignKey(
        "archive.Subtype", verbose_name="默认子类", null=True, blank=True, on_delete=models.SET_NULL
    )
    dpi = models.PositiveSmallIntegerField(
        "扫描分辨率（dpi）", default=300, help_text="DA/T 31-2017：一般 300 dpi，不低于 200 dpi"
    )
    colour_mode = models.CharField(
        "色彩模式", max_length=10, choices=ColourMode.choices, default=ColourMode.GREY
    )
    duplex = models.BooleanField(
        "双面扫描", default=False, help_text="偶数页为背面；空白背面在采集时剔除"
    )
    stack_folders = models.BooleanField(
        "成叠扫描",
        default=False,
        help_text="热文件夹里的每个子文件夹是一叠材料：其中的图像按文件名顺序合为一份，按分隔页拆件",
    )
    active = models.BooleanField("启用", default=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "agency"

    class Meta:
        verbose_name = "扫描站点"
        verbose_name_plural = "扫描站点"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.label or self.name


class Batch(models.Model):
    """Files submitted together (one upload, one command run, one hot-folder drop)."""

    class Source(models.TextChoices):
        UPLOAD = "upload", "上传"
        HOT_FOLDER = "hot_folder", "热文件夹"
        COMMAND = "command", "命令"
        API = "api", "接口"
        CAMERA = "camera", "高拍仪"

    source = models.CharField("来源", max_length=12, choices=Source.choices)
    agency = models.ForeignKey("archive.Agency", verbose_name="核对机构", on_delete=models.PROTECT)
    station = models.ForeignKey(
        Station, verbose_name="站点", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    household = models.ForeignKey(
        "archive.Household", verbose_name="指定户", null=True, blank=True, on_delete=models.SET_NULL
    )
    category = models.CharField("指定类别", max_length=20, choices=Category.choices, blank=True)
    subtype = models.ForeignKey(
        "archive.Subtype", verbose_name="指定子类", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "agency"

    class Meta:
        verbose_name = "采集批次"
        verbose_name_plural = "采集批次"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"批次 {self.pk}（{self.get_source_display()}）"


class Document(models.Model):
    """One submitted file on its way through the pipeline."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        PROCESSING = "processing", "处理中"
        FILED = "filed", "已归档"
        REVIEW = "review", "待确认"
        REJECTED = "rejected", "已拒收"
        DUPLICATE = "duplicate", "重复"
        ATTENTION = "attention", "需处理"

    FINISHED = (Status.FILED, Status.REVIEW, Status.REJECTED, Status.DUPLICATE, Status.ATTENTION)

    batch = models.ForeignKey(
        Batch, verbose_name="批次", on_delete=models.PROTECT, related_name="documents"
    )
    # The batch's agency, copied so that "one live run per original" holds per agency: a
    # county files its own copy of bytes another county already holds (docs/security.md).
    agency = models.ForeignKey(
        "archive.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    original_name = models.CharField("原文件名", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True, db_index=True)
    size = models.PositiveBigIntegerField("大小", default=0)
    media_type = models.CharField("类型", max_length=100, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices)
    step = models.CharField("已完成步骤", max_length=30, blank=True)
    error = models.TextField("错误", blank=True)
    ocr_sha256 = models.CharField("OCR 结果", max_length=64, blank=True)
    page_texts = models.JSONField("各页文字", default=list, blank=True)
    # ingest.quality.summary of the scanned pages, made before OCR; empty for born-digital.
    page_quality = models.JSONField("扫描质量", default=dict, blank=True)
    item = models.ForeignKey(
        "archive.Item",
        verbose_name="件",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ingest_documents",
    )
    duplicate_of = models.ForeignKey(
        "archive.Item",
        verbose_name="重复于",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    worker = models.CharField("处理进程", max_length=200, blank=True)
    lease_until = models.DateTimeField("租约到期", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "batch__agency"

    class Meta:
        verbose_name = "采集文件"
        verbose_name_plural = "采集文件"
        ordering = ["batch", "pk"]
        constraints = [
            # One live pipeline run per original: a second copy is a duplicate, even in a race.
            models.UniqueConstraint(
                fields=["agency", "sha256"],
                condition=~models.Q(status__in=["rejected", "duplicate"]) & ~models.Q(sha256=""),
                name="document_one_live_run_per_original_in_agency",
            )
        ]

    def __str__(self) -> str:
        return f"{self.original_name}（{self.get_status_display()}）"

    def save(self, *args, **kwargs) -> None:
        if self.agency_id is None and self.batch_id is not None:
            self.agency_id = self.batch.agency_id
        super().save(*args, **kwargs)

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED

    def items(self) -> list:
        """Every item made from this document: one per part of a split stack, else ``item``."""
        parts = [p.item for p in self.parts.select_related("item")]
        return parts or ([self.item] if self.item_id else [])


class FormResult(models.Model):
    """Table-aware OCR of a document (``HEDANG_OCR_TABLES``): each page's cells and lines, and
    the fields extracted by its form template (ingest/formocr)."""

    document = models.OneToOneField(
        "ingest.Document", on_delete=models.CASCADE, related_name="form_result"
    )
    pages = models.JSONField("页面结构", default=list, blank=True)
    form = models.JSONField("表单字段", default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "表格识别结果"
        verbose_name_plural = "表格识别结果"

    def __str__(self) -> str:
        return f"{self.document_id}: {self.form.get('template', '')}"


class ItemHousehold(models.Model):
    """An item that concerns several households (a 委托书 with its 花名册): one row each."""

    class Role(models.TextChoices):
        ROSTER = "roster", "花名册所列户"

    item = models.ForeignKey(
        "archive.Item", on_delete=models.CASCADE, related_name="listed_households"
    )
    household = models.ForeignKey(
        "archive.Household", on_delete=models.PROTECT, related_name="listed_items"
    )
    role = models.CharField("关联方式", max_length=20, choices=Role.choices, default=Role.ROSTER)

    class Meta:
        verbose_name = "件所列的户"
        verbose_name_plural = "件所列的户"
        constraints = [
            models.UniqueConstraint(
                fields=["item", "household", "role"], name="item_household_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.household_id}"


class DocumentPart(models.Model):
    """One item cut from a scanned stack (separator sheets, app ``scanning``). The document's
    ``item`` is the first part's item; every part, the first included, has a row here."""

    document = models.ForeignKey("ingest.Document", on_delete=models.CASCADE, related_name="parts")
    item = models.ForeignKey("archive.Item", on_delete=models.CASCADE, related_name="ingest_parts")
    first_page = models.PositiveIntegerField("起始页")
    last_page = models.PositiveIntegerField("结束页")
    separator_page = models.PositiveIntegerField("分隔页", null=True, blank=True)

    class Meta:
        verbose_name = "分件"
        verbose_name_plural = "分件"
        ordering = ["document", "first_page"]

    def __str__(self) -> str:
        return f"{self.document_id} 第 {self.first_page}–{self.last_page} 页"
