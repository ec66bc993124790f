"""archive.items.create_item: the one item factory every way in uses."""

from __future__ import annotations

import datetime as dt

import pytest

from archive.audit import verify_chain
from archive.items import StoredFile, create_item
from archive.models import AuditEntry, File, Item, Subtype
from archive.storage import read_blob, store_bytes


def _spec(household, code="RHB"):
    subtype = Subtype.objects.get(code=code)
    return dict(
        household=household,
        agency=household.agency,
        category=subtype.category,
        subtype=subtype,
        title="张伟户入户核查表",
        formation_date=dt.date(2024, 3, 6),
        carrier=Item.Carrier.PAPER,
    )


@pytest.mark.django_db
def test_an_item_comes_with_its_files_pages_and_fields(make_household):
    household = make_household("420102")
    blob = store_bytes(b"%PDF-1.7 original")
    thumb = store_bytes(b"\x89PNG thumbnail")
    item = create_item(
        **_spec(household),
        fields={"source": {"document": 7, "name": "scan.pdf"}},
        files=[
            StoredFile.of(blob, File.Role.ORIGINAL, "application/pdf", original_name="scan.pdf"),
            StoredFile.of(thumb, File.Role.THUMBNAIL, "image/png", page_number=1),
        ],
        pages=["第一页", "第二页"],
    )
    item.refresh_from_db()
    assert item.archive_number is None and item.page_count == 2
    assert item.fields == {"source": {"document": 7, "name": "scan.pdf"}}
    assert [p.text for p in item.pages.order_by("number")] == ["第一页", "第二页"]
    original = item.files.get(role=File.Role.ORIGINAL)
    assert (original.original_name, read_blob(original.sha256)) == (
        "scan.pdf",
        b"%PDF-1.7 original",
    )
    assert item.files.get(role=File.Role.THUMBNAIL).page_number == 1
    # Every file reaches the operation log, as when each maker wrote its own.
    logged = AuditEntry.objects.filter(object_type="archive.File", action=AuditEntry.Action.CREATE)
    assert logged.count() == 2
    assert verify_chain().intact


@pytest.mark.django_db
def test_file_true_gives_the_archive_number_at_once(make_household):
    household = make_household("420102")
    item = create_item(**_spec(household), pages=["页"], file=True)
    assert item.archive_number == "Z420102-HD·2024-D10-GC-0001"
    assert item.filed_at is not None


@pytest.mark.django_db
def test_page_count_given_wins_over_the_texts(make_household):
    item = create_item(**_spec(make_household("420102")), page_count=5, pages=["一"])
    assert item.page_count == 5 and item.pages.count() == 1


def test_the_makers_all_use_the_factory():
    """No app builds an Item by hand: ingest, scanning, push and the demo go through it."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    makers = [
        p
        for folder in ("archive", "ingest", "scanning", "push", "search")
        for p in (root / folder).rglob("*.py")
        if "migrations" not in p.parts and "Item.objects.create(" in p.read_text(encoding="utf-8")
    ]
    assert [str(p.relative_to(root)) for p in makers] == ["archive/items.py"]
