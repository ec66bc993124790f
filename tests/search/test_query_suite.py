"""The query suite on the configured database (SQLite by default, PostgreSQL with
DATABASE_URL), through the embedded backend and the index kept by signals."""

from __future__ import annotations

import pytest

from search.service import search
from tests.search.suite import CASES, identifier_cases, run_case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "filters", "user", "expected"), CASES, ids=[str(i) for i in range(len(CASES))]
)
def test_query_suite(archive, query, filters, user, expected):
    assert run_case(archive, search, query, filters, user, expected) is None


def test_identifiers_typed_in_full(archive):
    for query, expected in identifier_cases(archive):
        assert run_case(archive, search, query, {}, None, expected) is None
