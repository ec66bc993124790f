"""manage.py retention_hold 档号… --reason R [--until YYYY-MM-DD] [--lift] [--json]"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from archive.models import Item
from retention import holds
from retention.management.commands.retention_sweep import parse_day


class Command(BaseCommand):
    help = "对档案人工冻结（暂缓销毁）或解除冻结"

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive_numbers", nargs="+", metavar="档号")
        parser.add_argument("--reason", required=True, help="冻结或解除的原因")
        parser.add_argument("--until", help="冻结至 YYYY-MM-DD（默认直至解除）")
        parser.add_argument("--lift", action="store_true", help="解除这些件上的人工冻结")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options) -> None:
        numbers: list[str] = options["archive_numbers"]
        until = parse_day(options["until"]) if options["until"] else None
        if not options["reason"].strip():
            raise CommandError("请填写原因（--reason）", returncode=2)
        found = {i.archive_number: i for i in Item.objects.filter(archive_number__in=numbers)}
        missing = [n for n in numbers if n not in found]
        if missing:
            # Nothing changes when one number is wrong: the whole command is refused.
            raise CommandError("档号不存在：" + "、".join(missing), returncode=1)
        result = {"held": [], "lifted": []}
        try:
            if options["lift"]:
                for number in numbers:
                    active = holds.Hold.objects.filter(item=found[number], lifted_at__isnull=True)
                    if holds.lift(list(active), user=None, reason=options["reason"]):
                        result["lifted"].append(number)
            else:
                holds.place(
                    [found[n] for n in numbers], reason=options["reason"], user=None, until=until
                )
                result["held"] = numbers
        except holds.HoldError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            for number in result["held"]:
                self.stdout.write(f"已冻结：{number}")
            for number in result["lifted"]:
                self.stdout.write(f"已解除冻结：{number}")
