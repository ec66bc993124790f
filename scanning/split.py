"""The archivist's answer to an uncertain stack: the split, confirmed or corrected, is filed.

``scanning.stack`` leaves a stack it is not sure about as one review item carrying the split
the sheets propose (``fields["proposed_split"]``). ``confirm_split`` takes the archivist's
parts (page ranges, household, subtype, and a formation date where the pages print none) and the pages that are separator sheets, checks all of
it, then in one transaction files one item per part exactly as a certain stack would have been
filed (``ingest.parts.part_item``), and retires the whole-stack review item, which was never
filed and has no 档号. The retirement is one entry in the operation log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from archive import audit
from archive.filing import FilingError, file_item
from archive.models import File, Household, Item, Subtype
from ingest import dating
from ingest.models import Batch, Document
from ingest.parts import part_item, stack_pdf
from ingest.review import usable_subtypes
from scanning.separators import Part


class SplitError(ValueError):
    """The split cannot be confirmed; ``str(exc)`` says why, in Chinese. Nothing was changed."""


@dataclass(frozen=True)
class PartChoice:
    """One item the archivist cut from the stack: pages first..last (1-based, inclusive)."""

    first_page: int
    last_page: int
    household: Household | None
    subtype: Subtype | None
    # Given by the archivist for a part whose pages print no date and whose case gives none
    # (ingest.dating: no silent guesses); a date given here is the person's and wins.
    formation_date: dt.date | None = None


def splittable(item: Item) -> bool:
    """An item waiting for review that carries a proposed split."""
    return item.status == Item.Status.REVIEW and bool((item.fields or {}).get("proposed_split"))


def stack_document(item: Item) -> Document | None:
    """The ingest document the stack came from (its item is the whole-stack review item)."""
    return Document.objects.filter(item=item).select_related("batch__agency").order_by("pk").first()


def confirm_split(
    item: Item,
    parts: Sequence[PartChoice],
    user,
    request=None,
    *,
    excluded: Collection[int] = (),
) -> list[Item]:
    """File one item per part of the stack; ``excluded`` are the separator pages (not filed).

    All or nothing: any problem raises SplitError and leaves the database as it was. A second
    confirmation of the same stack finds the review item gone and is refused.
    """
    parts, excluded = list(parts), {int(n) for n in excluded}
    if not parts:
        raise SplitError("至少要拆出一件")
    try:
        with transaction.atomic():
            item, document = _locked(item, user)
            chosen = _validate(parts, excluded, len(document.page_texts), user, document.batch)
            items = _file_parts(item, document, chosen, excluded, user, request)
            _retire(item, document, items, user, request)
    except FilingError as exc:
        raise SplitError(f"不能归档：{exc}") from exc
    return items  # the index follows through search's signals


def _locked(item: Item, user) -> tuple[Item, Document]:
    # The item row is the lock two confirmations of one stack queue on; the second one then
    # finds it gone (or no longer under review) and stops.
    locked = Item.objects.visible_to(user).select_for_update().filter(pk=item.pk).first()
    if locked is None:
        raise SplitError("该件不存在、已拆分归档或不在您的辖区内")
    if not splittable(locked):
        raise SplitError(f"该件当前状态为「{locked.get_status_display()}」，没有待确认的拆分")
    document = (
        Document.objects.select_for_update()
        .filter(item=locked)
        .select_related("batch__agency")
        .order_by("pk")
        .first()
    )
    if document is None or not document.page_texts:
        raise SplitError("找不到该叠材料的采集文件，不能拆分")
    if document.status != Document.Status.REVIEW:
        raise SplitError(f"采集文件当前状态为「{document.get_status_display()}」，不能拆分")
    return locked, document


def _validate(
    parts: list[PartChoice], excluded: set[int], total: int, user, batch: Batch
) -> list[tuple[Part, Household, Subtype, dt.date | None]]:
    for page in sorted(excluded):
        if not 1 <= page <= total:
            raise SplitError(f"分隔页第 {page} 页超出范围（本叠共 {total} 页）")
    owner: dict[int, int] = {}
    for number, part in enumerate(parts, start=1):
        if not 1 <= part.first_page <= part.last_page <= total:
            raise SplitError(
                f"第 {number} 件的页码范围（{part.first_page}–{part.last_page}）无效："
                f"须在 1–{total} 之间，且每件至少 1 页"
            )
        for page in range(part.first_page, part.last_page + 1):
            if page in excluded:
                raise SplitError(f"第 {page} 页已标为分隔页，不能同时归入第 {number} 件")
            if page in owner:
                raise SplitError(f"第 {page} 页同时归入第 {owner[page]} 件和第 {number} 件")
            owner[page] = number
    missing = [n for n in range(1, total + 1) if n not in owner and n not in excluded]
    if missing:
        pages = "、".join(str(n) for n in missing)
        raise SplitError(f"第 {pages} 页既不属于任何一件，也没有标为分隔页")
    jurisdiction = set(batch.agency.jurisdiction_ids())
    visible = Household.objects.visible_to(user).select_related("agency")
    chosen = []
    for number, part in enumerate(parts, start=1):
        if part.household is None:
            raise SplitError(f"请为第 {number} 件选择户")
        household = visible.filter(pk=part.household.pk).first()
        if household is None or household.agency_id not in jurisdiction:
            raise SplitError(f"第 {number} 件所选的户不在您的辖区或本批次机构的辖区内")
        if part.subtype is None or not Subtype.objects.filter(pk=part.subtype.pk).exists():
            raise SplitError(f"请为第 {number} 件选择子类")
        subtype = Subtype.objects.get(pk=part.subtype.pk)
        if not usable_subtypes(household.agency).filter(pk=subtype.pk).exists():
            raise SplitError(
                f"第 {number} 件：子类「{subtype.name}」不能用于{household.agency.name}的户"
            )
        separator = part.first_page - 1 if part.first_page - 1 in excluded else None
        sheet = Part(
            part.first_page, part.last_page, separator, household.head_id_number, subtype.code
        )
        if part.formation_date is not None and part.formation_date > timezone.localdate():
            raise SplitError(f"第 {number} 件：形成日期不能晚于今天")
        chosen.append((sheet, household, subtype, part.formation_date))
    return sorted(chosen, key=lambda c: c[0].first_page)


def _file_parts(
    item: Item,
    document: Document,
    chosen: list[tuple[Part, Household, Subtype, dt.date | None]],
    excluded: set[int],
    user,
    request,
) -> list[Item]:
    pdf = stack_pdf(document)
    # Dated as if the stack had been certain when it came in ("today" bounds the dates read);
    # a part with no date of its own or its case's takes the one the archivist gave, or stops.
    today = timezone.localdate(item.created_at)
    stamp = {
        "accepted_by": user.username,
        "accepted_at": timezone.now().isoformat(timespec="seconds"),
    }
    items = []
    for number, (sheet, household, subtype, given) in enumerate(chosen, start=1):
        new = part_item(document, document.batch, today, sheet, pdf, household, subtype)
        new.status_detail = f"人工确认拆分：{user}"
        new.fields = {**new.fields, "review": {**stamp, "split_of": item.pk}}
        if given is not None:
            new.formation_date = given
            new.fields = dating.reviewed(new.fields)
        elif new.formation_date is None:
            raise SplitError(
                f"第 {number} 件（第 {sheet.first_page}–{sheet.last_page} 页）没有印制日期，"
                "也无法从所属业务取得：请填写形成日期"
            )
        file_item(new)  # saves everything set above
        audit.record(
            audit.Action.CHANGE,
            new,
            user=user,
            request=request,
            detail={
                "split": "confirmed",
                "stack_item": item.pk,
                "document": document.pk,
                "pages": [sheet.first_page, sheet.last_page],
                "separator_page": sheet.separator_page,
                "household": household.pk,
                "subtype": subtype.code,
                "archive_number": new.archive_number,
            },
        )
        items.append(new)
    Document.objects.filter(pk=document.pk).update(
        item=items[0], status=Document.Status.FILED, error="", updated_at=timezone.now()
    )
    return items


def _retire(item: Item, document: Document, items: list[Item], user, request) -> None:
    """Delete the whole-stack review item with its files, pages and part row.

    It was never filed (no 档号, no 件号 taken), and every page it held is now in a filed item
    or was a separator sheet; one entry records what it was and what replaced it. The stored
    blobs stay: storage is content-addressed and write-once, and the parts share most of them.
    """
    files = list(item.files.values_list("role", flat=True))
    audit.record(
        audit.Action.DELETE,
        item,
        user=user,
        request=request,
        detail={
            "split": "confirmed",
            "reason": "成叠扫描拆分确认后，整叠待确认件由拆出的件取代",
            "document": document.pk,
            "pages": item.pages.count(),
            "files": len(files),
            "thumbnails": files.count(File.Role.THUMBNAIL),
            "proposed_split": item.fields.get("proposed_split"),
            "replaced_by": [
                {"item": i.pk, "archive_number": i.archive_number, "pages": i.page_count}
                for i in items
            ],
        },
    )
    with audit.model_entries_suppressed():
        File.objects.filter(item=item).delete()
        item.delete()  # pages, the DocumentPart row and listed households go with it
