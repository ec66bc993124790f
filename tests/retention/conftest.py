"""Filed items of several ages in two households, and the people of a destruction."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _archive_keys(settings, tmp_path):
    """A fresh archive certificate per test, made on first use under the test's folder."""
    from archive import certificates

    settings.HEDANG_ARCHIVE_KEY = str(tmp_path / "keys" / "archive.key")
    settings.HEDANG_ARCHIVE_CERT = str(tmp_path / "keys" / "archive.pem")
    settings.HEDANG_ARCHIVE_CERT_AUTO = True
    certificates.clear_caches()
    yield
    certificates.clear_caches()


@pytest.fixture
def filed(make_item):
    """filed(household, "RHB", date, pages=[...]) → a filed item with a stored original."""
    from archive.filing import file_item
    from archive.models import Page

    def make(household, subtype="RHB", date=dt.date(2014, 6, 1), pages=("入户核查表",)):
        item = make_item(household, subtype, formation_date=date)
        for n, text in enumerate(pages, start=1):
            Page.objects.create(item=item, number=n, text=text)
        return file_item(item)

    return make


@dataclass
class World:
    households: dict = field(default_factory=dict)
    items: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)


@pytest.fixture
def world(hubei, make_household, make_user, filed) -> World:
    w = World()
    h, i, u = w.households, w.items, w.users
    h["张伟"] = make_household("420102", "张伟")
    h["李明"] = make_household("420102", "李明")
    i["张伟-2014"] = filed(h["张伟"], "RHB", dt.date(2014, 6, 1), ["张伟 入户核查 鹦鹉螺"])
    i["张伟-2014b"] = filed(h["张伟"], "SRZ", dt.date(2014, 9, 1), ["张伟 收入证明"])
    i["张伟-2020"] = filed(h["张伟"], "RHB", dt.date(2020, 3, 1), ["张伟 2020"])
    i["李明-2014"] = filed(h["李明"], "RHB", dt.date(2014, 2, 1), ["李明 入户核查 穿山甲"])
    u["档案员"] = make_user("420102", "档案管理员", username="archivist1")
    u["负责人"] = make_user("420102", "机构负责人", username="head1")
    u["监销甲"] = make_user("420102", "监督检查", username="sup1")
    u["监销乙"] = make_user("420102", "安全管理", username="sup2")
    u["汉阳档案员"] = make_user("420105", "档案管理员", username="hanyang1")
    return w


def stored_objects(root: Path) -> dict[str, str]:
    """sha256 of every stored file under ``root`` → its path."""
    return {
        hashlib.sha256(p.read_bytes()).hexdigest(): str(p) for p in root.rglob("*") if p.is_file()
    }
