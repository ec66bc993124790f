"""confirm_split on a real uncertain stack: the corrected split is filed item by item, the
whole-stack review item retired; a wrong decision changes nothing; twice files once."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from archive.models import AuditEntry, File, Item, Page, Subtype
from archive.storage import read_blob
from ingest.models import Document, DocumentPart
from scanning.split import PartChoice, SplitError, confirm_split

pytestmark = pytest.mark.django_db


def _subtype(code: str) -> Subtype:
    return Subtype.objects.get(code=code)


def _corrected(stack) -> list[PartChoice]:
    """Page 1 is a 其他证明 of 张伟; the rest as the sheets say."""
    return [
        PartChoice(1, 1, stack.zhang, _subtype("QTZ")),
        PartChoice(3, 4, stack.zhang, _subtype("SQS")),
        PartChoice(6, 6, stack.wang, _subtype("RHB")),
    ]


def _snapshot(stack) -> tuple:
    stack.item.refresh_from_db()
    stack.document.refresh_from_db()
    return (
        Item.objects.count(),
        File.objects.count(),
        AuditEntry.objects.count(),
        stack.item.status,
        stack.document.status,
        stack.document.item_id,
        DocumentPart.objects.filter(document=stack.document).count(),
    )


def test_the_proposal_and_the_stack_as_ingest_left_them(uncertain_stack):
    stack = uncertain_stack()
    proposal = stack.item.fields["proposed_split"]
    assert proposal["separators"] == [2, 5]
    assert "第一张分隔页之前有材料页" in proposal["problems"]
    assert stack.item.files.filter(role=File.Role.THUMBNAIL).count() == 6


def test_a_corrected_split_is_filed_and_the_review_item_retired(uncertain_stack, make_user):
    stack = uncertain_stack()
    user = make_user("420102")
    old_pk = stack.item.pk
    items = confirm_split(stack.item, _corrected(stack), user, excluded=[2, 5])

    got = [(i.household, i.subtype.code, i.page_count) for i in items]
    assert got == [(stack.zhang, "QTZ", 1), (stack.zhang, "SQS", 2), (stack.wang, "RHB", 1)]
    for item in items:
        item.refresh_from_db()
        assert item.status == Item.Status.FILED and item.archive_number
        assert item.files.filter(role=File.Role.THUMBNAIL).count() == item.page_count
        access = item.files.get(role=File.Role.ACCESS)
        assert len(pdfium.PdfDocument(read_blob(access.sha256))) == item.page_count
        assert item.pages.count() == item.page_count
        assert "分隔页" not in "".join(item.pages.values_list("text", flat=True))
        assert item.fields["review"]["accepted_by"] == user.username
    assert "授权书（续）" in items[1].pages.get(number=2).text

    parts = DocumentPart.objects.filter(document=stack.document).order_by("first_page")
    assert [(p.first_page, p.last_page, p.separator_page, p.item_id) for p in parts] == [
        (1, 1, None, items[0].pk),
        (3, 4, 2, items[1].pk),
        (6, 6, 5, items[2].pk),
    ]
    stack.document.refresh_from_db()
    assert stack.document.status == Document.Status.FILED
    assert stack.document.item == items[0] and stack.document.items() == items

    # The review item is gone, and nothing of it is left behind.
    assert not Item.objects.filter(pk=old_pk).exists()
    assert not File.objects.filter(item_id=old_pk).exists()
    assert not Page.objects.filter(item_id=old_pk).exists()
    retired = AuditEntry.objects.get(
        action=AuditEntry.Action.DELETE, object_type="archive.Item", object_id=str(old_pk)
    )
    assert retired.actor == user and retired.detail["split"] == "confirmed"
    assert [r["archive_number"] for r in retired.detail["replaced_by"]] == [
        i.archive_number for i in items
    ]
    assert retired.detail["thumbnails"] == 6
    for item in items:
        entry = AuditEntry.objects.filter(
            action=AuditEntry.Action.CHANGE, object_id=str(item.pk), detail__split="confirmed"
        ).get()
        assert entry.detail["archive_number"] == item.archive_number


def test_the_split_as_proposed_with_a_moved_boundary(uncertain_stack, make_user):
    """The 授权书 is two items after all: the boundary moves to page 4."""
    stack = uncertain_stack()
    parts = [
        PartChoice(1, 1, stack.zhang, _subtype("QTZ")),
        PartChoice(3, 3, stack.zhang, _subtype("SQS")),
        PartChoice(4, 4, stack.zhang, _subtype("SFZ")),
        PartChoice(6, 6, stack.wang, _subtype("RHB")),
    ]
    items = confirm_split(stack.item, parts, make_user("420102"), excluded=[2, 5])
    assert [(i.subtype.code, i.page_count) for i in items] == [
        ("QTZ", 1),
        ("SQS", 1),
        ("SFZ", 1),
        ("RHB", 1),
    ]
    assert len({i.archive_number for i in items}) == 4


@pytest.mark.parametrize(
    "case, message",
    [
        ("overlap", "同时归入"),
        ("missing", "既不属于任何一件"),
        ("separator_inside", "已标为分隔页"),
        ("out_of_range", "页码范围"),
        ("no_subtype", "请为第 2 件选择子类"),
        ("no_household", "请为第 1 件选择户"),
    ],
)
def test_an_invalid_split_is_refused_and_changes_nothing(uncertain_stack, make_user, case, message):
    stack = uncertain_stack()
    user = make_user("420102")
    parts, excluded = _corrected(stack), [2, 5]
    if case == "overlap":
        parts[1] = PartChoice(1, 4, stack.zhang, _subtype("SQS"))
        excluded = [5]
    elif case == "missing":
        parts = parts[1:]
    elif case == "separator_inside":
        parts[1] = PartChoice(2, 4, stack.zhang, _subtype("SQS"))
    elif case == "out_of_range":
        parts[2] = PartChoice(6, 7, stack.wang, _subtype("RHB"))
    elif case == "no_subtype":
        parts[1] = PartChoice(3, 4, stack.zhang, None)
    elif case == "no_household":
        parts[0] = PartChoice(1, 1, None, _subtype("QTZ"))
    before = _snapshot(stack)
    with pytest.raises(SplitError, match=message):
        confirm_split(stack.item, parts, user, excluded=excluded)
    assert _snapshot(stack) == before


def test_a_household_outside_the_jurisdiction_is_refused(
    uncertain_stack, make_user, make_household
):
    stack = uncertain_stack()
    elsewhere = make_household("420103", "李强")
    parts = _corrected(stack)
    parts[2] = PartChoice(6, 6, elsewhere, _subtype("RHB"))
    users = (make_user("420102"), make_user("420000"))
    before = _snapshot(stack)
    # The county archivist does not see it; the province sees it, but the batch's agency
    # (江岸区) may not file into 江汉区.
    for user in users:
        with pytest.raises(SplitError, match="不在您的辖区或本批次机构的辖区内"):
            confirm_split(stack.item, parts, user, excluded=[2, 5])
    assert _snapshot(stack) == before


def test_a_user_of_another_county_cannot_split(uncertain_stack, make_user):
    stack = uncertain_stack()
    user = make_user("420103")
    before = _snapshot(stack)
    with pytest.raises(SplitError, match="不在您的辖区内"):
        confirm_split(stack.item, _corrected(stack), user, excluded=[2, 5])
    assert _snapshot(stack) == before


def test_confirming_twice_files_once(uncertain_stack, make_user):
    stack = uncertain_stack()
    user = make_user("420102")
    stale = Item.objects.get(pk=stack.item.pk)  # as a second browser tab still holds it
    items = confirm_split(stack.item, _corrected(stack), user, excluded=[2, 5])
    with pytest.raises(SplitError, match="已拆分归档"):
        confirm_split(stale, _corrected(stack), user, excluded=[2, 5])
    filed = Item.objects.filter(status=Item.Status.FILED, household__in=[stack.zhang, stack.wang])
    assert sorted(filed.values_list("pk", flat=True)) == sorted(i.pk for i in items)
    assert DocumentPart.objects.filter(document=stack.document).count() == 3


def test_an_item_without_a_proposal_cannot_be_split(make_review_item, make_household, make_user):
    household = make_household("420102", "张伟")
    item = make_review_item(household)
    with pytest.raises(SplitError, match="没有待确认的拆分"):
        confirm_split(item, [PartChoice(1, 1, household, _subtype("RHB"))], make_user("420102"))


def test_an_undated_part_needs_the_archivists_date(uncertain_stack, make_user):
    """No silent guesses (ingest.dating): a part printing no date, whose household has no case
    to date it, is not filed with the ingest day; the archivist gives its formation date."""
    import datetime as dt

    stack = uncertain_stack(undated_first=True)
    user = make_user("420102")
    before = _snapshot(stack)
    with pytest.raises(SplitError, match=r"第 1 件（第 1–1 页）没有印制日期.*请填写形成日期"):
        confirm_split(stack.item, _corrected(stack), user, excluded=[2, 5])
    assert _snapshot(stack) == before
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    late = [PartChoice(1, 1, stack.zhang, _subtype("QTZ"), tomorrow), *_corrected(stack)[1:]]
    with pytest.raises(SplitError, match="第 1 件：形成日期不能晚于今天"):
        confirm_split(stack.item, late, user, excluded=[2, 5])
    assert _snapshot(stack) == before

    given = [PartChoice(1, 1, stack.zhang, _subtype("QTZ"), dt.date(2023, 5, 4))]
    items = confirm_split(stack.item, given + _corrected(stack)[1:], user, excluded=[2, 5])
    first, second, _ = items
    assert (first.formation_date, first.year) == (dt.date(2023, 5, 4), 2023)
    assert first.fields["provenance"]["formation_date"] == "review"
    assert "2023" in first.archive_number
    # The dated parts keep the date their pages print.
    assert second.formation_date == dt.date(2024, 3, 6)
    assert second.fields["provenance"]["formation_date"] == "form"
