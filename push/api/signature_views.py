"""What pyHanko says about the signatures of an item's stored PDFs, and the print tasks of
born-digital items (their 归档章 copies to print and file on paper)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from archive import audit, signing
from archive.api.base import ScopedViewMixin
from archive.api.fields import item_lookup
from archive.api.item_views import ITEM_KEY
from archive.api.permissions import require
from archive.models import File, Item, PrintTask
from archive.storage import StorageIntegrityError, read_blob
from push import sealing
from push.api.platform_serializers import ItemSignaturesSerializer, PrintTaskSerializer
from push.printing import print_copy

PDF = "application/pdf"


def file_signatures(stored: File) -> dict:
    entry = {"role": stored.role, "sha256": stored.sha256, "signatures": [], "error": None}
    try:
        data = read_blob(stored.sha256)
    except (FileNotFoundError, OSError, StorageIntegrityError) as exc:
        entry["error"] = f"存储中的文件无法读取或已损坏：{exc}"
        return entry
    try:
        report = signing.check_signatures(data)
    except signing.PdfUnreadable as exc:
        entry["error"] = str(exc)
        return entry
    entry["signatures"] = [s.as_dict() for s in report.signatures]
    return entry


@extend_schema(
    summary="件的各个 PDF 文件中每个签名的校验结果（pyHanko）",
    description=(
        "原件与签章副本中的每个签名：是否完整（intact）、是否被篡改（tampered）、"
        "是否可信（trusted，证书链通向配置的信任根或本档案馆的签章证书）。"
        "打印件（带归档章、已重写）不在其列。查看记入操作日志。"
        "平台接口令牌可查看本辖区内件的校验结果（不能下载文件）。"
    ),
    parameters=[ITEM_KEY],
    responses={200: ItemSignaturesSerializer},
    tags=["items"],
)
class ItemSignaturesView(ScopedViewMixin, GenericAPIView):
    model = Item
    lookup_field = "archive_number"
    lookup_url_kwarg = "key"
    permission_classes = [
        IsAuthenticated,
        require("archive.view_item", "archive.view_file") | require("archive.verify_signatures"),
    ]
    serializer_class = ItemSignaturesSerializer
    pagination_class = None
    filter_backends: list = []

    def lookup_filter(self, value: str) -> dict | None:
        return item_lookup(value)

    def get(self, request, key=None):
        item = self.get_object()
        files = (
            File.objects.visible_to(request.user)
            .filter(item=item, media_type=PDF)
            .exclude(role=File.Role.PRINT)
            .order_by("pk")
        )
        body = {
            "archive_number": item.archive_number,
            "seal": sealing.state(item),
            "files": [file_signatures(f) for f in files],
        }
        audit.record(
            audit.Action.VIEW,
            item,
            request=request,
            detail={"path": request.path, "what": "signatures"},
        )
        return Response(body)


@extend_schema_view(
    list=extend_schema(
        summary="打印任务：须打印（带归档章）并归入纸质档案的电子件",
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=["pending", "printed", "all"],
                description="pending（默认）待打印，printed 已打印归档，all 全部",
            )
        ],
        tags=["print-tasks"],
    ),
)
class PrintTaskViewSet(ScopedViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """打印任务：平台推送的电子件须打印、盖归档章后归入纸质档案（以纸质为准）。"""

    model = PrintTask
    serializer_class = PrintTaskSerializer
    permission_classes = [IsAuthenticated, require("archive.view_item")]
    lookup_field = "item__archive_number"
    lookup_url_kwarg = "key"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        tasks = super().get_queryset().select_related("item__household", "file")
        wanted = self.request.query_params.get("status", "pending")
        if self.action == "list" and wanted != "all":
            if wanted not in PrintTask.Status.values:
                raise exceptions.ValidationError(
                    {"status": [exceptions.ErrorDetail("应为 pending、printed 或 all", "invalid")]}
                )
            tasks = tasks.filter(status=wanted)
        return tasks.order_by("created_at", "pk")

    def lookup_filter(self, value: str) -> dict | None:
        lookup = item_lookup(value)
        return {f"item__{k}": v for k, v in lookup.items()}

    @extend_schema(
        summary="登记打印件已盖章归入纸质档案（载体改为纸质和电子）",
        request=None,
        responses={200: PrintTaskSerializer},
        parameters=[ITEM_KEY],
        tags=["print-tasks"],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="printed",
        permission_classes=[IsAuthenticated, require("archive.view_item", "archive.change_item")],
    )
    def printed(self, request, key=None):
        task = self.get_object()
        self._ensure_copy(request, task)
        with transaction.atomic():
            if task.status != PrintTask.Status.PRINTED:
                task.status = PrintTask.Status.PRINTED
                task.printed_at = timezone.now()
                task.printed_by = request.user
                task.save(update_fields=["status", "printed_at", "printed_by"])
                item = task.item
                item.carrier = Item.Carrier.BOTH
                item.save(update_fields=["carrier", "updated_at"])
                audit.record(
                    audit.Action.PRINT,
                    item,
                    request=request,
                    detail={"path": request.path, "sha256": task.file.sha256},
                )
        return Response(self.get_serializer(task).data)

    @extend_schema(
        summary="取得打印件（带归档章）：尚未生成时当场生成并保存，之后直接返回",
        request=None,
        responses={200: PrintTaskSerializer},
        parameters=[ITEM_KEY],
        tags=["print-tasks"],
    )
    @action(detail=True, methods=["post"], url_path="copy")
    def copy(self, request, key=None):
        task = self.get_object()
        self._ensure_copy(request, task)
        return Response(self.get_serializer(task).data)

    def _ensure_copy(self, request, task: PrintTask) -> None:
        """The print copy is made when first needed (not at push), then kept on the task."""
        if task.file_id is not None:
            return
        try:
            print_copy(task)  # the new File is logged like every other (archive.signals)
        except (ValueError, FileNotFoundError, OSError, StorageIntegrityError) as exc:
            raise exceptions.ValidationError(
                [exceptions.ErrorDetail(f"打印件无法生成：{exc}", "no_print_copy")]
            ) from exc
