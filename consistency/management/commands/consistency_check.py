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
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, household: str | None = None, json: bool = False, **options):
        items = Item.objects.all()
        scope: dict = {"all": True}
        if household is not None:
            try:
                head = parse_resident_id(household.strip()).value
            except IdentifierError as exc:
                raise CommandError(f"--household 不是有效的身份证号：{exc}", returncode=2) from exc
            found = Household.objects.filter(head_id_number=head).first()
            if found is None:
                raise CommandError(f"没有户主身份证号为 {head} 的户", returncode=2)
            items = items.filter(household=found)
            scope = {"household": head}
        result = run_check(items, scope=scope)
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
