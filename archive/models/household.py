from __future__ import annotations

from django.db import models

from archive.categories import business_type_name
from archive.scoping import ScopedQuerySet
from archive.validators import (
    validate_authorization_number,
    validate_business_type,
    validate_no_bidi,
    validate_report_number,
    validate_resident_id,
)


class Household(models.Model):
    """户: the unit of filing, keyed by the head's resident ID."""

    agency = models.ForeignKey(
        "archive.Agency",
        verbose_name="管辖核对机构",
        on_delete=models.PROTECT,
        related_name="households",
    )
    # Unique per agency, not nationwide: a county files its own household and never learns
    # whether another county has one with the same head (docs/security.md).
    head_id_number = models.CharField(
        "户主身份证号", max_length=18, db_index=True, validators=[validate_resident_id]
    )
    head_name = models.CharField("户主姓名", max_length=50, validators=[validate_no_bidi])
    address = models.CharField("家庭住址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    created_at = models.DateTimeField("建档时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "agency"

    class Meta:
        verbose_name = "户"
        verbose_name_plural = "户"
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "head_id_number"], name="household_unique_head_in_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.head_name}户"


class Member(models.Model):
    """家庭成员, or a non-co-resident legal supporter (赡扶养义务人) when co_resident is False."""

    household = models.ForeignKey(
        Household, verbose_name="户", on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField("姓名", max_length=50, validators=[validate_no_bidi])
    id_number = models.CharField(
        "身份证号", max_length=18, validators=[validate_resident_id], blank=True
    )
    relation = models.CharField("与户主关系", max_length=20, help_text="如：本人、配偶、子女、父母")
    co_resident = models.BooleanField(
        "共同生活", default=True, help_text="不共同生活的赡养、抚养、扶养义务人取消勾选。"
    )

    objects = ScopedQuerySet.as_manager()
    scope_path = "household__agency"

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        ordering = ["household", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "id_number"],
                condition=~models.Q(id_number=""),
                name="member_unique_id_in_household",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    """核对业务: one verification of one household."""

    household = models.ForeignKey(
        Household, verbose_name="户", on_delete=models.PROTECT, related_name="cases"
    )
    agency = models.ForeignKey(
        "archive.Agency", verbose_name="核对机构", on_delete=models.PROTECT, related_name="cases"
    )
    business_type = models.CharField(
        "核对项目",
        max_length=2,
        validators=[validate_business_type],
        help_text="业务代码 aa..zz，如 aa 最低生活保障。",
    )
    authorization_number = models.CharField(
        "授权书编号", max_length=40, blank=True, validators=[validate_authorization_number]
    )
    report_number = models.CharField(
        "核对报告编号",
        max_length=40,
        blank=True,
        validators=[validate_report_number],
        help_text="首次核对报告编号；复核报告编号见其报告件的文号。",
    )
    entrusting_unit = models.CharField("委托单位", max_length=100, blank=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    reported_on = models.DateField("出具报告日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "household__agency"

    class Meta:
        verbose_name = "核对业务"
        verbose_name_plural = "核对业务"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["report_number"],
                condition=~models.Q(report_number=""),
                name="case_unique_report_number",
            )
        ]

    def __str__(self) -> str:
        return f"{self.business_type_name}（{self.report_number or '未出报告'}）"

    @property
    def business_type_name(self) -> str:
        return business_type_name(self.business_type)

    @property
    def report_numbers(self) -> list[str]:
        numbers = [self.report_number] if self.report_number else []
        numbers += [
            n
            for n in self.items.filter(category="report")
            .exclude(document_number="")
            .values_list("document_number", flat=True)
            if n not in numbers
        ]
        return numbers
