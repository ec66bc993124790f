"""check_identifier VALUE… [--json]: classify and validate numbers with a format.

Resident ID numbers, report numbers, authorization numbers and archive numbers (档号), see
docs/contracts.md. Exit status 0 when every value is valid, 1 when any is invalid or
unrecognised, 2 on bad usage.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Collection
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from archive.identifiers import (
    DEFAULT_ARCHIVE_NUMBER_PATTERN,
    ArchiveNumber,
    ArchiveNumberPattern,
    AuthorizationNumber,
    ReportNumber,
    ResidentId,
    classify,
)

KIND_NAMES = {
    "resident_id": "身份证号",
    "report_number": "报告编号",
    "authorization_number": "授权书编号",
    "archive_number": "档号",
}


def parsed_fields(parsed: object) -> dict[str, Any]:
    """The parsed parts as JSON-serialisable values (without the canonical value)."""
    if isinstance(parsed, ArchiveNumber):
        return {**parsed.fields, "number": parsed.number, "class_key": parsed.class_key}
    if isinstance(parsed, ResidentId | ReportNumber | AuthorizationNumber):
        out = dataclasses.asdict(parsed)
        out.pop("value", None)
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in out.items()}
    return {}


def describe(fields: dict[str, Any], kind: str) -> str:
    if kind == "resident_id":
        return (
            f"地址码 {fields['region_code']}，出生日期 {fields['birth_date']}，"
            f"顺序码 {fields['sequence']}，性别 {fields['sex']}，校验码 {fields['check_char']}"
        )
    if kind == "report_number":
        return (
            f"地区代码 {fields['region_code']}，{fields['year']} 年 {fields['month']} 月，"
            f"流水号 {fields['serial']}，{fields['business_code']} {fields['business_name']}，"
            f"{fields['nature']} {fields['nature_name']}，第 {fields['copy']} 份"
        )
    if kind == "authorization_number":
        return f"地区代码 {fields['region_code']}，{fields['year']} 年，流水号 {fields['serial']}"
    return "，".join(f"{k} {v}" for k, v in fields.items())


class Command(BaseCommand):
    help = "识别并校验身份证号、报告编号、授权书编号和档号。全部有效时退出码为 0，否则为 1。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("values", nargs="*", metavar="VALUE", help="要检查的编号")
        parser.add_argument("--json", action="store_true", help="每个编号输出一行 JSON（机器可读）")

    def handle(self, *args, values: list[str], json: bool = False, **options) -> None:
        if not values:
            raise CommandError("请至少提供一个要检查的编号", returncode=2)
        template = getattr(settings, "HEDANG_ARCHIVE_NUMBER_PATTERN", None)
        try:
            pattern = ArchiveNumberPattern(template or DEFAULT_ARCHIVE_NUMBER_PATTERN)
        except ValueError as e:
            raise CommandError(f"设置 HEDANG_ARCHIVE_NUMBER_PATTERN 无效：{e}", returncode=2) from e
        region_codes = self._region_codes()

        invalid = 0
        for value in values:
            result = self._check(value, pattern, region_codes)
            if not result["valid"]:
                invalid += 1
            if json:
                self.stdout.write(_dumps(result))
            else:
                self.stdout.write(self._line(result))
        if invalid:
            raise CommandError(f"{invalid} 个编号无效或无法识别", returncode=1)

    def _region_codes(self) -> Collection[str] | None:
        try:
            from archive.regions import report_region_codes
        except ImportError:
            return None
        try:
            return report_region_codes()
        except Exception as e:  # no database yet, regions not migrated…: skip the check
            self.stderr.write(f"无法读取地区代码，跳过地区代码校验：{e}")
            return None

    @staticmethod
    def _check(
        value: str, pattern: ArchiveNumberPattern, region_codes: Collection[str] | None
    ) -> dict[str, Any]:
        kind, parsed, error = classify(value, pattern, valid_region_codes=region_codes)
        valid = kind is not None and error is None
        return {
            "value": value,
            "kind": kind,
            "valid": valid,
            "fields": parsed_fields(parsed) if valid else {},
            "error": None if valid else str(error),
            "normalized": getattr(parsed, "value", None) if valid else None,
        }

    def _line(self, result: dict[str, Any]) -> str:
        kind = result["kind"]
        if kind is None:
            return self.style.ERROR(f"✗ {result['value']}：{result['error']}")
        name = KIND_NAMES[kind]
        if not result["valid"]:
            return self.style.ERROR(f"✗ {result['value']}：{name}无效 —— {result['error']}")
        shown = result["normalized"]
        extra = f"（规范写法 {shown}）" if shown != result["value"] else ""
        return self.style.SUCCESS(
            f"✓ {result['value']}：{name}有效{extra}；{describe(result['fields'], kind)}"
        )


def _dumps(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False)
