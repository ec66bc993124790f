"""Serializers of the platform push: the ``metadata`` JSON of reports and materials, the
receipt, signature checks and print tasks. Field errors carry the identifier rule as code
(``check_digit``, ``pattern``…) and the nested field path (``household.head.id_number``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from archive.api.fields import ResidentIdField, mask_ids_in, request_user
from archive.categories import Category
from archive.identifiers import (
    IdentifierError,
    parse_authorization_number,
    parse_report_number,
)
from archive.validators import validate_business_type


class _IdentifierField(serializers.CharField):
    parse = staticmethod(parse_report_number)

    def to_internal_value(self, data) -> str:
        value = super().to_internal_value(data)
        if not value:
            return value
        try:
            return self.parse(value).value
        except IdentifierError as exc:
            raise serializers.ValidationError(str(exc), code=exc.rule) from exc


# Canonical forms (input may also use full-width digits); empty where the field is optional.
REPORT_NUMBER_PATTERN = (
    r"^(第[1-8][0-9]{5}20[0-9]{2}(0[1-9]|1[0-2])[0-9]{5}[a-z]{2}[fst][1-9][0-9]*号)?$"
)
AUTHORIZATION_NUMBER_PATTERN = r"^(居经授第[1-8][0-9]{5}20[0-9]{2}[0-9]{8}号)?$"


@extend_schema_field(
    {
        "type": "string",
        "pattern": REPORT_NUMBER_PATTERN,
        "example": "第42010220240300017aaf1号",
        "description": "核对报告编号（附录 E）：第 + 地区 6 位 + 年 4 位 + 月 2 位 + 流水 5 位"
        " + 业务代码 2 位 + 性质 f/s/t + 份号 + 号",
    }
)
class ReportNumberField(_IdentifierField):
    """A report number (Appendix E), stored in canonical form."""

    parse = staticmethod(parse_report_number)

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("help_text", "核对报告编号，如 第42010220240300017aaf1号")
        super().__init__(**kwargs)


@extend_schema_field(
    {
        "type": "string",
        "pattern": AUTHORIZATION_NUMBER_PATTERN,
        "example": "居经授第420102202400000123号",
        "description": "授权书编号（附录 A）：居经授第 + 地区 6 位 + 年 4 位 + 流水 8 位 + 号；可为空",
    }
)
class AuthorizationNumberField(_IdentifierField):
    """An authorization number (Appendix A), stored in canonical form."""

    parse = staticmethod(parse_authorization_number)

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("help_text", "授权书编号，如 居经授第420102202400000123号")
        super().__init__(**kwargs)


@extend_schema_field({"type": "string", "pattern": "^([a-z]{2})?$", "example": "aa"})
class BusinessTypeField(serializers.CharField):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("help_text", "核对业务代码 aa..zz，如 aa 最低生活保障")
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> str:
        value = super().to_internal_value(data)
        if value:
            try:
                validate_business_type(value)
            except Exception as exc:
                raise serializers.ValidationError(
                    "核对项目代码应为两位小写字母 aa..zz", code="business_code"
                ) from exc
        return value


class HeadSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, help_text="户主姓名")
    id_number = ResidentIdField(help_text="户主 18 位身份证号（GB 11643，校验码须正确）")


class MemberPushSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    id_number = ResidentIdField(required=False, allow_blank=True, default="")
    relation = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    co_resident = serializers.BooleanField(
        required=False, default=True, help_text="不共同生活的赡扶养义务人为 false"
    )


class HouseholdPushSerializer(serializers.Serializer):
    head = HeadSerializer()
    members = MemberPushSerializer(many=True, required=False, default=list)
    obligors = MemberPushSerializer(
        many=True,
        required=False,
        default=list,
        help_text="不共同生活的赡扶养义务人（也可在 members 中以 co_resident=false 给出）",
    )
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        seen = {attrs["head"]["id_number"]}
        for group in ("members", "obligors"):
            for index, member in enumerate(attrs.get(group, [])):
                number = member.get("id_number")
                if not number:
                    continue
                if number in seen and number != attrs["head"]["id_number"]:
                    raise serializers.ValidationError(
                        {
                            group: {
                                index: {
                                    "id_number": serializers.ErrorDetail(
                                        f"成员身份证号重复：{number}", "unique"
                                    )
                                }
                            }
                        }
                    )
                seen.add(number)
        return attrs


class ReportMetadataSerializer(serializers.Serializer):
    """The ``metadata`` part of ``POST /api/v1/reports`` (docs/contracts.md)."""

    report_number = ReportNumberField()
    authorization_number = AuthorizationNumberField(required=False, allow_blank=True, default="")
    business_type = BusinessTypeField(required=False, allow_blank=True, default="")
    entrusting_unit = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    issued_on = serializers.DateField(help_text="出具报告日期（YYYY-MM-DD），须与编号的年月一致")
    household = HouseholdPushSerializer()
    title = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    nature = serializers.ChoiceField(
        choices=["f", "s", "t"],
        required=False,
        help_text="报告性质；给出时须与编号中的性质代码一致",
    )


class MaterialMetadataSerializer(serializers.Serializer):
    """The ``metadata`` part of ``POST /api/v1/materials``."""

    category = serializers.ChoiceField(
        choices=[
            (c.value, c.label) for c in Category if c != Category.REPORT
        ],  # reports go to /api/v1/reports
        help_text="材料类别：process、proof 或 report_application（核对报告请用 /api/v1/reports）",
    )
    subtype = serializers.CharField(
        max_length=50, help_text="子类中文名或代码，如 核对授权书、核对委托书、申报材料、审批材料"
    )
    household = HouseholdPushSerializer()
    formed_on = serializers.DateField(help_text="形成日期（YYYY-MM-DD）")
    title = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    document_number = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default="", help_text="文号"
    )
    authorization_number = AuthorizationNumberField(required=False, allow_blank=True, default="")
    report_number = ReportNumberField(required=False, allow_blank=True, default="")
    business_type = BusinessTypeField(required=False, allow_blank=True, default="")
    entrusting_unit = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    region_code = serializers.RegexField(
        r"^[0-9]{6}$",
        required=False,
        allow_blank=True,
        default="",
        help_text="保存本件的核对机构；省略时取授权书或报告编号中的地区，再省略为令牌所属机构",
    )
    responsible = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="责任者"
    )


class ReportPushRequestSerializer(serializers.Serializer):
    """The multipart form (for the schema): the PDF and its metadata as a JSON part."""

    file = serializers.FileField(help_text="报告 PDF（原样保存）")
    metadata = ReportMetadataSerializer(help_text="元数据（JSON）")


class MaterialPushRequestSerializer(serializers.Serializer):
    """The multipart form (for the schema): the PDF and its metadata as a JSON part."""

    file = serializers.FileField(help_text="材料 PDF（原样保存）")
    metadata = MaterialMetadataSerializer(help_text="元数据（JSON）")


class SignatureSummarySerializer(serializers.Serializer):
    present = serializers.BooleanField(help_text="文件中有签名")
    valid = serializers.BooleanField(help_text="全部签名完整、未被篡改且可信")
    signer = serializers.CharField(allow_null=True, help_text="最后一个签名的签名人")


class SealPromiseSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["pending", "sealed"])
    message = serializers.CharField()


class SealStateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["pending", "sealed", "failed"],
        allow_null=True,
        help_text="pending 封存中，sealed 已封存，failed 封存失败；null 无归档签章",
    )
    message = serializers.CharField()
    sealed_at = serializers.DateTimeField(allow_null=True)


class ReceiptSerializer(serializers.Serializer):
    """The receipt: 201 when filed, 200 when the same file was already filed."""

    archive_number = serializers.CharField(help_text="档号")
    household = serializers.CharField(help_text="户主 18 位身份证号")
    sha256 = serializers.CharField(help_text="推送文件（原件）的 SHA-256")
    signature = SignatureSummarySerializer()
    archived_at = serializers.DateTimeField(help_text="归档时间")
    seal = SealPromiseSerializer(
        required=False,
        help_text="回执给出时归档签章的状态（pending：已接收，封存中；sealed：已封存）。"
        "此后的状态见 GET /api/v1/items/{档号}/signatures 的 seal",
    )


class SignatureCheckSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="签名域名称")
    signer = serializers.CharField(allow_null=True)
    intact = serializers.BooleanField(help_text="签名覆盖的字节未被改动")
    cryptographically_valid = serializers.BooleanField()
    trusted = serializers.BooleanField(help_text="证书链通向配置的信任根")
    coverage = serializers.CharField(allow_null=True)
    modification_level = serializers.CharField(allow_null=True)
    docmdp_ok = serializers.BooleanField(allow_null=True)
    signing_time = serializers.CharField(allow_null=True)
    summary = serializers.CharField(help_text="pyHanko 的结论摘要")
    error = serializers.CharField(allow_null=True)
    tampered = serializers.BooleanField()
    valid = serializers.BooleanField()


class FileSignaturesSerializer(serializers.Serializer):
    role = serializers.CharField()
    sha256 = serializers.CharField()
    signatures = SignatureCheckSerializer(many=True)
    error = serializers.CharField(allow_null=True)


class ItemSignaturesSerializer(serializers.Serializer):
    archive_number = serializers.CharField()
    seal = SealStateSerializer(help_text="本档案馆归档签章副本的状态")
    files = FileSignaturesSerializer(many=True)


class PrintTaskSerializer(serializers.Serializer):
    archive_number = serializers.CharField(source="item.archive_number")
    household = serializers.SerializerMethodField()
    title = serializers.CharField(source="item.title")
    page_count = serializers.IntegerField(source="item.page_count")
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    printed_at = serializers.DateTimeField(allow_null=True)
    file = serializers.SerializerMethodField(
        help_text="带归档章的打印件（下载记入操作日志）；尚未生成时为 null，见 copy_url"
    )
    copy_url = serializers.SerializerMethodField(
        help_text="POST 此地址取得打印件：尚未生成时当场生成并保存"
    )

    def get_household(self, obj) -> str | None:
        head = obj.item.household.head_id_number if obj.item.household_id else None
        return mask_ids_in(head, request_user(self.context)) if head else None

    def get_copy_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("push:print-task-copy", kwargs={"key": obj.item.archive_number})

    def get_file(self, obj) -> dict | None:
        from django.urls import reverse

        if obj.file_id is None:
            return None
        url = reverse(
            "api:item-file", kwargs={"key": obj.item.archive_number, "sha256": obj.file.sha256}
        )
        return {"sha256": obj.file.sha256, "size": obj.file.size, "url": url}
