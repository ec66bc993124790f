"""Concurrent pushes: the same report pushed by several clients at once is filed once."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from archive.identifiers import format_report_number
from archive.models import File, Item, PlatformReceipt
from tests.push.conftest import person_id, push, report_meta

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def run_concurrently(secret: str, jobs: list[tuple[dict, bytes]]) -> list[tuple[int, dict]]:
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def worker(index: int, meta: dict, pdf: bytes) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        try:
            barrier.wait(timeout=30)
            response = push(client, meta, pdf)
            results[index] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, *job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert all(r is not None for r in results), "a worker did not answer"
    return results


def test_same_report_pushed_at_once_is_filed_once(token_for, signed_report):
    secret, _ = token_for("420102")
    pdf = signed_report()
    results = run_concurrently(secret, [(report_meta(), pdf)] * 6)
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * 5 + [201], results
    receipts = {json.dumps(body) for _, body in results}  # key order too
    assert len(receipts) == 1
    assert Item.objects.count() == 1
    assert PlatformReceipt.objects.count() == 1
    assert File.objects.filter(role=File.Role.ORIGINAL).count() == 1


def test_same_number_other_bytes_at_once(token_for, signed_report):
    secret, _ = token_for("420102")
    first, second = signed_report(), signed_report(income="888.88")
    results = run_concurrently(secret, [(report_meta(), first), (report_meta(), second)] * 3)
    filed = [body for status, body in results if status == 201]
    assert len(filed) == 1
    winner = filed[0]["sha256"]
    for status, body in results:
        if status == 200:
            assert body["sha256"] == winner
        else:
            assert status in (201, 409), body
    assert Item.objects.count() == 1


def test_distinct_reports_and_duplicates_at_once(token_for, signed_report):
    """Twelve reports of four households, each pushed twice at once: twelve items, gap-free
    件号, one receipt each."""
    secret, _ = token_for("420102")
    jobs = []
    for n in range(12):
        number = format_report_number("420102", 2024, 3, 100 + n, "aa", "f")
        head = person_id(birth=f"1980010{1 + n % 4}", seq=n % 4 + 1)
        meta = report_meta(number, head_id=head, authorization_number=None)
        meta["household"]["members"] = []
        meta["household"]["obligors"] = []
        pdf = signed_report(number)
        jobs += [(meta, pdf), (meta, pdf)]
    results = run_concurrently(secret, jobs)
    assert sorted(s for s, _ in results) == [200] * 12 + [201] * 12, results
    numbers = sorted(Item.objects.values_list("item_number", flat=True))
    assert numbers == list(range(1, 13))
    assert PlatformReceipt.objects.count() == 12
