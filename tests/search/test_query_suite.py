"""The query suite on the configured database (SQLite by default, PostgreSQL with
DATABASE_URL), through the embedded backend and the index kept by signals."""

from __future__ import annotations

import pytest

from search.service import search
from tests.search.suite import ATTRIBUTION, CASES, identifier_cases, run_attribution, run_case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "filters", "user", "expected"), CASES, ids=[str(i) for i in range(len(CASES))]
)
def test_query_suite(archive, query, filters, user, expected):
    assert run_case(archive, search, query, filters, user, expected) is None


def test_identifiers_typed_in_full(archive):
    for query, expected in identifier_cases(archive):
        assert run_case(archive, search, query, {}, None, expected) is None


@pytest.mark.parametrize(("query", "item", "household"), ATTRIBUTION)
def test_a_hit_names_the_household_that_matched(archive, query, item, household):
    assert run_attribution(archive, search, query, item, household) is None


def test_roster_member_search_names_the_members_household(archive):
    """The issue's case: a member listed in a 花名册 (not in the filed household, not in the
    page text) finds the item, and the hit names her household."""
    from search.service import UNRESTRICTED

    result = search("孙丽红", UNRESTRICTED)
    assert [h.archive_number for h in result.hits] == [archive.items["花名册"].archive_number]
    assert result.hits[0].household == archive.households["钱进"].head_id_number
    assert result.hits[0].household != archive.items["花名册"].household.head_id_number
    assert result.hits[0].exact_name
