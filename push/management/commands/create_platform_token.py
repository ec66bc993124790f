"""create_platform_token NAME --agency REGION_CODE: an API token for the main platform.

The token is printed once and stored only as its SHA-256. It is scoped to the agency and its
jurisdiction (the agencies below it). ``--json`` prints ``{"name", "agency", "token"}``.
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from archive.models import Agency
from archive.tokens import create_token


class Command(BaseCommand):
    help = "为主平台创建接口令牌（只显示一次；库中只存哈希）。"

    def add_arguments(self, parser):
        parser.add_argument("name", help="令牌名称，如 main-platform")
        parser.add_argument("--agency", required=True, help="所属核对机构的 6 位行政区划代码")
        parser.add_argument("--expires-days", type=int, help="有效天数；省略时长期有效")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, **options):
        code = options["agency"].strip()
        agency = Agency.objects.filter(region_code=code).first()
        if agency is None:
            raise CommandError(f"没有行政区划代码为 {code} 的核对机构", returncode=2)
        expires = None
        if options.get("expires_days") is not None:
            if options["expires_days"] <= 0:
                raise CommandError("--expires-days 应为正整数", returncode=2)
            expires = timezone.now() + timedelta(days=options["expires_days"])
        try:
            issued = create_token(options["name"], agency, expires_at=expires)
        except ValueError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        if options["json"]:
            payload = {
                "name": issued.token.name,
                "agency": agency.region_code,
                "token": issued.secret,
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        self.stdout.write(f"令牌 {issued.token.name}（{agency.name}，{agency.region_code}）：")
        self.stdout.write(issued.secret)
        self.stdout.write("请立即妥善保存：令牌只显示这一次。请求头：Authorization: Token <令牌>")
