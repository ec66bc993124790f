from __future__ import annotations

from django.db import models

from archive.categories import Category
from archive.scoping import ScopedQuerySet


class Subtype(models.Model):
    """A subtype within one of the four fixed categories; agencies may add their own."""

    category = models.CharField("材料类别", max_length=20, choices=Category.choices)
    code = models.CharField("代码", max_length=8, help_text="短的英文代码，用于分隔页二维码。")
    name = models.CharField("名称", max_length=50)
    agency = models.ForeignKey(
        "archive.Agency",
        verbose_name="增设机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="空表示标准规定的子类；机构增设的子类只在其辖区内使用。",
    )
    order = models.PositiveSmallIntegerField("排序", default=0)
    title_keywords = models.CharField(
        "标题关键词",
        max_length=200,
        blank=True,
        help_text="用逗号分隔；采集时页首出现其中之一即识别为本子类。",
    )

    class Meta:
        verbose_name = "材料子类"
        verbose_name_plural = "材料子类"
        ordering = ["category", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="subtype_unique_code"),
            models.UniqueConstraint(fields=["category", "name"], name="subtype_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Box(models.Model):
    """档案盒. One box never mixes years, retention periods or classes."""

    agency = models.ForeignKey("archive.Agency", verbose_name="核对机构", on_delete=models.PROTECT)
    class_key = models.CharField("分类", max_length=80, help_text="档号去掉件号的部分。")
    fonds = models.CharField("全宗号", max_length=20)
    year = models.PositiveSmallIntegerField("年度")
    retention = models.CharField("保管期限", max_length=4)
    box_number = models.PositiveIntegerField("盒号")
    first_item_number = models.PositiveIntegerField("起件号", null=True, blank=True)
    last_item_number = models.PositiveIntegerField("止件号", null=True, blank=True)
    notes = models.TextField("备考", blank=True)
    arranged_by = models.CharField("整理人", max_length=50, blank=True)
    checked_by = models.CharField("检查人", max_length=50, blank=True)
    arranged_on = models.DateField("整理日期", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "agency"

    class Meta:
        verbose_name = "档案盒"
        verbose_name_plural = "档案盒"
        ordering = ["class_key", "box_number"]
        constraints = [
            models.UniqueConstraint(fields=["class_key", "box_number"], name="box_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.class_key} 第{self.box_number}盒"


class Item(models.Model):
    """件: one document with its attachments, bound and numbered on its own."""

    class Status(models.TextChoices):
        REVIEW = "review", "待确认"
        FILED = "filed", "已归档"
        ATTENTION = "attention", "需处理"
        DESTROYED = "destroyed", "已销毁"

    class Carrier(models.TextChoices):
        PAPER = "paper", "纸质"
        ELECTRONIC = "electronic", "电子"
        BOTH = "both", "纸质和电子"

    household = models.ForeignKey(
        "archive.Household",
        verbose_name="户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    agency = models.ForeignKey(
        "archive.Agency",
        verbose_name="核对机构",
        on_delete=models.PROTECT,
        related_name="items",
        help_text="保存本件的核对机构；待确认的件也由它管辖。",
    )
    case = models.ForeignKey(
        "archive.Case",
        verbose_name="核对业务",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    category = models.CharField("材料类别", max_length=20, choices=Category.choices, blank=True)
    subtype = models.ForeignKey(
        Subtype, verbose_name="子类", null=True, blank=True, on_delete=models.PROTECT
    )
    title = models.CharField("题名", max_length=300)
    document_number = models.CharField("文号", max_length=60, blank=True)
    responsible = models.CharField("责任者", max_length=100, blank=True)
    formation_date = models.DateField("形成日期", null=True, blank=True)
    year = models.PositiveSmallIntegerField("形成年度", null=True, blank=True)
    retention = models.CharField("保管期限", max_length=4, default="D10")
    retention_start = models.DateField("保管期限起算日期", null=True, blank=True)
    security_level = models.CharField("密级", max_length=10, blank=True)
    archive_number = models.CharField("档号", max_length=80, unique=True, null=True, blank=True)
    class_key = models.CharField("分类", max_length=80, blank=True)
    item_number = models.PositiveIntegerField("件号", null=True, blank=True)
    page_count = models.PositiveIntegerField("页数", default=0)
    carrier = models.CharField(
        "载体", max_length=12, choices=Carrier.choices, default=Carrier.ELECTRONIC
    )
    paper_location = models.CharField("纸质存放位置", max_length=100, blank=True)
    box = models.ForeignKey(
        Box,
        verbose_name="档案盒",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.REVIEW)
    status_detail = models.TextField("状态说明", blank=True)
    remarks = models.TextField("备注", blank=True)
    # The keys, their shapes and the app that writes each: archive/models/item_fields.py.
    fields = models.JSONField("提取字段", default=dict, blank=True)
    filed_at = models.DateTimeField("归档时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "agency"

    class Meta:
        verbose_name = "件"
        verbose_name_plural = "件"
        ordering = ["-created_at"]
        # The platform reads back what the archive says of the signatures of what it pushed,
        # without being able to read the files themselves.
        permissions = [("verify_signatures", "查看签名校验结果")]
        constraints = [
            models.UniqueConstraint(
                fields=["class_key", "item_number"],
                condition=models.Q(item_number__isnull=False),
                name="item_unique_number_in_class",
            )
        ]
        indexes = [models.Index(fields=["household", "category"])]

    def __str__(self) -> str:
        return self.archive_number or f"（待归档）{self.title}"


class File(models.Model):
    """A stored file of an item: the original as it came, or a copy derived from it.

    The bytes live in the archive storage under their sha256 and are never modified.
    """

    class Role(models.TextChoices):
        ORIGINAL = "original", "原件"
        ACCESS = "access", "利用副本"
        PAGE_IMAGE = "page_image", "页图像"
        THUMBNAIL = "thumbnail", "缩略图"
        SIGNED = "signed", "签章副本"
        PRINT = "print", "打印件"
        PHOTO = "photo", "照片"
        VIDEO = "video", "视频"

    item = models.ForeignKey(
        Item, verbose_name="件", on_delete=models.PROTECT, related_name="files"
    )
    role = models.CharField("用途", max_length=12, choices=Role.choices)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size = models.PositiveBigIntegerField("大小（字节）")
    media_type = models.CharField("媒体类型", max_length=100)
    original_name = models.CharField("原文件名", max_length=255, blank=True)
    page_number = models.PositiveIntegerField("页号", null=True, blank=True)
    created_at = models.DateTimeField("存储时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "item__agency"

    class Meta:
        verbose_name = "文件"
        verbose_name_plural = "文件"
        ordering = ["item", "role", "page_number", "pk"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.sha256[:12]}"

    @property
    def storage_name(self) -> str:
        from archive.storage import blob_name

        return blob_name(self.sha256)


class Page(models.Model):
    """页: a page of an item, in the paper's order."""

    item = models.ForeignKey(
        Item, verbose_name="件", on_delete=models.CASCADE, related_name="pages"
    )
    number = models.PositiveIntegerField("页号")
    text = models.TextField("文字", blank=True)
    image = models.ForeignKey(
        File, verbose_name="页图像", null=True, blank=True, on_delete=models.SET_NULL
    )

    objects = ScopedQuerySet.as_manager()
    scope_path = "item__agency"

    class Meta:
        verbose_name = "页"
        verbose_name_plural = "页"
        ordering = ["item", "number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="page_unique_number")
        ]

    def __str__(self) -> str:
        return f"第{self.number}页"


class ArchiveNumberCounter(models.Model):
    """The last 件号 given in one class; locked row by row so numbers stay gap-free."""

    class_key = models.CharField(max_length=80, unique=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "件号计数器"
        verbose_name_plural = "件号计数器"

    def __str__(self) -> str:
        return f"{self.class_key}: {self.last_number}"
