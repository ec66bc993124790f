"""``manage.py search_check``: items missing from, or stale in, the search index (exit 1)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "检查检索索引：缺失、过期或多余的条目（有则退出码为 1）。"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        from search.service import check

        report = check()
        if opts["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            self.stdout.write(
                f"应索引 {report.expected} 件，索引中 {report.indexed} 件；"
                f"缺失 {len(report.missing)}，过期 {len(report.stale)}，多余 {len(report.extra)}"
            )
            for label, values in (
                ("缺失", report.missing),
                ("过期", report.stale),
                ("多余", report.extra),
            ):
                for v in values[:50]:
                    self.stdout.write(f"  {label} {v}")
        if not report.ok:
            raise CommandError("检索索引与数据库不一致", returncode=1)
