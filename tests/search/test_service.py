"""Ranking, snippets, facets and the index following the database."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from search.service import UNRESTRICTED, check, deferred, reindex, search

pytestmark = pytest.mark.django_db


def keys(archive, result):
    by_number = {item.archive_number: key for key, item in archive.items.items()}
    return [by_number[h.archive_number] for h in result.hits]


def test_exact_name_ranks_first(archive):
    result = search("张伟", UNRESTRICTED)
    got = keys(archive, result)
    assert got[-1] == "张伟华-收入"  # mentioned three times, but nobody is named just 张伟
    assert set(got[:3]) == {"张伟-入户", "张伟-收入", "黄石张伟-入户"}
    assert [h.exact_name for h in result.hits] == [True, True, True, False]
    result = search("张伟华", UNRESTRICTED)
    assert result.hits[0].exact_name


def test_hit_fields_and_snippet(archive):
    result = search("3,215.40", UNRESTRICTED)
    (hit,) = result.hits
    item = archive.items["张伟-入户"]
    assert hit.archive_number == item.archive_number
    assert hit.household == archive.households["张伟"].head_id_number
    assert (hit.category, hit.subtype, hit.title) == ("process", "入户核查表", "张伟户入户核查表")
    assert "<mark>3,215.40</mark>" in hit.snippet
    assert "&lt;b&gt;注意&lt;/b&gt;" in hit.snippet and "<b>" not in hit.snippet
    # a match only in the numbers: the snippet shows them
    (hit,) = search(archive.households["张伟华"].head_id_number, UNRESTRICTED).hits
    assert f"<mark>{archive.households['张伟华'].head_id_number}</mark>" in hit.snippet


def test_facets_and_paging(archive):
    result = search("伟", UNRESTRICTED)
    assert result.total == 5
    facets = result.facets
    assert {v.value: v.count for v in facets["category"]} == {"process": 2, "proof": 3}
    assert {v.label for v in facets["category"]} == {"核查过程性材料", "证明材料"}
    assert {v.value: v.count for v in facets["region"]} == {"420102": 3, "420105": 1, "420202": 1}
    assert {v.value: v.count for v in facets["year"]} == {"2024": 4, "2023": 1}
    page = search("伟", UNRESTRICTED, limit=2, offset=2, facets=False)
    assert page.total == 5 and len(page.hits) == 2 and page.facets == {}
    assert search("伟", None).total == 0  # no user, no results


def test_common_queries_come_exact_names_then_newest_first(archive, settings):
    """Above HEDANG_SEARCH_RANK_LIMIT matches nothing is ranked by relevance: the total is the
    bound (marked inexact), exact names still come first, then the newest items."""
    pk = {item.archive_number: item.pk for item in archive.items.values()}
    settings.HEDANG_SEARCH_RANK_LIMIT = 3
    result = search("伟", UNRESTRICTED)  # 5 matches
    assert (result.total, result.total_exact, result.facets) == (3, False, {})
    ids = [pk[h.archive_number] for h in result.hits]
    assert len(ids) == 5 and ids == sorted(ids, reverse=True)
    assert result.as_dict()["total_exact"] is False

    result = search("张伟", UNRESTRICTED)  # 4 matches, 3 of them households named 张伟
    assert (result.total, result.total_exact) == (3, False)
    assert [h.exact_name for h in result.hits] == [True, True, True, False]
    ids = [pk[h.archive_number] for h in result.hits]
    assert ids[:3] == sorted(ids[:3], reverse=True)
    page = search("张伟", UNRESTRICTED, limit=2, offset=2, facets=False)
    assert [h.archive_number for h in page.hits] == [h.archive_number for h in result.hits[2:]]

    settings.HEDANG_SEARCH_RANK_LIMIT = 5
    exact = search("伟", UNRESTRICTED)
    assert (exact.total, exact.total_exact) == (5, True) and exact.facets


def test_index_follows_the_database(archive, add_item):
    from archive.models import Item, Member, Page

    page = Page.objects.get(item=archive.items["张伟-入户"])
    page.text = page.text.replace("房屋 一 套", "房屋 两 套")
    page.save()
    assert search("房屋一套", UNRESTRICTED).total == 0
    assert search("房屋两套", UNRESTRICTED).total == 1

    member = Member.objects.get(name="李娜")
    member.name = "李静"
    member.save()
    assert search("李娜", UNRESTRICTED).total == 0
    assert search("李静", UNRESTRICTED).total == 2

    item = archive.items["王伟-财产"]
    item.status = Item.Status.DESTROYED
    item.save()
    assert search("王伟", UNRESTRICTED).total == 0

    Page.objects.filter(item=archive.items["欧阳娜娜-入户"]).delete()
    Page.objects.get(item=archive.items["黄石张伟-入户"]).delete()
    assert search("黄石港区", UNRESTRICTED).total == 0

    new = add_item(archive.households["王伟"], "JBZ", ["基本信息证明 新归档 词语"])
    assert search("新归档", UNRESTRICTED).total == 1
    new.title = "更正后的题名"
    new.save()
    assert search("更正后", UNRESTRICTED).total == 1
    assert check().ok


def test_deferred_updates_apply_once_at_the_end(archive):
    from archive.models import Page

    with deferred():
        page = Page.objects.get(item=archive.items["王伟-财产"])
        page.text = "延迟更新"
        page.save()
        assert search("延迟更新", UNRESTRICTED).total == 0
    assert search("延迟更新", UNRESTRICTED).total == 1


def test_check_and_reindex(archive):
    from search.backends import get_backend
    from search.models import SearchDocument

    assert check().ok
    missing = archive.items["张伟-入户"]
    get_backend().delete([missing.pk])
    SearchDocument.objects.filter(pk=archive.items["王伟-财产"].pk).update(fingerprint="x")
    report = check()
    assert report.missing == (missing.archive_number,)
    assert report.stale == (archive.items["王伟-财产"].archive_number,)
    with pytest.raises(CommandError) as e:
        call_command("search_check", "--json", stdout=(out := StringIO()))
    assert e.value.returncode == 1
    assert json.loads(out.getvalue())["missing"] == [missing.archive_number]

    call_command("search_reindex", stdout=StringIO())
    assert check().ok
    assert search("3,215.40", UNRESTRICTED).total == 1
    call_command("search_check", stdout=StringIO())
    assert reindex() == 10


def test_search_command(archive):
    out = StringIO()
    call_command("search", "张伟", "--json", "--limit", "2", stdout=out)
    data = json.loads(out.getvalue())
    assert data["total"] == 4 and len(data["hits"]) == 2
    assert set(data["hits"][0]) == {
        "archive_number",
        "household",
        "category",
        "subtype",
        "title",
        "snippet",
    }

    out = StringIO()
    call_command("search", "张伟", "--json", "--as-user", "hanyang", stdout=out)
    assert json.loads(out.getvalue()) == {"total": 0, "hits": []}

    out = StringIO()
    call_command("search", "张伟", "--json", "--category", "proof", "--year", "2024", stdout=out)
    assert [h["subtype"] for h in json.loads(out.getvalue())["hits"]] == ["可支配收入证明"]

    out = StringIO()
    call_command("search", "张伟", "--json", "--region", "420202", stdout=out)
    assert json.loads(out.getvalue())["total"] == 1

    with pytest.raises(CommandError) as e:
        call_command("search", "张伟", "--as-user", "nobody", stdout=StringIO())
    assert e.value.returncode == 2

    out = StringIO()
    call_command("search", "张伟", stdout=out)
    assert out.getvalue().startswith("共 4 件")


def test_public_functions_index_and_remove(archive):
    import search as service

    item = archive.items["欧阳娜娜-入户"]
    service.remove_item(item)
    assert service.search("欧阳娜娜", service.UNRESTRICTED).total == 0
    assert not service.check().ok
    service.index_item(item.pk)
    assert service.search("欧阳娜娜", service.UNRESTRICTED).total == 1
    assert service.check().ok


def test_flush_also_empties_the_fts_table(archive):
    from django.db import connection

    from search.models import SearchDocument
    from search.signals import purge_after_flush

    if connection.vendor != "sqlite":
        pytest.skip("FTS5 is SQLite's")
    sql = "SELECT rowid FROM hedang_search_fts WHERE hedang_search_fts MATCH ?"
    with connection.cursor() as cur:
        assert cur.execute(sql, ['"张伟"']).fetchall()
        SearchDocument.objects.all().delete()  # what flush does to the document table
        purge_after_flush(sender=None)
        assert cur.execute(sql, ['"张伟"']).fetchall() == []


def test_ids_in_snippets_are_masked_for_roles_without_full_ids(archive, make_user):
    head = archive.households["张伟华"].head_id_number
    masked = head[:6] + "********" + head[-4:]
    (hit,) = search(head, archive.users["江岸"]).hits  # 档案管理员: may see full IDs
    assert f"<mark>{head}</mark>" in hit.snippet
    inspector = make_user("420102", "监督检查", username="inspector")
    (hit,) = search(head, inspector).hits
    assert head not in hit.snippet and f"<mark>{masked}</mark>" in hit.snippet
    assert hit.household == head  # callers mask it with archive.masking.shown_id_number


def test_postgres_pages_are_the_full_ranking(archive):
    """PostgreSQL ranks a query under the rank limit without scoring every match (exact
    names, head matches, then the newest others from the matches' ids); every page must be
    the slice of the full ranking that scores every match."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL backend")
    from search.backends import Filters
    from search.backends import postgres as pg
    from search.text import parse_query
    from tests.search.suite import CASES

    backend = pg.PostgresBackend()
    queries = {q for q, filters, user, _ in CASES if not filters and not user}
    for text in sorted(queries) + ["张伟 收入", "伟 核查"]:
        query = parse_query(text)
        if query.empty:
            continue
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT item_id FROM {pg.DOC} d JOIN {pg.MATCH} m USING (item_id), "
                "CAST(%s AS tsquery) q(q), CAST(%s AS tsquery) h(q) WHERE m.tsv @@ q.q "
                "ORDER BY d.fullnames && %s::text[] DESC, d.tsv_head @@ h.q DESC, "
                "ts_rank(d.tsv_head, q.q) DESC, item_id DESC",
                [pg.tsquery_literal(query), pg.tsquery_literal(query, "|"), list(query.names)],
            )
            full = [r[0] for r in cur.fetchall()]
        pages = []
        for offset in range(0, len(full) + 2, 2):
            raw = backend.search(query, Filters(), limit=2, offset=offset, facets=False)
            assert raw.total == len(full), text
            pages += [h.document.item_id for h in raw.hits]
        assert pages == full, text
