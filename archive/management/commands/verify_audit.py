import json

from django.core.management.base import BaseCommand

from archive.audit import verify_chain


class Command(BaseCommand):
    help = "重新校验操作日志的哈希链；发现断链时退出码为 1 并指出第一条断开的记录。"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, **options):
        report = verify_chain()
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "entries": report.entries,
                        "intact": report.intact,
                        "first_broken": report.first_broken,
                    },
                    ensure_ascii=False,
                )
            )
        elif report.intact:
            self.stdout.write(f"操作日志完整：共 {report.entries} 条，哈希链无断裂。")
        else:
            self.stdout.write(
                f"操作日志被破坏：第一条断开的记录 id={report.first_broken}（{report.reason}）"
            )
        if not report.intact:
            raise SystemExit(1)
