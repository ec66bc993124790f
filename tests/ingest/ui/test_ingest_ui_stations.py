"""扫描站点: archivists manage the stations of their jurisdiction and see the hot folders."""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive.models import AuditEntry, Subtype
from ingest.models import Station

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(settings, tmp_path):
    settings.HEDANG_INBOX_DIR = tmp_path / "inbox"
    return settings.HEDANG_INBOX_DIR


def _form(agency, **extra):
    data = {
        "name": "jiangan-1",
        "label": "江岸区一号高拍仪",
        "agency": agency.pk,
        "default_category": "",
        "default_subtype": "",
        "default_household_id_number": "",
        "active": "on",
    }
    return {**data, **extra}


def test_archivist_adds_a_station_and_sees_its_hot_folder(
    login, make_user, make_household, hubei, inbox
):
    household = make_household("420102", "张伟")
    client = login(make_user("420102"))
    subtype = Subtype.objects.get(code="RHB")
    response = client.post(
        reverse("ingest_station:add"),
        _form(
            hubei["420102"],
            default_subtype=subtype.pk,
            default_household_id_number=household.head_id_number,
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    station = Station.objects.get()
    assert (station.default_household, station.default_subtype) == (household, subtype)
    assert station.default_category == "process"  # taken from the subtype
    assert (inbox / "jiangan-1").is_dir()
    assert AuditEntry.objects.filter(action="create", object_type="ingest.Station").exists()
    page = client.get(reverse("ingest_station:index")).content.decode()
    assert "江岸区一号高拍仪" in page and f"{inbox}/jiangan-1/" in page


def test_station_agency_and_household_are_limited_to_the_jurisdiction(
    login, make_user, make_household, hubei, inbox
):
    foreign = make_household("420105", "刘洋")
    client = login(make_user("420102"))
    response = client.post(reverse("ingest_station:add"), _form(hubei["420105"]))
    assert response.status_code == 200 and not Station.objects.exists()
    response = client.post(
        reverse("ingest_station:add"),
        _form(hubei["420102"], default_household_id_number=foreign.head_id_number),
    )
    assert "辖区内没有户主身份证号为" in response.content.decode()
    assert not Station.objects.exists()


def test_another_countys_station_is_neither_listed_nor_editable(login, make_user, hubei, inbox):
    theirs = Station.objects.create(name="hanyang-1", label="汉阳区高拍仪", agency=hubei["420105"])
    client = login(make_user("420102"))
    assert "汉阳区高拍仪" not in client.get(reverse("ingest_station:index")).content.decode()
    url = reverse("ingest_station:edit", args=[theirs.pk])
    assert client.get(url).status_code == 404
    entry = AuditEntry.objects.get(action="denied", detail__path=url)
    assert (entry.object_type, entry.object_id) == ("ingest.Station", str(theirs.pk))
    # The city above sees and edits it.
    city = login(make_user("420100"))
    response = city.post(url, _form(hubei["420105"], name="hanyang-1", label="汉阳区新名称"))
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.label == "汉阳区新名称"


def test_a_reader_may_not_manage_stations(login, make_user, inbox):
    client = login(make_user("420102", "信息管理"))
    response = client.get(reverse("ingest_station:index"))
    assert response.status_code == 403
    assert AuditEntry.objects.filter(action="denied", object_type="ingest.Station").exists()


def test_station_profile_is_edited_and_listed(login, make_user, hubei, inbox):
    client = login(make_user("420102"))
    response = client.post(
        reverse("ingest_station:add"),
        _form(hubei["420102"], dpi="400", colour_mode="colour", duplex="on", stack_folders="on"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    station = Station.objects.get()
    assert (station.dpi, station.colour_mode, station.duplex, station.stack_folders) == (
        400,
        "colour",
        True,
        True,
    )
    page = client.get(reverse("ingest_station:index")).content.decode()
    assert "400 dpi · 彩色 · 双面（剔除空白背面） · 成叠（子文件夹为一叠）" in page
    form = client.get(reverse("ingest_station:edit", args=[station.pk])).content.decode()
    assert 'name="dpi"' in form and 'name="stack_folders"' in form and "双面扫描" in form
    # DA/T 31-2017: a station is never set below 200 dpi.
    url = reverse("ingest_station:edit", args=[station.pk])
    response = client.post(url, _form(hubei["420102"], dpi="150", colour_mode="grey"))
    assert response.status_code == 200 and "不得低于 200 dpi" in response.content.decode()
    client.post(url, _form(hubei["420102"], colour_mode="bitonal"))  # no dpi posted: kept
    station.refresh_from_db()
    assert (station.dpi, station.colour_mode, station.duplex) == (400, "bitonal", False)
    entry = AuditEntry.objects.filter(action="change", object_type="ingest.Station").latest("id")
    assert "colour_mode" in entry.detail["fields"]
