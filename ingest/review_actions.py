"""The review page's shortcuts: suggestions recomputed from the identifiers found, a new
household made from them and the item filed in one step, and rejecting an item with a reason.

Suggestions are computed each time the page opens (ingest.linking over the user's
jurisdiction), so a household entered after the item arrived is suggested at once.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from archive import audit, identifiers
from archive.models import Household, Item, Member, Subtype
from ingest import review
from ingest.linking import link
from ingest.models import Document
from ingest.text import Found


def found_identifiers(item: Item) -> dict:
    return (item.fields or {}).get("identifiers") or {}


def current_candidates(user, item: Item) -> list[Household]:
    """The stored candidates, the item's household, and what the identifiers point to now."""
    found = found_identifiers(item)
    ids = [int(c) for c in (item.fields or {}).get("candidates", []) if str(c).isdigit()]
    decision = link(
        Found(
            resident_ids=tuple(found.get("resident_ids", [])),
            report_numbers=tuple(found.get("report_numbers", [])),
            authorization_numbers=tuple(found.get("authorization_numbers", [])),
        ),
        agency_ids=user.visible_agency_ids,
    )
    for pk in (decision.household_id, *decision.candidates):
        if pk and pk not in ids:
            ids.append(pk)
    if item.household_id and item.household_id not in ids:
        ids.insert(0, item.household_id)
    visible = Household.objects.visible_to(user).select_related("agency").in_bulk(ids)
    return [visible[i] for i in ids if i in visible]


def unknown_resident_ids(item: Item) -> list[str]:
    """Valid resident IDs found on the item that no household has as its head, nor as a member."""
    found = [i for i in found_identifiers(item).get("resident_ids", []) if i]
    known = set(
        Household.objects.filter(head_id_number__in=found).values_list("head_id_number", flat=True)
    )
    known |= set(Member.objects.filter(id_number__in=found).values_list("id_number", flat=True))
    return [i for i in found if i not in known and identifiers.is_valid_resident_id(i)]


def create_household_and_accept(
    item: Item, *, head_id_number: str, head_name: str, subtype: Subtype, user
) -> Item:
    """Make the household the item names (head = a resident ID found on it) and file the item
    there, in one transaction: both happen or neither."""
    head_name = (head_name or "").strip()
    if not head_name:
        raise review.ReviewError("请填写户主姓名")
    if head_id_number not in unknown_resident_ids(item):
        raise review.ReviewError("只能用本件识别出、尚未建户的身份证号新建户")
    if not user.has_perm("archive.add_household"):
        raise review.ReviewError("您的岗位不能新建户")
    agency = item.agency
    if user.visible_agency_ids is not None and agency.pk not in user.visible_agency_ids:
        raise review.ReviewError("该件不在您的辖区内")
    try:
        with transaction.atomic():
            household = Household(
                agency=agency, head_id_number=head_id_number, head_name=head_name[:50]
            )
            household.full_clean()
            household.save()
            Member.objects.create(
                household=household,
                name=household.head_name,
                id_number=head_id_number,
                relation="本人",
            )
            audit.record(
                audit.Action.CREATE,
                household,
                user=user,
                detail={"review": "household_from_item", "item": item.pk},
            )
            return review.accept(
                item, household=household, category=subtype.category, subtype=subtype, user=user
            )
    except IntegrityError:
        raise review.ReviewError("该身份证号已建户，请刷新页面后从建议的户中选择") from None
    except Exception as exc:  # ValidationError from full_clean
        if hasattr(exc, "messages"):
            raise review.ReviewError("；".join(exc.messages)) from None
        raise


def reject(item: Item, *, reason: str, user) -> Item:
    """Take the item out of the queue as 需处理 with the reason; its files stay as they are."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise review.ReviewError("请填写退回原因")
    with transaction.atomic(), audit.model_entries_suppressed():
        locked = Item.objects.visible_to(user).select_for_update().filter(pk=item.pk).first()
        if locked is None:
            raise review.ReviewError("该件不存在或不在您的辖区内")
        if locked.status != Item.Status.REVIEW:
            raise review.ReviewError(f"该件当前状态为「{locked.get_status_display()}」，不能退回")
        locked.status = Item.Status.ATTENTION
        locked.status_detail = f"退回：{reason[:500]}"
        locked.fields = {
            **(locked.fields or {}),
            "review": {
                "rejected_by": user.username,
                "rejected_at": timezone.now().isoformat(timespec="seconds"),
                "reason": reason[:500],
            },
        }
        locked.save(update_fields=["status", "status_detail", "fields", "updated_at"])
        Document.objects.filter(item=locked, status=Document.Status.REVIEW).update(
            status=Document.Status.REJECTED,
            error=f"退回：{reason[:200]}",
            updated_at=timezone.now(),
        )
    audit.record(
        audit.Action.REJECT,
        locked,
        user=user,
        detail={"review": "rejected", "reason": reason[:500]},
    )
    return locked
