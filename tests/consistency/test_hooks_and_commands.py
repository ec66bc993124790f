"""The app's hooks (item button, worklist, dashboard alarm, retention holds), the 四性 PDF of
a box or year, and the command's usage errors."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.urls import reverse
from wagtail import hooks

from archive.models import File
from consistency import fixity

pytestmark = pytest.mark.django_db


def test_usage_errors_exit_2(hubei):
    with pytest.raises(CommandError) as bad_id:
        call_command("consistency_check", "--household", "12345", "--json")
    assert bad_id.value.returncode == 2
    with pytest.raises(CommandError) as unknown:
        call_command("consistency_check", "--household", "420102198503151234"[:17] + "X")
    assert unknown.value.returncode == 2


def test_nothing_to_check_exits_0(hubei, capsys):
    call_command("consistency_check", "--json")
    assert capsys.readouterr().out.strip() == '{"discrepancies": []}'


def test_item_button_worklist_and_dashboard_alarm(make_household, make_item, make_user):
    from archive.storage import archive_storage, blob_name

    user = make_user("420102")
    item = make_item(make_household("420102"))
    request = RequestFactory().get("/admin/")
    request.user = user
    buttons = [b for hook in hooks.get_hooks("hedang_item_buttons") for b in hook(request, item)]
    assert any(b.label == "四性检测" for b in buttons)
    sha = item.files.get(role=File.Role.ORIGINAL).sha256
    with open(archive_storage().path(blob_name(sha)), "ab") as fh:
        fh.write(b"tampered")
    fixity.run_fixity()
    work = [w for hook in hooks.get_hooks("hedang_worklist") for w in hook(request)]
    assert {"label": "存储校验告警", "count": 1, "url": reverse("consistency:fixity")} in work
    panels: list = []
    for hook in hooks.get_hooks("construct_homepage_panels"):
        hook(request, panels)
    alarm = [p for p in panels if getattr(p, "name", "") == "hedang_fixity_alarm"]
    assert alarm and "1 个存储对象" in alarm[0].render_html()


def test_fourprops_pdf_of_a_year(client, make_household, make_item, make_user):
    from archive.filing import file_item

    item = file_item(make_item(make_household("420102")))
    client.force_login(make_user("420102"))
    response = client.get(reverse("consistency:fourprops_pdf") + f"?year={item.year}")
    assert response.status_code == 200 and response.content[:5] == b"%PDF-"
    assert client.get(reverse("consistency:fourprops_pdf")).status_code == 400
    page = client.get(reverse("consistency:item_fourprops", args=(item.pk,)))
    text = page.content.decode()
    for label in ("真实性", "完整性", "可用性", "安全性"):
        assert label in text


def test_scope_options(make_household, make_item, capsys):
    from archive.filing import file_item

    item = file_item(make_item(make_household("420102"), file=False))
    with pytest.raises(CommandError) as unknown:
        call_command("consistency_check", "--agency", "999999")
    assert unknown.value.returncode == 2
    call_command("consistency_check", "--year", str(item.year - 1), "--json")
    assert capsys.readouterr().out.strip() == '{"discrepancies": []}'
    with pytest.raises(CommandError) as found:
        call_command("consistency_check", "--agency", "420100", "--json")
    assert found.value.returncode == 1
    assert '"kind": "no_image"' in capsys.readouterr().out
