"""consistency_check [--household ID] [--json]: paper against electronic records.

Compares every pair (a pushed report and the scan of its printed copy, a paper form and the
platform's data for it, an item with both a scan and a born-digital original) field by field
and reconciles the inventory (unscanned paper, print copies never scanned back, page counts,
catalogue entries without images and the reverse, 件号 gaps). Prints the open discrepancies
found: ``{"discrepancies": [{"household", "archive_number", "kind", "field", "paper",
"electronic", "page"}]}``. Exit 0 when none, 1 when some, 2 on bad usage.
"""

from __future__ import annotations

import json as jsonlib

from django.core.management.base import BaseCommand, CommandError

from archive.identifiers import IdentifierError, parse_resident_id
from archive.models import Household, Item
from consistency.check import as_contract, run_check


class Command(BaseCommand):
    help = "核对纸质档案与电子档案是否一致（以纸质为准），并清点挂接情况"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--household", help="户主身份证号：只检查这一户")
        parser.add_argument("--box", type=int, help="档案盒编号（id）：只检查这一盒")
        parser.add_argument("--year", type=int, help="形成年度：只检查这一年度")
        parser.add_argument("--agency", help="核对机构的地区代码：只检查该机构辖区")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, household: str | None = None, json: bool = False, **options):
        items, scope = self._narrowed(Item.objects.all(), options)
        if household is not None:
            try:
                head = parse_resident_id(household.strip()).value
            except IdentifierError as exc:
                raise CommandError(f"--household 不是有效的身份证号：{exc}", returncode=2) from exc
            found = Household.objects.filter(head_id_number=head).first()
            if found is None:
                raise CommandError(f"没有户主身份证号为 {head} 的户", returncode=2)
            items = items.filter(household=found)
            scope["household"] = head
        result = run_check(items, scope=scope or {"all": True})
        rows = [as_contract(d) for d in result.discrepancies if d.is_open]
        if json:
            self.stdout.write(jsonlib.dumps({"discrepancies": rows}, ensure_ascii=False))
        else:
            for row in rows:
                self.stdout.write(
                    f"{row['archive_number']} 第{row['page'] or '-'}页 {row['kind']} "
                    f"{row['field']}：纸质「{row['paper']}」 电子「{row['electronic']}」"
                )
            self.stdout.write(
                f"比对 {result.run.pairs} 对、{result.run.pages} 页；不一致 {len(rows)} 处；"
                f"识别存疑已排除 {result.run.doubts} 处"
            )
        if rows:
            raise CommandError(f"发现 {len(rows)} 处纸电不一致", returncode=1)

    def _narrowed(self, items, options: dict):
        from archive.models import Agency, Box

        scope: dict = {}
        if options.get("box") is not None:
            if not Box.objects.filter(pk=options["box"]).exists():
                raise CommandError(f"没有编号为 {options['box']} 的档案盒", returncode=2)
            items, scope["box"] = items.filter(box_id=options["box"]), options["box"]
        if options.get("year") is not None:
            items, scope["year"] = items.filter(year=options["year"]), options["year"]
        if options.get("agency"):
            agency = Agency.objects.filter(region_code=options["agency"]).first()
            if agency is None:
                raise CommandError(f"没有地区代码为 {options['agency']} 的核对机构", returncode=2)
            ids = agency.jurisdiction_ids()
            items, scope["agency"] = items.filter(agency_id__in=ids), agency.region_code
        return items, scope
