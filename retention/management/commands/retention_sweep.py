"""manage.py retention_sweep [--as-of YYYY-MM-DD] [--json] [--record]

Lists the items due for appraisal on a day (read-only unless --record). The JSON is written
while the items stream from the database, so a million due items never sit in memory."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from retention.sweep import fill_appraisal_list, sweep


def parse_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期格式错误：{value!r}，应为 YYYY-MM-DD", returncode=2) from exc


class Command(BaseCommand):
    help = "找出某日到期待鉴定的档案（--json 输出 {due, held}）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--as-of", dest="as_of", help="检查日期 YYYY-MM-DD，默认今天")
        parser.add_argument("--json", action="store_true", help="输出 JSON")
        parser.add_argument("--record", action="store_true", help="同时把新到期的件列入待鉴定清单")

    def handle(self, *args, **options) -> None:
        as_of = parse_day(options["as_of"]) if options["as_of"] else timezone.localdate()
        as_json = options["json"]
        held: list[str] = []
        buffer: list[str] = []
        state = {"started": False}

        def flush() -> None:
            if buffer:
                prefix = "," if state["started"] else ""
                self.stdout.write(prefix + ",".join(buffer), ending="")
                state["started"] = True
                buffer.clear()

        def on_due(row, reason) -> None:
            if reason is not None:
                held.append(row.archive_number)
            if as_json:
                buffer.append(json.dumps(row.archive_number, ensure_ascii=False))
                if len(buffer) >= 5000:  # written in pieces while the rows stream
                    flush()

        if as_json:
            self.stdout.write('{"due":[', ending="")
        due, n_held = sweep(as_of, on_due)
        if as_json:
            flush()
            self.stdout.write('],"held":' + json.dumps(held, ensure_ascii=False) + "}")
        if options["record"]:
            fill_appraisal_list(as_of)
        if not as_json:
            self.stdout.write(f"{as_of.isoformat()} 到期 {due} 件，其中冻结 {n_held} 件")
            for number in held:
                self.stdout.write(f"  冻结：{number}")
