"""Serializers for households, members, cases, agencies and the operation log."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from archive import audit
from archive.api.fields import (
    AgencyField,
    HouseholdField,
    ResidentIdField,
    mask_ids_in,
    request_user,
)
from archive.api.item_serializers import ItemsByCategorySerializer, ItemSummarySerializer
from archive.categories import Category
from archive.models import Agency, AuditEntry, Case, Household, Item, Member

HEAD_RELATION = "本人"


class MemberInlineSerializer(serializers.ModelSerializer):
    """A member given together with a new household."""

    id_number = ResidentIdField(required=False, allow_blank=True, default="")

    class Meta:
        model = Member
        fields = ["name", "id_number", "relation", "co_resident"]


class MemberSerializer(serializers.ModelSerializer):
    household = HouseholdField()
    id_number = ResidentIdField(required=False, allow_blank=True, default="")

    class Meta:
        model = Member
        fields = ["id", "household", "name", "id_number", "relation", "co_resident"]
        validators: list = []  # uniqueness per household is checked in validate()

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:  # a member never moves to another household
            fields["household"].read_only = True
        return fields

    def validate(self, attrs):
        household = attrs.get("household") or getattr(self.instance, "household", None)
        id_number = attrs.get("id_number", getattr(self.instance, "id_number", ""))
        if household is not None and id_number:
            clash = Member.objects.visible_to(request_user(self.context)).filter(
                household=household, id_number=id_number
            )
            if self.instance is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise serializers.ValidationError(
                    {"id_number": serializers.ErrorDetail("该户已有此身份证号的成员", "unique")}
                )
        return attrs


class CaseSerializer(serializers.ModelSerializer):
    agency = AgencyField(read_only=True)
    business_type_name = serializers.CharField(read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "business_type",
            "business_type_name",
            "authorization_number",
            "report_number",
            "entrusting_unit",
            "accepted_on",
            "reported_on",
            "agency",
        ]


class HouseholdSerializer(serializers.ModelSerializer):
    head_id_number = ResidentIdField(help_text="户主身份证号（GB 11643）")
    agency = AgencyField(
        required=False, help_text="管辖核对机构的行政区划代码；省略时为本人所属机构"
    )
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    members = MemberInlineSerializer(
        many=True,
        required=False,
        write_only=True,
        help_text="建档时一并登记的家庭成员；户主本人未列出时自动登记",
    )

    class Meta:
        model = Household
        fields = [
            "id",
            "head_id_number",
            "head_name",
            "agency",
            "agency_name",
            "address",
            "phone",
            "members",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []  # head unique per agency: checked in _check_head_clash()

    def _check_head_clash(self, attrs) -> None:
        """A head ID is unique within one agency. Only a clash inside the caller's
        jurisdiction is reported; one in another county is logged (``denied``) and otherwise
        answered as for an unknown ID, so no county learns what another county holds."""
        value = attrs.get("head_id_number")
        agency = attrs.get("agency") or getattr(self.instance, "agency", None)
        if not value or agency is None:
            return
        same = Household.objects.filter(head_id_number=value)
        if self.instance is not None:
            same = same.exclude(pk=self.instance.pk)
        if same.filter(agency=agency).exists():
            raise serializers.ValidationError(
                {"head_id_number": serializers.ErrorDetail("该户主身份证号已建档", "unique")}
            )
        user = request_user(self.context)
        hidden = same.exclude(pk__in=Household.objects.visible_to(user).values("pk")).first()
        if hidden is not None:
            request = self.context.get("request")
            audit.record(
                audit.Action.DENIED,
                hidden,
                request=request,
                object_repr="其他辖区的户（未告知调用方）",
                detail={
                    "reason": "cross_jurisdiction_match",
                    "path": getattr(request, "path", ""),
                    "method": getattr(request, "method", ""),
                },
            )

    def validate_members(self, members: list[dict]) -> list[dict]:
        if self.instance is not None:
            raise serializers.ValidationError(
                "修改户时不能整体替换成员，请使用 /api/v1/members", code="read_only"
            )
        seen: set[str] = set()
        for member in members:
            number = member.get("id_number", "")
            if number and number in seen:
                raise serializers.ValidationError(f"成员身份证号重复：{number}", code="unique")
            seen.add(number)
        return members

    def validate(self, attrs):
        if self.instance is None and "agency" not in attrs:
            user = request_user(self.context)
            if user is None or user.agency_id is None:
                raise serializers.ValidationError(
                    {"agency": serializers.ErrorDetail("请指定管辖核对机构", "required")}
                )
            attrs["agency"] = user.agency
        self._check_head_clash(attrs)
        return attrs

    def create(self, validated_data):
        members = validated_data.pop("members", [])
        household = Household.objects.create(**validated_data)
        if not any(m.get("id_number") == household.head_id_number for m in members):
            Member.objects.create(
                household=household,
                name=household.head_name,
                id_number=household.head_id_number,
                relation=HEAD_RELATION,
            )
        for member in members:
            Member.objects.create(household=household, **member)
        return household

    def update(self, instance, validated_data):
        old_id = instance.head_id_number
        household = super().update(instance, validated_data)
        if household.head_id_number != old_id:
            # The head's own member row follows a corrected head ID.
            for head in household.members.filter(id_number=old_id):
                head.id_number = household.head_id_number
                head.save()
        return household


class HouseholdDetailSerializer(HouseholdSerializer):
    """One household with its members, cases and items grouped by the four categories."""

    members = serializers.SerializerMethodField()
    cases = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()

    class Meta(HouseholdSerializer.Meta):
        fields = HouseholdSerializer.Meta.fields + ["cases", "items"]

    def _user(self):
        return request_user(self.context)

    @extend_schema_field(MemberSerializer(many=True))
    def get_members(self, obj: Household) -> list[dict]:
        members = Member.objects.visible_to(self._user()).filter(household=obj)
        return MemberSerializer(members, many=True, context=self.context).data

    @extend_schema_field(CaseSerializer(many=True))
    def get_cases(self, obj: Household) -> list[dict]:
        cases = Case.objects.visible_to(self._user()).filter(household=obj).select_related("agency")
        return CaseSerializer(cases, many=True, context=self.context).data

    @extend_schema_field(ItemsByCategorySerializer)
    def get_items(self, obj: Household) -> dict:
        items = (
            Item.objects.visible_to(self._user())
            .filter(household=obj)
            .select_related("household", "subtype", "agency")
            .order_by("formation_date", "archive_number", "pk")
        )
        grouped: dict[str, list] = {c.value: [] for c in Category}
        for item in items:
            grouped[item.category].append(ItemSummarySerializer(item, context=self.context).data)
        return grouped


class AgencySerializer(serializers.ModelSerializer):
    parent = AgencyField(read_only=True)
    level_name = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Agency
        fields = [
            "region_code",
            "region_name",
            "name",
            "level",
            "level_name",
            "parent",
            "fonds",
            "statistical_only",
        ]


class AuditEntrySerializer(serializers.ModelSerializer):
    action_name = serializers.CharField(source="get_action_display", read_only=True)
    object_id = serializers.SerializerMethodField()
    object_repr = serializers.SerializerMethodField()
    detail = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "timestamp",
            "actor_name",
            "agency_code",
            "action",
            "action_name",
            "object_type",
            "object_id",
            "object_repr",
            "detail",
            "ip_address",
            "prev_hash",
            "entry_hash",
        ]

    # Paths and descriptions may hold resident IDs: shown as the caller may see them.
    def get_object_id(self, obj: AuditEntry) -> str:
        return mask_ids_in(obj.object_id, request_user(self.context))

    def get_object_repr(self, obj: AuditEntry) -> str:
        return mask_ids_in(obj.object_repr, request_user(self.context))

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_detail(self, obj: AuditEntry) -> dict:
        return mask_ids_in(obj.detail, request_user(self.context))
