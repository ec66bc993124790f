"""Hubei's administrative divisions (data/hubei_regions.csv) as the Agency tree."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from archive import audit
from archive.models import Agency

AGENCY_SUFFIX = "居民家庭经济状况核对中心"


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str
    parent_code: str
    statistical_only: bool


def default_regions_csv() -> Path:
    return Path(
        getattr(settings, "HEDANG_REGIONS_CSV", settings.BASE_DIR / "data" / "hubei_regions.csv")
    )


def read_regions(path: Path) -> list[Region]:
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    regions = [
        Region(
            code=row["code"].strip(),
            name=row["name"].strip(),
            level=row["level"].strip(),
            parent_code=row["parent_code"].strip(),
            statistical_only=row.get("statistical_only", "0").strip() == "1",
        )
        for row in rows
    ]
    for region in regions:
        if len(region.code) != 6 or not region.code.isdigit():
            raise ValueError(f"区划代码应为 6 位数字：{region.code!r}")
        if region.level not in Agency.Level.values:
            raise ValueError(f"{region.code} 的层级无效：{region.level!r}")
    return regions


def load_regions(path: Path) -> tuple[int, int]:
    """Create or update one agency per region; parents before children. Returns (new, updated).

    The load is one act in the operation log, with the counts, not one entry per agency.
    """
    regions = read_regions(path)
    with (
        transaction.atomic(),
        audit.bulk_operation(
            audit.Action.CHANGE, object_type="archive.Agency", object_repr=f"载入区划 {path.name}"
        ) as summary,
    ):
        created, updated = _load(regions)
        summary.update(created=created, updated=updated)
    return created, updated


def _load(regions: list[Region]) -> tuple[int, int]:
    order = {"province": 0, "city": 1, "county": 2}
    created = updated = 0
    by_code: dict[str, Agency] = {}
    for region in sorted(regions, key=lambda r: (order[r.level], r.code)):
        parent = by_code.get(region.parent_code) if region.parent_code else None
        if region.parent_code and parent is None:
            parent = Agency.objects.filter(region_code=region.parent_code).first()
            if parent is None:
                raise ValueError(f"{region.code} 的上级区划 {region.parent_code} 不存在")
        agency, was_created = Agency.objects.get_or_create(
            region_code=region.code,
            defaults={
                "region_name": region.name,
                "name": region.name + AGENCY_SUFFIX,
                "level": region.level,
                "parent": parent,
                "statistical_only": region.statistical_only,
            },
        )
        if was_created:
            created += 1
        else:
            changed = (
                agency.region_name != region.name
                or agency.level != region.level
                or agency.parent_id != (parent.pk if parent else None)
                or agency.statistical_only != region.statistical_only
            )
            if changed:
                agency.region_name = region.name
                agency.level = region.level
                agency.parent = parent
                agency.statistical_only = region.statistical_only
                agency.save()
                updated += 1
        by_code[region.code] = agency
    return created, updated


def report_region_codes() -> set[str] | None:
    """Region codes a report or authorization number may carry; None before regions load."""
    codes = set(Agency.objects.filter(statistical_only=False).values_list("region_code", flat=True))
    return codes or None
