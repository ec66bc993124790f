"""What the loans API sends and takes. Inputs are checked by loans.services (one set of
rules for the API and the desk); these serializers describe them in the OpenAPI schema."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from archive.masking import shown_id_number
from loans.models import Incident, Loan, LoanItem


def _name(user) -> str | None:
    return (user.real_name or user.username) if user else None


class BorrowerInSerializer(serializers.Serializer):
    user = serializers.CharField(required=False, help_text="本系统用户的账号（本单位借阅人）")
    name = serializers.CharField(required=False, help_text="外单位借阅人的真实姓名")
    id_number = serializers.CharField(required=False, help_text="外单位借阅人的 18 位身份证号")
    unit = serializers.CharField(required=False, help_text="外单位借阅人所在单位")


class LetterInSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="文件名")
    content_base64 = serializers.CharField(help_text="介绍信（PDF、JPEG 或 PNG）的 base64 内容")


class LoanRequestSerializer(serializers.Serializer):
    borrower = BorrowerInSerializer()
    purpose = serializers.CharField()
    kind = serializers.ChoiceField(choices=Loan.Kind.choices)
    items = serializers.ListField(child=serializers.CharField(), help_text="档号列表")
    date = serializers.DateField()
    start_time = serializers.TimeField(required=False, help_text="默认 09:00")
    end_time = serializers.TimeField(required=False, help_text="默认 17:00")
    letter = LetterInSerializer(
        required=False, help_text="外单位借阅须附介绍信；也可用 multipart 的 letter 文件字段"
    )


class RefuseSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ReturnLineSerializer(serializers.Serializer):
    archive_number = serializers.CharField()
    pages_counted = serializers.IntegerField(min_value=0)
    condition = serializers.ChoiceField(choices=LoanItem.Condition.choices)
    note = serializers.CharField(required=False, allow_blank=True)


class ReturnSerializer(serializers.Serializer):
    items = ReturnLineSerializer(many=True)


class ResolveSerializer(serializers.Serializer):
    note = serializers.CharField()


class LoanItemSerializer(serializers.ModelSerializer):
    archive_number = serializers.CharField(source="item.archive_number")
    title = serializers.CharField(source="item.title")
    pages = serializers.SerializerMethodField(help_text="发放页数；发放前为件的当前页数")

    class Meta:
        model = LoanItem
        fields = ["archive_number", "title", "pages", "pages_issued", "pages_counted"]
        fields += ["condition", "note"]

    def get_pages(self, line: LoanItem) -> int:
        return line.pages_issued if line.pages_issued is not None else line.item.page_count


class IncidentSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text="count_mismatch（页数不符）或 damage（损坏）")
    archive_number = serializers.CharField(source="line.item.archive_number")
    resolved_by = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = ["id", "archive_number", "kind", "detail", "opened_at", "resolved"]
        fields += ["resolved_by", "resolved_at", "resolution"]

    def get_resolved_by(self, incident: Incident) -> str | None:
        return _name(incident.resolved_by)


class BorrowerOutSerializer(serializers.Serializer):
    user = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    id_number = serializers.CharField(help_text="按角色遮蔽")
    unit = serializers.CharField()
    letter = serializers.BooleanField(help_text="是否附介绍信")


class LoanSerializer(serializers.ModelSerializer):
    status = serializers.CharField(
        help_text="requested、approved、refused、issued、incident（归还异常待处理）或 closed"
    )
    agency = serializers.CharField(source="agency.region_code")
    borrower = serializers.SerializerMethodField()
    requested_by = serializers.SerializerMethodField()
    approver = serializers.SerializerMethodField()
    issued_by = serializers.SerializerMethodField()
    returned_to = serializers.SerializerMethodField()
    overdue = serializers.BooleanField(source="is_overdue")
    items = LoanItemSerializer(source="lines", many=True)
    incidents = IncidentSerializer(many=True)

    class Meta:
        model = Loan
        fields = ["id", "status", "kind", "purpose", "date", "start_time", "end_time"]
        fields += ["agency", "borrower", "requested_by", "requested_at", "approver"]
        fields += ["decided_at", "refusal_reason", "issued_by", "issued_at", "returned_to"]
        fields += ["returned_at", "closed_at", "overdue", "items", "incidents"]

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    @extend_schema_field(BorrowerOutSerializer)
    def get_borrower(self, loan: Loan) -> dict:
        return BorrowerOutSerializer(
            {
                "user": loan.borrower_user.username if loan.borrower_user else None,
                "name": loan.borrower_name,
                "id_number": shown_id_number(self._user(), loan.borrower_id_number),
                "unit": loan.borrower_unit,
                "letter": bool(loan.letter_sha256),
            }
        ).data

    def get_requested_by(self, loan: Loan) -> str | None:
        return _name(loan.requested_by)

    def get_approver(self, loan: Loan) -> str | None:
        return _name(loan.decided_by)

    def get_issued_by(self, loan: Loan) -> str | None:
        return _name(loan.issued_by)

    def get_returned_to(self, loan: Loan) -> str | None:
        return _name(loan.returned_to)
