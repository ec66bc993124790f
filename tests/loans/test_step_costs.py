"""What one step of the state machine costs in queries (the measure behind choosing a plain
state machine over Wagtail's workflow engine, see README "Loans"): each step is a handful of
queries whatever the number of loans, so a busy desk does not slow down."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

# Upper bounds, with room for the audit log's chained append (lock head, insert, update).
BOUNDS = {"request": 20, "approve": 16, "issue": 24, "return": 20}


def test_each_step_is_a_bounded_number_of_queries(paper_items, staff, today):
    from loans import services

    costs = {}
    with CaptureQueriesContext(connection) as q:
        loan = services.request_loan(
            staff["clerk"],
            borrower=services.Borrower(user=staff["clerk"]),
            purpose="复核",
            kind="paper",
            items=[i.archive_number for i in paper_items],
            date=today,
        )
    costs["request"] = len(q)
    with CaptureQueriesContext(connection) as q:
        services.approve(loan, staff["approver"])
    costs["approve"] = len(q)
    with CaptureQueriesContext(connection) as q:
        services.issue(loan, staff["archivist"])
    costs["issue"] = len(q)
    entries = [
        {"archive_number": i.archive_number, "pages_counted": i.page_count, "condition": "intact"}
        for i in paper_items
    ]
    with CaptureQueriesContext(connection) as q:
        services.return_items(loan, staff["archivist"], entries)
    costs["return"] = len(q)
    print("queries per step:", costs)
    for step, bound in BOUNDS.items():
        assert costs[step] <= bound, (step, costs[step])
