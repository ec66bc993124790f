"""print_tasks [--generate] [--json]: the pending print tasks of born-digital items.

``--generate`` makes the missing print copies (the PDF with the 归档章 on page 1), e.g. when
making one failed right after a push. ``--json`` prints one object per line:
``{"archive_number", "status", "print_file": sha256|null}``.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from archive.models import PrintTask
from push.printing import make_print_copy


class Command(BaseCommand):
    help = "列出待打印的电子件；--generate 生成缺少的打印件（带归档章）。"

    def add_arguments(self, parser):
        parser.add_argument("--generate", action="store_true", help="生成缺少的打印件")
        parser.add_argument("--json", action="store_true", help="每行输出一个 JSON 对象")

    def handle(self, *args, **options):
        failed = 0
        tasks = PrintTask.objects.filter(status=PrintTask.Status.PENDING).select_related(
            "item__agency", "file"
        )
        for task in tasks.order_by("created_at", "pk"):
            error = None
            if options["generate"] and task.file_id is None:
                try:
                    task.file = make_print_copy(task)
                except Exception as exc:  # reported, the next task still runs
                    error, failed = str(exc), failed + 1
            row = {
                "archive_number": task.item.archive_number,
                "status": task.status,
                "print_file": task.file.sha256 if task.file_id else None,
                "error": error,
            }
            if options["json"]:
                self.stdout.write(json.dumps(row, ensure_ascii=False))
            else:
                state = row["print_file"][:12] if row["print_file"] else "（未生成）"
                self.stdout.write(f"{row['archive_number']}  {state}  {error or ''}".rstrip())
        if failed:
            raise SystemExit(1)
