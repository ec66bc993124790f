"""The dashboard gathers every hedang_worklist hook; 帮助 renders docs/manual/*.md."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks

from staffui import manual

pytestmark = pytest.mark.django_db


def test_worklist_shows_other_apps_entries_with_their_age(login, seeded):
    def loans_waiting(request):
        return [
            {
                "label": "待审批的借阅",
                "count": 2,
                "url": "/admin/loans/",
                "oldest": timezone.now() - dt.timedelta(days=3, hours=2),
            }
        ]

    def broken(request):
        raise RuntimeError("an app's bug must not take the dashboard down")

    with (
        hooks.register_temporarily("hedang_worklist", loans_waiting),
        hooks.register_temporarily("hedang_worklist", broken),
    ):
        page = login(seeded.users.archivist).get(reverse("wagtailadmin_home")).content.decode()
    assert "待审批的借阅" in page and "最早一件已等 3 天" in page
    # Non-empty entries first: the 0-count ones come after the loans.
    assert page.index("待审批的借阅") < page.index("需处理的采集批次")


def test_inspector_worklist_leaves_out_what_the_role_cannot_do(login, seeded):
    page = login(seeded.users.inspector).get(reverse("wagtailadmin_home")).content.decode()
    assert "已归档未装盒的件" not in page and "需处理的采集批次" not in page


def test_every_manual_page_renders_with_its_images(login, seeded):
    client = login(seeded.users.inspector)
    pages = manual.pages()
    assert pages[0].slug == "index"
    assert {"ingest", "scanning", "search", "printing", "statistics", "boxes"} <= {
        p.slug for p in pages
    }
    for page in pages:
        url = (
            reverse("staffui:manual_index")
            if page.slug == "index"
            else reverse("staffui:manual_page", args=(page.slug,))
        )
        html = client.get(url).content.decode()
        assert page.title in html
        assert "](img/" not in html and 'src="img/' not in html  # rewritten to the admin
        assert '.md"' not in html
    image = client.get(reverse("staffui:manual_image", args=("dashboard.png",)))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"


def test_manual_refuses_paths_outside_its_folder(login, seeded):
    client = login(seeded.users.archivist)
    for name in ("..%2Fsecret_key", ".hidden.png", "x.py"):
        assert client.get(f"/admin/desk/manual/img/{name}", follow=True).status_code == 404
    assert client.get("/admin/desk/manual/no-such-page/").status_code == 404
    assert manual.image_path("../../config/settings.py") is None


def test_manual_needs_a_login(client, hubei):
    response = client.get(reverse("staffui:manual_index"))
    assert response.status_code == 302 and "/admin/login/" in response.url
