"""Serializers for items (件), their pages and stored files.

The item detail has the shape of ``manage.py item --json`` (docs/contracts.md): archive_number,
household, category, subtype, title, formation_date, status, pages, files, fields — plus
a few more descriptive keys.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from archive.api.fields import AgencyField, ResidentIdField, mask_ids_in, request_user
from archive.categories import Category
from archive.models import File, Item, Page


def item_key(item: Item) -> str:
    """How an item is named in URLs: its 档号, or its id while it has none."""
    return item.archive_number or str(item.pk)


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "description": "户主的 18 位身份证号，按权限脱敏；未关联户时为 null",
    }
)
class ItemHouseholdField(ResidentIdField):
    def __init__(self, **kwargs) -> None:
        super().__init__(
            source="household.head_id_number", read_only=True, allow_null=True, **kwargs
        )


class ItemSummarySerializer(serializers.ModelSerializer):
    household = ItemHouseholdField()
    subtype = serializers.CharField(source="subtype.name", read_only=True, help_text="子类中文名")
    subtype_code = serializers.CharField(source="subtype.code", read_only=True)
    agency = AgencyField(read_only=True)

    class Meta:
        model = Item
        fields = [
            "id",
            "archive_number",
            "household",
            "category",
            "subtype",
            "subtype_code",
            "title",
            "formation_date",
            "year",
            "status",
            "page_count",
            "agency",
        ]
        read_only_fields = fields


class ItemsByCategorySerializer(serializers.Serializer):
    """A household's items, one list per material category (§9.2)."""

    process = ItemSummarySerializer(many=True, help_text=Category.PROCESS.label)
    proof = ItemSummarySerializer(many=True, help_text=Category.PROOF.label)
    report = ItemSummarySerializer(many=True, help_text=Category.REPORT.label)
    report_application = ItemSummarySerializer(
        many=True, help_text=Category.REPORT_APPLICATION.label
    )


class PageSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField()

    class Meta:
        model = Page
        fields = ["number", "text"]

    def get_text(self, obj: Page) -> str:
        return mask_ids_in(obj.text, request_user(self.context))


class FileSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="下载地址（下载记入操作日志）")

    class Meta:
        model = File
        fields = ["role", "sha256", "media_type", "size", "page_number", "url"]

    def get_url(self, obj: File) -> str:
        return reverse("api:item-file", kwargs={"key": item_key(obj.item), "sha256": obj.sha256})


class ItemDetailSerializer(ItemSummarySerializer):
    category_name = serializers.CharField(source="get_category_display", read_only=True)
    status_name = serializers.CharField(source="get_status_display", read_only=True)
    pages = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()
    fields = serializers.SerializerMethodField(
        method_name="get_extracted_fields", help_text="从表单中提取的字段"
    )

    class Meta(ItemSummarySerializer.Meta):
        fields = [
            *ItemSummarySerializer.Meta.fields,
            "category_name",
            "status_name",
            "document_number",
            "responsible",
            "retention",
            "retention_start",
            "security_level",
            "carrier",
            "case",
            "remarks",
            "filed_at",
            "pages",
            "files",
            "fields",
        ]
        read_only_fields = fields

    @extend_schema_field(PageSerializer(many=True))
    def get_pages(self, obj: Item) -> list[dict]:
        pages = Page.objects.visible_to(request_user(self.context)).filter(item=obj)
        return PageSerializer(pages.order_by("number"), many=True, context=self.context).data

    @extend_schema_field(FileSerializer(many=True))
    def get_files(self, obj: Item) -> list[dict]:
        files = File.objects.visible_to(request_user(self.context)).filter(item=obj)
        files = files.select_related("item").order_by("pk")  # as ``manage.py item`` lists them
        return FileSerializer(files, many=True, context=self.context).data

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_extracted_fields(self, obj: Item) -> dict:
        return mask_ids_in(obj.fields, request_user(self.context))
