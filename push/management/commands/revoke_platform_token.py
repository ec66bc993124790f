"""revoke_platform_token NAME: revoke the platform's active token of that name."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from archive.tokens import revoke


class Command(BaseCommand):
    help = "吊销主平台的接口令牌；吊销后使用该令牌的请求得到 401。"

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, **options):
        tokens = revoke(options["name"])
        if not tokens:
            raise CommandError(f"没有名为 {options['name']} 的有效令牌", returncode=1)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {"name": options["name"], "revoked": [t.prefix for t in tokens]},
                    ensure_ascii=False,
                )
            )
            return
        for token in tokens:
            self.stdout.write(f"已吊销 {token}")
