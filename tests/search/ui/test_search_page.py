"""The 检索 page: results, filters, facets, jurisdiction, masking, the operation log."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

URL = "/admin/search/"


@pytest.fixture
def page(client):
    def get(user, **params):
        client.force_login(user)
        response = client.get(URL, params)
        assert response.status_code == 200
        return response.content.decode()

    return get


def _numbers(html: str) -> set[str]:
    cells = re.findall(r'<td class="hd-mono"><a href="/admin/items/\d+/">([^<]+)</a>', html)
    return set(cells)


def _menu_labels(client, user) -> set[str]:
    """The sidebar's labels (Wagtail renders the menu as JSON)."""
    client.force_login(user)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    return {json.loads(m) for m in re.findall(r'"label": ("(?:[^"\\]|\\.)*")', html)}


def test_url_and_menu(data, client):
    assert reverse("hedang_search") == URL
    assert "检索" in _menu_labels(client, data.users["江岸"])
    assert "检索" in _menu_labels(client, data.users["江岸监督"])


def test_empty_query_shows_a_hint(data, page):
    from archive.models import AuditEntry

    html = page(data.users["江岸"])
    assert 'data-testid="search-hint"' in html
    assert "search-results" not in html
    assert not AuditEntry.objects.filter(object_type="search").exists()


def test_results_in_chinese_with_marks(data, page):
    i = data.items
    html = page(data.users["江岸"], q="张伟")  # the head's name finds all his items
    expected = {i[k].archive_number for k in ("张伟-入户", "张伟-收入", "李明-入户")}
    assert _numbers(html) == expected
    assert "共找到 <strong>3</strong> 件" in html
    assert "<mark>张伟</mark>" in html
    assert "&lt;b&gt;住房&lt;/b&gt;" in html  # page text stays escaped; only <mark> is HTML
    assert "<b>住房</b>" not in html
    assert f'href="/admin/items/{i["张伟-入户"].pk}/"' in html
    assert f'href="/admin/households/{data.households["张伟"].pk}/"' in html
    assert "核查过程性材料" in html and "入户核查表" in html
    assert 'data-testid="search-facets"' in html


def test_nothing_found(data, page):
    html = page(data.users["江岸"], q="不存在的词")
    assert 'data-testid="search-nothing"' in html
    assert "不存在的词" in html


def test_filters_and_facets(data, page):
    i = data.items
    user = data.users["江岸"]
    html = page(user, q="收入", year="2023")
    assert _numbers(html) == {i["张伟-收入"].archive_number}
    html = page(user, q="收入", year="2024")
    assert _numbers(html) == {i["张伟-入户"].archive_number}
    html = page(user, q="张伟", category="proof")
    assert _numbers(html) == {i["张伟-收入"].archive_number}
    html = page(user, q="张伟", category="report")
    assert 'data-testid="search-nothing"' in html
    html = page(user, q="张伟", business_type="aa")
    assert _numbers(html) == {i["张伟-入户"].archive_number}
    html = page(user, q="户主", subtype="入户核查表")
    assert _numbers(html) == {i["张伟-入户"].archive_number, i["李明-入户"].archive_number}
    # facets are links that add the filter
    html = page(user, q="收入")
    assert re.search(r'href="\?q=%E6%94%B6%E5%85%A5&amp;year=2023"[^>]*>2023</a>', html)
    assert 'data-facet="category"' in html


def test_bad_year_is_reported_not_searched(data, page):
    from archive.models import AuditEntry

    html = page(data.users["江岸"], q="张伟", year="abc")
    assert 'data-testid="search-error"' in html
    assert not AuditEntry.objects.filter(object_type="search").exists()


def test_region_select_and_jurisdiction(data, page):
    i = data.items
    html = page(data.users["江岸"], q="汉阳区")
    assert 'data-testid="search-nothing"' in html
    # another county's region code gives nothing, not that county's items
    html = page(data.users["江岸"], q="张伟", region="420105")
    assert _numbers(html) == set()
    html = page(data.users["汉阳"], q="张伟")
    assert _numbers(html) == {i["汉阳张伟-入户"].archive_number}
    options = re.findall(r'<option value="(42\d{4})"', html)
    assert options == ["420105"]
    html = page(data.users["湖北"], q="张伟", region="420105")
    assert _numbers(html) == {i["汉阳张伟-入户"].archive_number}
    assert "420102" in re.findall(r'<option value="(42\d{4})"', html)


def test_inspector_sees_masked_household(data, page):
    head = data.households["张伟"].head_id_number
    masked = head[:6] + "*" * 8 + head[-4:]
    html = page(data.users["江岸监督"], q="3,215.40")
    assert masked in html and head not in html
    html = page(data.users["江岸"], q="3,215.40")
    assert head in html


def test_pagination(data, page, add_item):
    household = data.households["李明"]
    for n in range(22):
        add_item(household, "QTZ", [f"其他证明 分页词 第{n}份"])
    html = page(data.users["江岸"], q="分页词")
    assert "共找到 <strong>22</strong> 件" in html
    assert len(_numbers(html)) == 20
    assert "第 1 / 2 页" in html and "下一页" in html
    html = page(data.users["江岸"], q="分页词", p="2")
    assert len(_numbers(html)) == 2 and "上一页" in html


def test_search_is_logged(data, page):
    from archive.models import AuditEntry

    user = data.users["江岸监督"]
    page(user, q="张伟", category="process", year="2024")
    entry = AuditEntry.objects.get(object_type="search")
    assert entry.action == AuditEntry.Action.VIEW
    assert entry.actor == user
    assert entry.detail["query"] == "张伟"
    assert entry.detail["filters"] == {"category": "process", "year": 2024}
    assert entry.detail["total"] == 2


def test_needs_view_item(data, client):
    from archive.models import AuditEntry

    client.force_login(data.users["无角色"])
    response = client.get(URL, {"q": "张伟"})
    assert response.status_code in (302, 403)
    assert not AuditEntry.objects.filter(object_type="search").exists()


def test_a_roster_hit_names_the_household_that_matched(roster, page):
    """孙丽红 is listed in the 花名册 of an item filed under 李明: the row names 钱进's
    household (link and ID), not 李明's."""
    h = roster.households
    html = page(roster.users["江岸"], q="孙丽红")
    assert _numbers(html) == {roster.items["花名册"].archive_number}
    assert f'href="/admin/households/{h["钱进"].pk}/"' in html
    assert f'href="/admin/households/{h["李明"].pk}/"' not in html
    assert h["钱进"].head_id_number in html
