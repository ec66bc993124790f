"""The pushed item's search document is built from what the filing holds (push/platform.py,
``search.service.index_written``): it must be the document the database gives, for a new
household and for one whose members and case the push changes."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.models import Item
from search import service as search_service
from search.backends import get_backend
from search.documents import build_document, items_for_indexing
from tests.push.conftest import REPORT, SPOUSE_ID, person_id, push, report_meta

REVIEW = "第42010220240400003aas1号"


def stored_document(item: Item):
    """The index's document of ``item`` (fingerprint) and the one built from the database."""
    fingerprints = dict(get_backend().fingerprints())
    from_db = build_document(items_for_indexing(Item.objects.filter(pk=item.pk)).get())
    return fingerprints.get(item.pk), from_db.fingerprint


def test_the_pushed_document_is_the_database_one(platform_client, signed_report, queued):
    client = platform_client()
    first = push(client, report_meta(), signed_report())
    assert first.status_code == 201, first.content
    meta = report_meta(REVIEW, issued_on="2024-04-10")
    # The second push renames the spouse, adds a child with an ID and one without: the
    # household (locked) has old, changed and new members; the case is the first one's.
    meta["household"]["members"] = [
        {"name": "李娜娜", "id_number": SPOUSE_ID, "relation": "配偶", "co_resident": True},
        {"name": "张小明", "id_number": person_id(birth="20100101", seq=3), "relation": "子"},
        {"name": "张小红", "relation": "女", "co_resident": True},
    ]
    with CaptureQueriesContext(connection) as queries:
        second = push(client, meta, signed_report(REVIEW))
    assert second.status_code == 201, second.content
    review = Item.objects.get(document_number=REVIEW)
    assert review.case_id == Item.objects.get(document_number=REPORT).case_id
    names = build_document(items_for_indexing(Item.objects.filter(pk=review.pk)).get()).names
    assert {"李娜娜", "张小明", "张小红"} <= set(names.splitlines())
    for item in Item.objects.all():
        indexed, expected = stored_document(item)
        assert indexed == expected, item.document_number
    assert search_service.check().ok
    hits = search_service.search("张小红", search_service.UNRESTRICTED).hits
    assert review.archive_number in {h.archive_number for h in hits}
    # The new item's pages are not read back to index it (the first item's are: its
    # household's members changed, so its document is rebuilt in the filing transaction).
    pages_read = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and 'FROM "archive_page"' in q["sql"]
    ]
    assert len(pages_read) == 1
    assert f'"archive_page"."item_id" IN ({review.pk})' not in pages_read[0]


def test_a_renamed_head_is_indexed_as_the_database_says(platform_client, signed_report, queued):
    client = platform_client()
    assert push(client, report_meta(), signed_report()).status_code == 201
    meta = report_meta(REVIEW, issued_on="2024-04-10", head_name="张伟伟")
    assert push(client, meta, signed_report(REVIEW)).status_code == 201
    review = Item.objects.get(document_number=REVIEW)
    hits = search_service.search("张伟伟", search_service.UNRESTRICTED).hits
    assert review.archive_number in {h.archive_number for h in hits}
    report = search_service.check()
    assert report.ok, report.as_dict()
