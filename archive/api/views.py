"""Households, members, agencies and the operation log."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from archive.api.base import ScopedViewMixin
from archive.api.fields import household_lookup, visible_agencies
from archive.api.filters import AuditFilter, HouseholdFilter, MemberFilter
from archive.api.reads import LoggedReadsMixin
from archive.api.serializers import (
    AgencySerializer,
    AuditEntrySerializer,
    HouseholdDetailSerializer,
    HouseholdSerializer,
    MemberSerializer,
)
from archive.models import Agency, AuditEntry, Household, Member

HOUSEHOLD_KEY = OpenApiParameter(
    "head_id_number",
    str,
    OpenApiParameter.PATH,
    description="户主的 18 位身份证号，或户的数字 id",
)


@extend_schema_view(
    list=extend_schema(summary="辖区内的户", tags=["households"]),
    retrieve=extend_schema(
        summary="一户：成员、核对业务和按四类分组的件",
        parameters=[HOUSEHOLD_KEY],
        tags=["households"],
    ),
    create=extend_schema(summary="建档（新增户）", tags=["households"]),
    partial_update=extend_schema(summary="修改户", parameters=[HOUSEHOLD_KEY], tags=["households"]),
)
class HouseholdViewSet(
    LoggedReadsMixin,
    ScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """户（以户主身份证号为键）。只列出本机构辖区内的户；新增、修改需要相应的模型权限。"""

    model = Household
    lookup_field = "head_id_number"
    lookup_value_regex = "[^/]+"
    filter_backends = [DjangoFilterBackend]
    filterset_class = HouseholdFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().select_related("agency")

    def get_serializer_class(self):
        return HouseholdDetailSerializer if self.action == "retrieve" else HouseholdSerializer

    def lookup_filter(self, value: str) -> dict | None:
        return household_lookup(value)


@extend_schema_view(
    list=extend_schema(summary="家庭成员和赡扶养义务人", tags=["households"]),
    retrieve=extend_schema(summary="一名成员", tags=["households"]),
    create=extend_schema(summary="登记成员", tags=["households"]),
    partial_update=extend_schema(summary="修改成员", tags=["households"]),
)
class MemberViewSet(
    LoggedReadsMixin,
    ScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """家庭成员与不共同生活的赡扶养义务人（co_resident=false）。"""

    model = Member
    serializer_class = MemberSerializer
    lookup_value_regex = "[0-9]+"
    filter_backends = [DjangoFilterBackend]
    filterset_class = MemberFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().select_related("household")

    def lookup_filter(self, value: str) -> dict | None:
        return {"pk": int(value)} if value.isascii() and value.isdigit() else None


@extend_schema_view(
    list=extend_schema(summary="本人可见的核对机构（本机构及下级）", tags=["agencies"]),
    retrieve=extend_schema(summary="一个核对机构", tags=["agencies"]),
)
class AgencyViewSet(
    ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """核对机构：本人所属机构及其下级机构。"""

    model = Agency
    serializer_class = AgencySerializer
    lookup_field = "region_code"
    lookup_value_regex = "[0-9]{6}"

    def get_queryset(self):
        # Agencies are not a scoped model: the jurisdiction is the user's agency tree.
        return visible_agencies(self.request.user).select_related("parent")


@extend_schema_view(
    list=extend_schema(summary="操作日志（新的在前，限本辖区机构）", tags=["audit"]),
    retrieve=extend_schema(summary="一条操作日志", tags=["audit"]),
)
class AuditEntryViewSet(
    ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """操作日志（只读）：本辖区机构的条目，新的在前；超级用户可见全部。"""

    model = AuditEntry
    serializer_class = AuditEntrySerializer
    lookup_value_regex = "[0-9]+"
    filter_backends = [DjangoFilterBackend]
    filterset_class = AuditFilter

    def get_queryset(self):
        user = self.request.user
        entries = AuditEntry.objects.order_by("-id")
        if user.is_superuser:
            return entries
        codes = visible_agencies(user).values_list("region_code", flat=True)
        return entries.filter(agency_code__in=list(codes))

    def lookup_filter(self, value: str) -> dict | None:
        return {"pk": int(value)} if value.isascii() and value.isdigit() else None
