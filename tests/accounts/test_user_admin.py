"""The user admin: roles in the list, agency from the region tree, one real-name field."""

from __future__ import annotations

import json
import re

from django.urls import reverse


def test_user_list_shows_roles(client, make_user):
    make_user("420102", role="档案管理员", username="clerk")
    client.force_login(make_user("420000", role=None, username="root", is_superuser=True))
    html = client.get(reverse("wagtailusers_users:index")).content.decode()
    assert "角色" in html and "档案管理员" in html


def test_user_form_has_tree_and_no_first_last_name(client, make_user, hubei):
    client.force_login(make_user("420000", role=None, username="root", is_superuser=True))
    html = client.get(reverse("wagtailusers_users:add")).content.decode()
    assert 'name="first_name"' not in html and 'name="last_name"' not in html
    assert "真实姓名" in html
    # Grouped by city, and the tree data for the chained selects.
    assert '<optgroup label="武汉市">' in html
    data = re.search(
        r'<script id="id_agency-tree-data" type="application/json">(.*?)</script>', html
    )
    tree = json.loads(data.group(1))
    assert len(tree) == len(hubei)
    jiangan = next(a for a in tree if a["region"] == "江岸区")
    assert tree[[a["id"] for a in tree].index(jiangan["parent"])]["region"] == "武汉市"


def test_user_list_links_to_the_security_page(client, make_user):
    clerk = make_user("420102", username="clerk")
    client.force_login(make_user("420000", role="安全管理员", username="sec"))
    html = client.get(reverse("wagtailusers_users:index")).content.decode()
    assert reverse("accounts_admin:user", args=[clerk.pk]) in html
    page = client.get(reverse("accounts_admin:user", args=[clerk.pk])).content.decode()
    assert "离职停用" in page and "数字证书" in page
