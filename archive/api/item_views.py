"""Items (件) and the download of their stored files."""

from __future__ import annotations

import mimetypes
from pathlib import PurePath

from django.http import FileResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from archive import audit
from archive.api.base import ScopedViewMixin
from archive.api.errors import NOT_FOUND_MESSAGE
from archive.api.fields import item_lookup
from archive.api.filters import ItemFilter
from archive.api.item_serializers import ItemDetailSerializer, ItemSummarySerializer
from archive.api.permissions import ModelPermissions, require
from archive.masking import may_download_originals
from archive.models import File, Item
from archive.storage import BlobDamaged, open_blob
from archive.views.items import EVIDENCE_ROLES, evidence_name

ITEM_KEY = OpenApiParameter(
    "key",
    str,
    OpenApiParameter.PATH,
    description="档号，如 Z420102-HD·2024-D10-GC-0001；未归档的件用其数字 id",
)


@extend_schema_view(
    list=extend_schema(summary="辖区内的件", tags=["items"]),
    retrieve=extend_schema(
        summary="一件：页、文件和提取字段（查看记入操作日志）",
        parameters=[ITEM_KEY],
        tags=["items"],
    ),
)
class ItemViewSet(
    ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """件（以档号为键）：列表按类别、子类、年度、户、状态筛选；详情含页文字、文件和提取字段。"""

    model = Item
    lookup_field = "archive_number"
    lookup_url_kwarg = "key"
    lookup_value_regex = "[^/]+"
    filter_backends = [DjangoFilterBackend]
    filterset_class = ItemFilter

    def get_queryset(self):
        return super().get_queryset().select_related("household", "subtype", "agency")

    def get_serializer_class(self):
        return ItemDetailSerializer if self.action == "retrieve" else ItemSummarySerializer

    def lookup_filter(self, value: str) -> dict | None:
        return item_lookup(value)

    def retrieve(self, request, *args, **kwargs):
        item = self.get_object()
        audit.record(audit.Action.VIEW, item, request=request, detail={"path": request.path})
        return Response(self.get_serializer(item).data)

    @extend_schema(
        summary="下载件的一个文件（记入操作日志）",
        parameters=[
            ITEM_KEY,
            OpenApiParameter("sha256", str, OpenApiParameter.PATH, description="文件的 SHA-256"),
        ],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="文件内容，媒体类型为文件自身的类型"
            )
        },
        tags=["items"],
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"files/(?P<sha256>[0-9a-fA-F]{64})",
        url_name="file",
        permission_classes=[IsAuthenticated, ModelPermissions, require("archive.view_file")],
        filter_backends=[],
        pagination_class=None,
    )
    def download(self, request, key=None, sha256=None):
        item = self.get_object()
        stored = (
            File.objects.visible_to(request.user)
            .filter(item=item, sha256=sha256.lower())
            .order_by("pk")
            .first()
        )
        if stored is None:
            raise exceptions.NotFound(NOT_FOUND_MESSAGE, code="not_found")
        if not may_download_originals(request.user, item):
            raise exceptions.PermissionDenied(
                "下载原件需要“查看完整身份证号”权限或已批准的借阅", code="original_access"
            )
        try:
            stream = open_blob(stored.sha256)
        except BlobDamaged as exc:
            raise FileDamaged() from exc
        except (FileNotFoundError, OSError) as exc:
            raise exceptions.NotFound("存储中找不到该文件", code="file_missing") from exc
        audit.record(
            audit.Action.DOWNLOAD,
            stored,
            request=request,
            detail={
                "archive_number": item.archive_number or "",
                "item": item.pk,
                "sha256": stored.sha256,
                "role": stored.role,
                "path": request.path,
            },
        )
        response = FileResponse(
            stream,
            content_type=stored.media_type,
            as_attachment=True,
            filename=_download_name(item, stored),
        )
        response["ETag"] = f'"{stored.sha256}"'
        response["Cache-Control"] = "private, no-store"
        return response


class FileDamaged(exceptions.APIException):
    """The stored bytes fail their sha256: never served (an ``alarm`` entry is written)."""

    status_code = 409
    default_detail = "文件校验失败（内容与 SHA-256 不符），已告警，不予提供"
    default_code = "file_damaged"


def _download_name(item: Item, stored: File) -> str:
    """档号 + sequence (DA/T 31): ``Z420102-HD·2024-D10-GC-0001-0003.tif`` for page 3."""
    base = item.archive_number or f"item-{item.pk}"
    suffix = PurePath(stored.original_name).suffix.lower() if stored.original_name else ""
    suffix = suffix or mimetypes.guess_extension(stored.media_type) or ""
    if stored.page_number:
        return f"{base}-{stored.page_number:04d}{suffix}"
    if stored.role in EVIDENCE_ROLES:
        return evidence_name(stored)
    if stored.role == File.Role.ORIGINAL:
        return f"{base}{suffix}"
    return f"{base}-{stored.role}{suffix}"
