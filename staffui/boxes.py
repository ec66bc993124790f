"""档案盒: boxes made per class, and filed items put into them (DA/T 22).

A box holds one class only (``class_key``: the 档号 without its 件号 — fonds, class, year,
retention, category), so one box never mixes years, retention periods or classes. Putting an
item of another class, year or period, an unfiled item, or an item already in another box is
refused as a whole, with the reason, and nothing changes.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min

from archive import audit
from archive.models import Box, Item


class BoxError(ValueError):
    """A refused box operation; the message is shown to the user as it is."""


def unboxed(user):
    return Item.objects.visible_to(user).filter(status=Item.Status.FILED, box__isnull=True)


def unboxed_classes(user) -> list[dict]:
    """Per class: how many filed items wait for a box, their 件号 range, and the boxes so far."""
    rows = list(
        unboxed(user)
        .values("class_key", "year", "retention", "agency__name")
        .annotate(n=Count("pk"), first=Min("item_number"), last=Max("item_number"))
        .order_by("-year", "class_key")
    )
    boxes = dict(
        Box.objects.visible_to(user)
        .values("class_key")
        .annotate(n=Count("pk"))
        .values_list("class_key", "n")
    )
    for row in rows:
        row["boxes"] = boxes.get(row["class_key"], 0)
    return rows


def create_box(user, class_key: str, *, request=None) -> Box:
    """A new box for ``class_key`` with the class's next 盒号 (a class must have filed items
    the user can see)."""
    sample = (
        Item.objects.visible_to(user)
        .filter(class_key=class_key, status=Item.Status.FILED)
        .select_related("agency")
        .first()
    )
    if sample is None:
        raise BoxError("该分类下没有您辖区内的已归档的件，不能建盒")
    for _attempt in range(3):
        number = (
            Box.objects.filter(class_key=class_key).aggregate(m=Max("box_number"))["m"] or 0
        ) + 1
        try:
            with transaction.atomic(), audit.model_entries_suppressed():
                box = Box.objects.create(
                    agency=sample.agency,
                    class_key=class_key,
                    fonds=sample.agency.fonds,
                    year=sample.year,
                    retention=sample.retention,
                    box_number=number,
                )
        except IntegrityError:
            continue  # another user took this number at the same moment; take the next
        audit.record(
            audit.Action.CREATE, box, request=request, user=user, detail={"class_key": class_key}
        )
        return box
    raise BoxError("盒号冲突，请重试")


def refusal(box: Box, item: Item) -> str:
    """Why ``item`` may not go into ``box`` ("" when it may)."""
    name = item.archive_number or item.title
    if item.status != Item.Status.FILED or not item.archive_number:
        return f"{name}：尚未归档的件不能装盒"
    if item.box_id and item.box_id != box.pk:
        return f"{name}：已在{item.box}中"
    if item.year != box.year:
        return f"{name}：年度 {item.year} 与本盒年度 {box.year} 不同，一盒不能混装不同年度"
    if item.retention != box.retention:
        return f"{name}：保管期限 {item.retention} 与本盒 {box.retention} 不同"
    if item.class_key != box.class_key:
        return f"{name}：分类 {item.class_key} 与本盒分类 {box.class_key} 不同"
    return ""


def put_items(user, box: Box, item_ids: list[int], *, request=None) -> int:
    """Put the items into the box, all or none. Returns how many were added."""
    if not item_ids:
        raise BoxError("请选择要装入的件")
    with transaction.atomic(), audit.model_entries_suppressed():
        box = Box.objects.select_for_update().get(pk=box.pk)
        items = list(
            Item.objects.visible_to(user)
            .select_for_update()
            .filter(pk__in=item_ids)
            .order_by("item_number")
        )
        if len(items) != len(set(item_ids)):
            raise BoxError("所选的件中有不存在或不在您辖区内的件")
        reasons = [r for r in (refusal(box, item) for item in items) if r]
        if reasons:
            raise BoxError("未装盒：" + "；".join(reasons[:5]) + ("……" if len(reasons) > 5 else ""))
        added = [i for i in items if i.box_id is None]
        Item.objects.filter(pk__in=[i.pk for i in added]).update(box=box)
        span = Item.objects.filter(box=box).aggregate(
            first=Min("item_number"), last=Max("item_number")
        )
        box.first_item_number, box.last_item_number = span["first"], span["last"]
        box.save(update_fields=["first_item_number", "last_item_number"])
    audit.record(
        audit.Action.CHANGE,
        box,
        request=request,
        user=user,
        detail={"put": [i.archive_number for i in added]},
    )
    return len(added)


def items_in_range(user, box: Box, first: int, last: int) -> list[int]:
    """The ids of the box class's items numbered ``first``..``last`` (for 按件号装盒)."""
    if first > last:
        raise BoxError("起件号不能大于止件号")
    ids = list(
        Item.objects.visible_to(user)
        .filter(class_key=box.class_key, item_number__gte=first, item_number__lte=last)
        .values_list("pk", flat=True)
    )
    if not ids:
        raise BoxError(f"本盒分类下没有件号 {first}–{last} 的件")
    return ids
