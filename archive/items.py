"""The one way an item comes into being: :func:`create_item`.

Ingest (a scanned or uploaded document), scanning (each part of a stack with separator
sheets), push (a report or material from the main platform) and the demo data all make their
items here, so an item always has its files and its page texts from the start, in the same
transaction, and is filed (档号) at once when its maker says it is complete.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from archive.filing import file_item
from archive.models import File, Item, Page
from archive.models.item_fields import ItemFields
from archive.storage import StoredBlob


@dataclass(frozen=True)
class StoredFile:
    """A file of the new item whose bytes are already in the archive storage."""

    role: str  # File.Role
    sha256: str
    size: int
    media_type: str
    original_name: str = ""
    page_number: int | None = None

    @classmethod
    def of(cls, blob: StoredBlob, role: str, media_type: str, **extra) -> StoredFile:
        return cls(role=role, sha256=blob.sha256, size=blob.size, media_type=media_type, **extra)


def create_item(
    *,
    files: Iterable[StoredFile] = (),
    pages: Sequence[str] = (),
    file: bool = False,
    fields: ItemFields | None = None,
    **attributes,
) -> Item:
    """An item with ``attributes`` (Item's model fields), its ``files`` and one Page per text.

    ``page_count`` defaults to the number of page texts. With ``file=True`` the item is filed
    (archive.filing.file_item) before it is returned. Call it inside the caller's transaction.
    """
    attributes.setdefault("page_count", len(pages))
    item = Item.objects.create(fields=dict(fields or {}), **attributes)
    for each in files:
        # One by one, not bulk: every File written reaches the operation log (archive.signals).
        File.objects.create(
            item=item,
            role=each.role,
            sha256=each.sha256,
            size=each.size,
            media_type=each.media_type,
            original_name=each.original_name,
            page_number=each.page_number,
        )
    add_pages(item, pages)
    if file:
        file_item(item)
    return item


def add_pages(item: Item, texts: Sequence[str], first: int = 1) -> None:
    """The page texts of ``item``, numbered from ``first``."""
    Page.objects.bulk_create(
        Page(item=item, number=n, text=text) for n, text in enumerate(texts, start=first)
    )
