"""Inventory reconciliation (DA/T 31 挂接): catalogue entries against the stored images.

Per set of items (a household, box, year or agency): paper items never scanned, born-digital
items printed for filing whose scan never came back, page counts that differ between the
catalogue and the images, catalogue entries without images and images without entries, and
gaps in the 件号 of a class.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count, Q

from archive.models import File, Item, PrintTask

SCANS = (File.Role.ORIGINAL, File.Role.ACCESS, File.Role.PAGE_IMAGE)


@dataclass
class Finding:
    kind: str
    item: Item
    field: str
    paper: str = ""
    electronic: str = ""
    page: int | None = None
    detail: dict = field(default_factory=dict)


def reconcile(items, paired_ids: set[int]) -> Iterator[Finding]:
    from consistency.models import Discrepancy

    Kind = Discrepancy.Kind
    filed = items.filter(archive_number__isnull=False).exclude(status=Item.Status.DESTROYED)
    annotated = filed.annotate(
        scans=Count("files", filter=Q(files__role__in=SCANS)),
        images=Count("files", filter=Q(files__role=File.Role.PAGE_IMAGE), distinct=True),
        page_rows=Count("pages", distinct=True),
    )
    for item in annotated:
        if item.scans == 0:
            kind = Kind.PAPER_ONLY if item.carrier == Item.Carrier.PAPER else Kind.NO_IMAGE
            yield Finding(kind, item, "files", paper=str(item.page_count), electronic="0")
            continue
        if item.images and item.images != item.page_count:
            yield Finding(
                Kind.PAGE_COUNT,
                item,
                "page_count",
                paper=str(item.page_count),
                electronic=str(item.images),
                detail={"what": "目录页数与页图像数不符"},
            )
        elif item.page_rows and item.page_rows != item.page_count:
            yield Finding(
                Kind.PAGE_COUNT,
                item,
                "page_count",
                paper=str(item.page_count),
                electronic=str(item.page_rows),
                detail={"what": "目录页数与页记录数不符"},
            )
        if item.images:
            stray = File.objects.filter(item=item, role=File.Role.PAGE_IMAGE).filter(
                Q(page_number__isnull=True) | Q(page_number__gt=item.page_count)
            )
            for f in stray:
                yield Finding(
                    Kind.NO_ENTRY, item, "page_image", page=f.page_number, electronic=f.sha256[:16]
                )
    printed = PrintTask.objects.filter(
        item__in=filed, status=PrintTask.Status.PRINTED
    ).select_related("item")
    for task in printed:
        item = task.item
        if item.carrier == Item.Carrier.BOTH or item.pk in paired_ids:
            continue
        yield Finding(
            Kind.NOT_SCANNED_BACK,
            item,
            "paper_copy",
            paper="",
            electronic=item.archive_number or "",
            detail={"printed_at": task.printed_at.isoformat() if task.printed_at else None},
        )
    yield from _gaps(filed)


def _gaps(filed) -> Iterator[Finding]:
    from consistency.models import Discrepancy

    classes = set(filed.exclude(class_key="").values_list("class_key", flat=True))
    for class_key in sorted(classes):
        numbered = list(
            Item.objects.filter(class_key=class_key, item_number__isnull=False)
            .order_by("item_number")
            .only("pk", "item_number", "archive_number", "household", "agency")
        )
        expected = 1
        for item in numbered:
            if item.item_number > expected:
                missing = list(range(expected, item.item_number))
                yield Finding(
                    Discrepancy.Kind.NUMBER_GAP,
                    item,
                    "item_number",
                    paper="",
                    electronic="、".join(str(n) for n in missing[:20]),
                    detail={"class_key": class_key, "missing": missing[:200]},
                )
            expected = item.item_number + 1
