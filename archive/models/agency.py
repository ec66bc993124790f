from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property

from archive.validators import validate_no_bidi


class Agency(models.Model):
    """A verification agency (核对机构), one per Hubei administrative division."""

    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "市（州）级"
        COUNTY = "county", "县（市、区）级"

    region_code = models.CharField("行政区划代码", max_length=6, unique=True)
    region_name = models.CharField("行政区划名称", max_length=50)
    name = models.CharField("机构名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    statistical_only = models.BooleanField(
        "仅统计用区划",
        default=False,
        help_text="统计局名录中有、GB/T 2260 中没有的单位；不能作为核对报告编号的区划。",
    )
    fonds_code = models.CharField(
        "全宗号", max_length=20, blank=True, help_text="档号中的全宗号；空时用 Z + 区划代码。"
    )

    class Meta:
        verbose_name = "核对机构"
        verbose_name_plural = "核对机构"
        ordering = ["region_code"]

    def __str__(self) -> str:
        return self.name

    @property
    def fonds(self) -> str:
        return self.fonds_code or f"Z{self.region_code}"

    def jurisdiction_ids(self) -> list[int]:
        """This agency and every agency below it (at most two levels down)."""
        ids = [self.pk]
        frontier = [self.pk]
        while frontier:
            frontier = list(
                Agency.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            ids.extend(frontier)
        return ids


class User(AbstractUser):
    """A real-name staff account; every account belongs to one agency."""

    agency = models.ForeignKey(
        Agency,
        verbose_name="所属核对机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    real_name = models.CharField(
        "真实姓名", max_length=50, blank=True, validators=[validate_no_bidi]
    )

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        permissions = [
            ("view_full_id_number", "查看完整身份证号"),
            ("view_auditentry_all", "查看操作日志"),
        ]

    def __str__(self) -> str:
        return self.real_name or self.username

    @cached_property
    def visible_agency_ids(self) -> list[int] | None:
        """The agencies whose households this user may see; None means all of them."""
        if self.is_superuser:
            return None
        if self.agency_id is None:
            return []
        return self.agency.jurisdiction_ids()
