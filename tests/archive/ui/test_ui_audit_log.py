"""操作日志: visible to inspectors within their jurisdiction, read-only, never to archivists."""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive import audit
from archive.audit import verify_chain
from archive.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_audit_log_visible_to_inspector_not_to_archivist(login, make_user, jiangan_household):
    archivist = make_user("420102")
    audit.record(audit.Action.VIEW, jiangan_household, user=archivist)

    client = login(make_user("420100", "监督检查"))
    response = client.get(reverse("archive_auditentry:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "操作日志" in html and "查看" in html and "张伟户" in html

    client = login(archivist)
    response = client.get(reverse("archive_auditentry:index"))
    assert response.status_code in (302, 403)
    assert "张伟户" not in response.content.decode()
    assert AuditEntry.objects.filter(
        action="denied", actor=archivist, object_type="archive.AuditEntry"
    ).exists()


def test_inspector_sees_only_entries_of_the_jurisdiction(login, make_user, jiangan_household):
    wuhan_user = make_user("420105", username="hanyang")
    yichang_user = make_user("420500", username="yichang")
    audit.record(audit.Action.EXPORT, jiangan_household, user=wuhan_user, object_repr="汉阳导出")
    audit.record(audit.Action.EXPORT, jiangan_household, user=yichang_user, object_repr="宜昌导出")

    client = login(make_user("420100", "监督检查"))
    html = client.get(reverse("archive_auditentry:index"), {"action": "export"}).content.decode()
    assert "汉阳导出" in html and "宜昌导出" not in html

    foreign = AuditEntry.objects.get(object_repr="宜昌导出")
    response = client.get(reverse("archive_auditentry:detail", args=[foreign.pk]))
    assert response.status_code == 404
    own = AuditEntry.objects.get(object_repr="汉阳导出")
    response = client.get(reverse("archive_auditentry:detail", args=[own.pk]))
    assert response.status_code == 200 and own.entry_hash in response.content.decode()


def test_audit_log_filters_and_newest_first(login, make_user, jiangan_household):
    actor = make_user("420102", username="zhangsan", real_name="张三")
    for n in range(3):
        audit.record(audit.Action.PRINT, jiangan_household, user=actor, object_repr=f"打印{n}")
    client = login(make_user("420100", "监督检查"))
    index = reverse("archive_auditentry:index")

    html = client.get(index, {"action": "print", "actor": "张三"}).content.decode()
    assert html.index("打印2") < html.index("打印1") < html.index("打印0")

    html = client.get(index, {"action": "print", "actor": "nobody"}).content.decode()
    assert "打印0" not in html

    html = client.get(
        index, {"object_type": "archive.Household", "object": str(jiangan_household.pk)}
    ).content.decode()
    assert "打印0" in html

    html = client.get(
        index, {"action": "print", "timestamp_from": "2000-01-01", "timestamp_to": "2000-01-02"}
    ).content.decode()
    assert "打印0" not in html


def test_audit_log_has_no_edit_or_delete(login, make_user):
    admin = make_user("420000", role=None, username="root", is_superuser=True)
    client = login(admin)
    entry = AuditEntry.objects.first()
    assert client.get(reverse("archive_auditentry:index")).status_code == 200
    for path in (
        f"/admin/audit-log/edit/{entry.pk}/",
        f"/admin/audit-log/delete/{entry.pk}/",
        "/admin/audit-log/new/",
    ):
        assert client.get(path).status_code == 404
    assert verify_chain().intact
