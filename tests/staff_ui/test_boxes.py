"""档案盒: create a box per class, put items in (never mixing years or classes), print."""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive.models import AuditEntry, Box, Item

pytestmark = pytest.mark.django_db


def _class(seeded, year: int, code: str) -> str:
    return next(i.class_key for i in seeded.filed if i.year == year and f"-{code}-" in i.class_key)


def test_archivist_makes_a_box_and_fills_it_by_item_numbers(login, seeded):
    client = login(seeded.users.archivist)
    class_key = _class(seeded, 2024, "GC")
    response = client.post(reverse("staffui:box_index"), {"class_key": class_key})
    box = Box.objects.get(class_key=class_key)
    assert response.url == reverse("staffui:box", args=(box.pk,))
    assert (box.box_number, box.year, box.retention) == (1, 2024, "D10")
    assert AuditEntry.objects.filter(action="create", object_type="archive.Box").count() == 1

    client.post(
        reverse("staffui:box", args=(box.pk,)), {"action": "put", "first": "1", "last": "2"}
    )
    box.refresh_from_db()
    assert (box.first_item_number, box.last_item_number) == (1, 2)
    assert Item.objects.filter(box=box).count() == 2
    page = client.get(reverse("staffui:box", args=(box.pk,))).content.decode()
    assert "盒内的件（2 件）" in page and "打印盒脊" in page and "打印备考表" in page

    # The second box of the class gets the next number.
    client.post(reverse("staffui:box_index"), {"class_key": class_key})
    assert sorted(Box.objects.filter(class_key=class_key).values_list("box_number", flat=True)) == [
        1,
        2,
    ]


def test_a_box_refuses_another_year_or_class(login, seeded):
    client = login(seeded.users.archivist)
    box_2024 = Box.objects.get(
        pk=client.post(reverse("staffui:box_index"), {"class_key": _class(seeded, 2024, "GC")})
        .url.rstrip("/")
        .split("/")[-1]
    )
    item_2025 = next(i for i in seeded.filed if i.year == 2025)
    report_2024 = next(i for i in seeded.filed if "-BG-" in i.class_key)
    for wrong in (item_2025, report_2024):
        response = client.post(
            reverse("staffui:box", args=(box_2024.pk,)),
            {"action": "put", "items": [wrong.pk, seeded.filed[0].pk]},
            follow=True,
        )
        text = response.content.decode()
        assert "未装盒" in text
        assert Item.objects.filter(box=box_2024).count() == 0  # all or nothing
    from staffui.boxes import refusal

    assert "年度 2025" in refusal(box_2024, item_2025)
    assert "分类" in refusal(box_2024, report_2024)


def test_box_details_and_print_from_the_box(login, seeded):
    client = login(seeded.users.archivist)
    url = client.post(reverse("staffui:box_index"), {"class_key": _class(seeded, 2024, "GC")}).url
    box = Box.objects.get()
    client.post(
        url,
        {
            "action": "details",
            "arranged_by": "王档案",
            "checked_by": "李检查",
            "arranged_on": "2024-12-01",
            "notes": "无缺损",
        },
    )
    box.refresh_from_db()
    assert (box.arranged_by, box.checked_by, str(box.arranged_on)) == (
        "王档案",
        "李检查",
        "2024-12-01",
    )
    bad = client.post(url, {"action": "details", "arranged_on": "12/01/2024"}, follow=True)
    assert "整理日期应为" in bad.content.decode()
    pdf = client.get(reverse("scanning:print_pdf", args=("box-notes", box.pk)))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_boxes_keep_to_the_jurisdiction(login, seeded, make_user):
    hanyang = make_user("420105", "档案管理员", username="hanyang")
    liu_class = next(i.class_key for i in seeded.filed if i.household_id == seeded.liu.pk)
    client = login(hanyang)
    client.post(reverse("staffui:box_index"), {"class_key": liu_class})
    box = Box.objects.get()
    client = login(seeded.users.archivist)
    assert client.get(reverse("staffui:box", args=(box.pk,))).status_code == 404
    assert AuditEntry.objects.filter(action="denied", object_type="archive.Box").exists()
    # Another county's class cannot be boxed either.
    response = client.post(reverse("staffui:box_index"), {"class_key": liu_class}, follow=True)
    assert "不能建盒" in response.content.decode()
    assert Box.objects.count() == 1


def test_inspector_sees_boxes_but_cannot_make_them(login, seeded):
    client = login(seeded.users.inspector)
    assert client.get(reverse("staffui:box_index")).status_code == 200
    response = client.post(reverse("staffui:box_index"), {"class_key": _class(seeded, 2024, "GC")})
    assert response.status_code == 403
    assert Box.objects.count() == 0
