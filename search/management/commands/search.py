"""``manage.py search QUERY``: the same search the staff UI and the API use."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from archive.categories import Category


class Command(BaseCommand):
    help = "检索档案：姓名、身份证号、报告编号、档号或页面中的文字。"

    def add_arguments(self, parser):
        parser.add_argument("query")
        parser.add_argument("--category", choices=Category.values)
        parser.add_argument("--subtype", help="子类名称或代码")
        parser.add_argument("--business-type", help="核对项目代码 aa..zz")
        parser.add_argument("--year", type=int)
        parser.add_argument("--region", help="行政区划代码：该机构及其下级")
        parser.add_argument("--limit", type=int, default=20)
        parser.add_argument("--offset", type=int, default=0)
        parser.add_argument("--as-user", help="以该用户的辖区检索（默认不限辖区）")
        parser.add_argument("--facets", action="store_true", help="同时输出分面统计")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        from archive.models import Agency, User
        from search.service import UNRESTRICTED, search

        user = UNRESTRICTED
        if opts["as_user"]:
            user = User.objects.filter(username=opts["as_user"]).first()
            if user is None:
                raise CommandError(f"没有用户「{opts['as_user']}」", returncode=2)
        if opts["region"] and not Agency.objects.filter(region_code=opts["region"]).exists():
            raise CommandError(f"没有行政区划代码为 {opts['region']} 的核对机构", returncode=2)
        if opts["limit"] < 1:
            raise CommandError("--limit 应为正整数", returncode=2)
        result = search(
            opts["query"],
            user,
            category=opts["category"],
            subtype=opts["subtype"],
            business_type=opts["business_type"],
            year=opts["year"],
            region=opts["region"],
            limit=opts["limit"],
            offset=opts["offset"],
            facets=opts["facets"],
        )
        if opts["json"]:
            self.stdout.write(json.dumps(result.as_dict(opts["facets"]), ensure_ascii=False))
            return
        self.stdout.write(f"共 {result.total} 件")
        for hit in result.hits:
            self.stdout.write(
                f"{hit.archive_number}  {hit.household}  {hit.subtype}  {hit.title}\n    {hit.snippet}"
            )
        if opts["facets"]:
            for name, values in result.facets.items():
                counts = "，".join(f"{v.label} {v.count}" for v in values)
                self.stdout.write(f"[{name}] {counts}")
