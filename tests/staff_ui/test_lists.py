"""Lists: filters with an empty query, CSV/XLSX exports (logged, masked, scoped), the operation
log by name, one print one entry, and the 统计 page and its export."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from archive import audit
from archive.models import AuditEntry

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    import csv

    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_items_of_a_year_and_category_without_a_query_and_their_export(login, seeded):
    client = login(seeded.users.inspector)  # 武汉市: sees 江岸区 and 汉阳区
    url = reverse("archive_item:index") + "?status=filed&category=process&year=2024"
    page = client.get(url).content.decode()
    assert page.count("Z420102-HD·2024-D10-GC-") == 2 and "Z420105-HD·2024-D10-GC-0001" in page
    assert "2025" not in page.split("<tbody>")[1]
    rows = _csv(client.get(url + "&export=csv"))
    assert rows[0][:3] == ["档号", "题名", "材料类别"]
    assert sorted(r[0] for r in rows[1:]) == [
        "Z420102-HD·2024-D10-GC-0001",
        "Z420102-HD·2024-D10-GC-0002",
        "Z420105-HD·2024-D10-GC-0001",
    ]
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.detail["rows"] == 3 and entry.detail["format"] == "csv"
    assert entry.detail["filters"] == {"status": "filed", "category": "process", "year": "2024"}


def test_household_export_is_scoped_and_masked(login, seeded):
    client = login(seeded.users.inspector)
    response = client.get(reverse("archive_household:index") + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][:2] == ("户主姓名", "户主身份证号")
    ids = {r[1] for r in rows[1:]}
    assert seeded.zhang.head_id_number not in ids  # inspectors see masked IDs
    assert any("*" in i for i in ids)
    client = login(seeded.users.archivist)  # 江岸区 only
    rows = _csv(client.get(reverse("archive_household:index") + "?export=csv"))
    assert [r[0] for r in rows[1:]] == ["张伟"]
    assert AuditEntry.objects.filter(action="export", object_type="archive.Household").count() == 2


def test_operation_log_shows_names_and_exports(login, seeded):
    from ingest.models import Batch

    batch = Batch.objects.first()
    audit.record(audit.Action.VIEW, batch, user=seeded.users.archivist)
    client = login(seeded.users.inspector)
    page = client.get(reverse("archive_auditentry:index")).content.decode()
    assert "江岸区居民家庭经济状况核对中心" in page
    assert f"采集批次 #{batch.pk}" in page and "ingest.Batch" not in page
    rows = _csv(client.get(reverse("archive_auditentry:index") + "?export=csv"))
    assert rows[0][0] == "编号" and len(rows) > 2


def test_one_print_is_one_entry(login, seeded):
    from archive.models import Box

    client = login(seeded.users.archivist)
    client.post(reverse("staffui:box_index"), {"class_key": seeded.filed[0].class_key})
    box = Box.objects.get()
    url = reverse("scanning:print_pdf", args=("box-spine", box.pk))
    for _ in range(4):  # the preview frame, its print button, 在新窗口打开, 下载
        assert client.get(url).status_code == 200
    client.get(url + "?download=1")
    assert AuditEntry.objects.filter(action="print", object_id=str(box.pk)).count() == 1
    client.get(reverse("scanning:print_pdf", args=("box-notes", box.pk)))
    assert AuditEntry.objects.filter(action="print", object_id=str(box.pk)).count() == 2


def test_statistics_show_real_counts_and_export(login, seeded):
    client = login(seeded.users.inspector)
    page = client.get(reverse("staffui:statistics")).content.decode()
    assert "武汉市居民家庭经济状况核对中心" in page
    assert "核查过程性材料：4 件" in page  # 3 in 江岸区 + 1 in 汉阳区
    assert "2025：1 件" in page and "汉阳区居民家庭经济状况核对中心：1 件" in page
    assert "排队中：1 个文件" in page
    assert "?status=filed&amp;year=2024" in page  # drill-down
    response = client.get(reverse("staffui:statistics") + "?format=xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:4] == ["按材料类别", "按子类", "按年度", "按核对机构"]
    assert ("核对报告材料", 1) in list(book["按材料类别"].values)
    assert AuditEntry.objects.filter(action="export", object_type="统计").count() == 1
    client = login(seeded.users.archivist)
    page = client.get(reverse("staffui:statistics")).content.decode()
    assert "汉阳区" not in page


def test_dashboard_shows_what_waits(login, seeded):
    client = login(seeded.users.archivist)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "等我处理" in page and "待确认的件" in page and "已归档未装盒的件" in page
    assert "Search all pages" not in page and "Page" not in page.split("<main")[1]
    assert "档案概况" in page


def test_cms_menu_entries_are_gone(login, seeded):
    from tests.staff_ui.crawl import menu_urls

    client = login(seeded.users.admin)
    urls = menu_urls(client)
    for gone in ("/admin/pages/", "/admin/images/", "/admin/documents/", "/admin/reports/"):
        assert not any(u.startswith(gone) for u in urls), urls
    assert "/admin/desk/manual/" in urls and "/admin/desk/statistics/" in urls
    from django.contrib.auth.models import Group

    assert not Group.objects.filter(name__in=["Editors", "Moderators"]).exists()
