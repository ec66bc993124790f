"""Hubei's administrative divisions as the agency tree, and jurisdiction over it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from archive.models import Agency
from archive.regions import (
    AGENCY_SUFFIX,
    default_regions_csv,
    load_regions,
    read_regions,
    report_region_codes,
)

pytestmark = pytest.mark.django_db

WUHAN_DISTRICTS = {
    "420102", "420103", "420104", "420105", "420106", "420107", "420111",
    "420112", "420113", "420114", "420115", "420116", "420117",
}  # fmt: skip


def _codes(ids) -> set[str]:
    return set(Agency.objects.filter(pk__in=ids).values_list("region_code", flat=True))


def _copy_csv(tmp_path: Path, edit=None) -> Path:
    rows = list(csv.DictReader(default_regions_csv().open(encoding="utf-8")))
    if edit:
        rows = edit(rows)
    path = tmp_path / "regions.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(
            fh, fieldnames=["code", "name", "level", "parent_code", "statistical_only"]
        )
        writer.writeheader()
        writer.writerows(rows)
    return path


def remove_all_agencies() -> None:
    """Start from an empty agency table (the test database comes with the tree loaded);
    rolled back with the test."""
    Agency.objects.all()._raw_delete(Agency.objects.db)


@pytest.fixture
def empty():
    remove_all_agencies()


@pytest.fixture
def loaded():
    load_regions(default_regions_csv())
    return {a.region_code: a for a in Agency.objects.select_related("parent")}


def test_the_csv_has_119_regions():
    regions = read_regions(default_regions_csv())
    assert len(regions) == 119
    assert len({r.code for r in regions}) == 119


def test_load_builds_119_agencies(empty):
    assert not Agency.objects.exists()
    created, updated = load_regions(default_regions_csv())
    assert (created, updated) == (119, 0)
    assert Agency.objects.count() == 119
    levels = {level: Agency.objects.filter(level=level).count() for level in Agency.Level.values}
    assert levels == {"province": 1, "city": 13, "county": 105}


def test_tree(loaded):
    province = loaded["420000"]
    assert province.parent is None
    assert province.level == Agency.Level.PROVINCE
    assert province.region_name == "湖北省"
    assert province.name == "湖北省" + AGENCY_SUFFIX
    assert [a.region_code for a in Agency.objects.filter(parent=None)] == ["420000"]

    assert loaded["420100"].parent == province
    assert loaded["420100"].level == Agency.Level.CITY
    assert loaded["420102"].parent == loaded["420100"]
    assert loaded["420102"].region_name == "江岸区"
    assert loaded["420102"].level == Agency.Level.COUNTY

    # 省直辖县级行政单位: directly under the province, no city in between.
    xiantao = loaded["429004"]
    assert xiantao.region_name == "仙桃市"
    assert xiantao.parent == province
    assert xiantao.level == Agency.Level.COUNTY
    for code in ("429005", "429006", "429021"):
        assert loaded[code].parent == province

    # Every city hangs from the province, every county from a city or the province.
    for agency in loaded.values():
        if agency.level == Agency.Level.CITY:
            assert agency.parent == province
        if agency.level == Agency.Level.COUNTY:
            assert agency.parent.level in (Agency.Level.CITY, Agency.Level.PROVINCE)
            assert agency.parent.region_code[:2] == "42"


def test_statistical_only_regions(loaded):
    flagged = set(
        Agency.objects.filter(statistical_only=True).values_list("region_code", flat=True)
    )
    assert flagged == {"421071", "421171"}
    assert loaded["421071"].parent == loaded["421000"]
    assert loaded["421171"].parent == loaded["421100"]
    codes = report_region_codes()
    assert "421071" not in codes
    assert "421171" not in codes
    assert "420102" in codes
    assert len(codes) == 117


def test_report_region_codes_before_loading(empty):
    assert report_region_codes() is None


def test_load_is_idempotent(loaded):
    before = list(Agency.objects.order_by("pk").values())
    assert load_regions(default_regions_csv()) == (0, 0)
    assert list(Agency.objects.order_by("pk").values()) == before


def test_load_is_one_entry_in_the_operation_log(empty):
    from archive.audit import verify_chain
    from archive.models import AuditEntry

    before = AuditEntry.objects.count()
    load_regions(default_regions_csv())
    entries = list(AuditEntry.objects.order_by("id")[before:])
    assert len(entries) == 1
    assert entries[0].object_type == "archive.Agency"
    assert entries[0].detail.get("created") == 119
    assert verify_chain().intact


def test_load_updates_a_renamed_region_and_adds_a_new_one(loaded, tmp_path):
    def edit(rows):
        for row in rows:
            if row["code"] == "420102":
                row["name"] = "江岸新区"
        rows.append(
            {
                "code": "420118",
                "name": "测试区",
                "level": "county",
                "parent_code": "420100",
                "statistical_only": "0",
            }
        )
        return rows

    fonds_before = loaded["420102"].fonds
    assert load_regions(_copy_csv(tmp_path, edit)) == (1, 1)
    jiangan = Agency.objects.get(region_code="420102")
    assert jiangan.region_name == "江岸新区"
    assert jiangan.pk == loaded["420102"].pk  # the same agency: users and households stay
    assert jiangan.fonds == fonds_before
    assert Agency.objects.get(region_code="420118").parent == loaded["420100"]


def test_load_moves_a_region_to_another_parent(loaded, tmp_path):
    def edit(rows):
        for row in rows:
            if row["code"] == "421071":
                row["parent_code"] = "420000"
                row["statistical_only"] = "0"
        return rows

    assert load_regions(_copy_csv(tmp_path, edit)) == (0, 1)
    moved = Agency.objects.get(region_code="421071")
    assert moved.parent == loaded["420000"]
    assert moved.statistical_only is False


@pytest.mark.parametrize(
    ("field", "value"),
    [("code", "42010"), ("code", "42O102"), ("level", "township")],
)
def test_invalid_rows_are_refused(empty, tmp_path, field, value):
    def edit(rows):
        rows[5][field] = value
        return rows

    with pytest.raises(ValueError):
        load_regions(_copy_csv(tmp_path, edit))
    assert not Agency.objects.exists()  # all or nothing


def test_unknown_parent_is_refused(empty, tmp_path):
    def edit(rows):
        rows.append(
            {
                "code": "420199",
                "name": "孤儿区",
                "level": "county",
                "parent_code": "421999",
                "statistical_only": "0",
            }
        )
        return rows

    with pytest.raises(ValueError, match="421999"):
        load_regions(_copy_csv(tmp_path, edit))
    assert not Agency.objects.exists()  # all or nothing


# --- jurisdiction --------------------------------------------------------------------------


def test_county_jurisdiction_is_itself(loaded):
    assert loaded["420102"].jurisdiction_ids() == [loaded["420102"].pk]
    assert loaded["429004"].jurisdiction_ids() == [loaded["429004"].pk]


def test_city_jurisdiction_is_its_counties(loaded):
    ids = loaded["420100"].jurisdiction_ids()
    assert len(ids) == len(set(ids))
    assert _codes(ids) == {"420100"} | WUHAN_DISTRICTS
    jingzhou = _codes(loaded["421000"].jurisdiction_ids())
    assert "421071" in jingzhou
    assert "420102" not in jingzhou


def test_province_jurisdiction_is_everything(loaded):
    ids = loaded["420000"].jurisdiction_ids()
    assert len(ids) == len(set(ids)) == 119
    assert _codes(ids) == set(loaded)


def test_fonds_defaults_to_z_and_region_code(loaded):
    assert loaded["420102"].fonds == "Z420102"
    agency = loaded["420102"]
    agency.fonds_code = "Z109"
    assert agency.fonds == "Z109"
