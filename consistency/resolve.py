"""Deciding a discrepancy: the archivist checks the paper and records what is wrong.

* electronic wrong: the electronic record is corrected as a new version (以纸质为准). The old
  version is kept; each version is sealed by the sha256 of its canonical JSON, linked to the
  one before and written into the operation log's hash chain. The household's member record
  the field names is corrected too; the born-digital original itself is never changed.
* paper wrong (a misprint): recorded, nothing corrected.
* no difference after all (the paper says what the electronic record says): dismissed.

Every decision is one operation-log entry; an open discrepancy holds its items from
destruction (``hedang_retention_holds``).
"""

from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.utils import timezone

from archive import audit
from archive.models import Item, Member
from consistency.models import Discrepancy, RecordVersion

PAPER_PREVAILS = "以纸质为准"
DECISIONS = {
    "electronic_wrong": Discrepancy.Status.ELECTRONIC_CORRECTED,
    "paper_wrong": Discrepancy.Status.PAPER_WRONG,
    "dismiss": Discrepancy.Status.DISMISSED,
}


class ResolutionError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


def seal(data: dict) -> str:
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _record_of(item: Item) -> dict:
    members = []
    if item.household_id:
        members = list(
            item.household.members.order_by("pk").values("name", "id_number", "relation")
        )
    return {"archive_number": item.archive_number, "fields": item.fields, "members": members}


def versions(item: Item) -> list[RecordVersion]:
    return list(RecordVersion.objects.filter(item=item).order_by("number"))


def resolve(d: Discrepancy, decision: str, note: str, user, request=None) -> Discrepancy:
    """Record ``decision`` on ``d``. Raises :class:`ResolutionError` (nothing changed) on bad
    input or a discrepancy already decided."""
    note = (note or "").strip()
    if decision not in DECISIONS:
        raise ResolutionError("处理结论必须是：电子有误、纸质有误或经核实无误之一", "decision")
    if not note:
        raise ResolutionError("请填写处理意见（核对纸质档案的情况）", "note")
    with transaction.atomic():
        d = Discrepancy.objects.select_for_update().select_related("item").get(pk=d.pk)
        if not d.is_open:
            raise ResolutionError(f"该不一致已处理（{d.get_status_display()}），不能重复处理")
        detail: dict = {"discrepancy": d.pk, "decision": decision, "note": note}
        if decision == "electronic_wrong":
            if d.kind != Discrepancy.Kind.CONTENT:
                raise ResolutionError("只有内容不一致可以按纸质更正电子记录", "decision")
            detail.update(_correct(d, user))
        d.status = DECISIONS[decision]
        d.decision = note
        d.decided_by = user if getattr(user, "is_authenticated", False) else None
        d.decided_at = timezone.now()
        d.save(update_fields=["status", "decision", "decided_by", "decided_at"])
        action = audit.Action.CORRECT if decision == "electronic_wrong" else audit.Action.RESOLVE
        audit.record(action, d.item, user=user, request=request, detail=detail)
    return d


def _correct(d: Discrepancy, user) -> dict:
    item = Item.objects.select_for_update().get(pk=d.item_id)
    previous = RecordVersion.objects.filter(item=item).order_by("-number").first()
    if previous is None:
        data = _record_of(item)
        previous = RecordVersion.objects.create(
            item=item, number=1, data=data, sha256=seal(data), basis="原始记录", created_by=None
        )
    correction = {
        "field": d.field,
        "context": d.context,
        "electronic": d.electronic,
        "paper": d.paper,
        "page": d.page,
        "discrepancy": d.pk,
        "basis": PAPER_PREVAILS,
    }
    member = _correct_member(item, d)
    if member:
        correction["member"] = member
    marks = list((item.fields or {}).get("consistency_corrections", []))
    marks.append({**correction, "at": timezone.now().isoformat()})
    item.fields = {**(item.fields or {}), "consistency_corrections": marks}
    item.save(update_fields=["fields", "updated_at"])
    data = {**_record_of(item), "corrections": [*previous.data.get("corrections", []), correction]}
    version = RecordVersion.objects.create(
        item=item,
        number=previous.number + 1,
        data=data,
        sha256=seal(data),
        previous=previous,
        discrepancy=d,
        basis=PAPER_PREVAILS,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    return {
        "basis": PAPER_PREVAILS,
        "field": d.field,
        "from": d.electronic,
        "to": d.paper,
        "old_version": {"number": previous.number, "sha256": previous.sha256},
        "new_version": {"number": version.number, "sha256": version.sha256},
    }


def _correct_member(item: Item, d: Discrepancy) -> int | None:
    """The household member whose ID or name the corrected field is, corrected as well."""
    if not item.household_id or d.field not in ("id_number", "name"):
        return None
    member = Member.objects.filter(
        household_id=item.household_id, **{d.field: d.electronic}
    ).first()
    if member is None:
        return None
    setattr(member, d.field, d.paper)
    member.save(update_fields=[d.field])
    return member.pk


def holds() -> list[tuple[int, str]]:
    """(item id, reason) for every item an open discrepancy holds from destruction."""
    out = []
    rows = Discrepancy.objects.filter(status=Discrepancy.Status.OPEN).values_list(
        "item_id", "paper_item_id", "kind", "field"
    )
    for item_id, paper_id, kind, field in rows:
        label = Discrepancy.Kind(kind).label
        reason = f"纸电不一致待处理：{label}{('（' + field + '）') if field else ''}"
        out.append((item_id, reason))
        if paper_id and paper_id != item_id:
            out.append((paper_id, reason))
    return out
