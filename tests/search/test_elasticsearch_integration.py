"""The query suite against a real Elasticsearch (9.x).

Skipped unless ELASTICSEARCH_URL is set, e.g.::

    ELASTICSEARCH_URL=http://127.0.0.1:9200 HEDANG_DATA_DIR=/tmp/hd-es \\
        .venv/bin/pytest tests/search -m elasticsearch
"""

from __future__ import annotations

import os
import uuid

import pytest

from tests.search.suite import identifier_cases, run_case, run_suite

pytestmark = [
    pytest.mark.elasticsearch,
    pytest.mark.django_db,
    pytest.mark.skipif(not os.environ.get("ELASTICSEARCH_URL"), reason="set ELASTICSEARCH_URL"),
]


@pytest.fixture
def es(settings):
    settings.HEDANG_SEARCH = "elasticsearch"
    settings.HEDANG_SEARCH_ES_URL = os.environ["ELASTICSEARCH_URL"]
    settings.HEDANG_SEARCH_ES_INDEX = f"hedang-test-{uuid.uuid4().hex[:8]}"
    from search.backends import get_backend

    backend = get_backend()
    yield backend
    for index in backend.client.indices.get(index=f"{backend.alias}-*"):
        backend.client.indices.delete(index=index)


def test_query_suite_on_elasticsearch(es, archive):
    from search.service import check, reindex, search

    assert reindex() == 10
    assert run_suite(archive, search) == []
    for query, expected in identifier_cases(archive):
        assert run_case(archive, search, query, {}, None, expected) is None
    assert check().ok
    result = search("张伟", archive.users["湖北"])
    assert [h.exact_name for h in result.hits] == [True, True, True, False]


def test_index_follows_commits_on_elasticsearch(es, archive, django_capture_on_commit_callbacks):
    from archive.models import Page
    from search.service import UNRESTRICTED, reindex, search

    reindex()
    page = Page.objects.get(item=archive.items["王伟-财产"])
    with django_capture_on_commit_callbacks(execute=True):
        page.text = "提交后更新"
        page.save()
    assert search("提交后更新", UNRESTRICTED).total == 1
