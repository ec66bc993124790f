import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.database import DatabaseBackupError
from ops.objects import ObjectError
from ops.restore import RestoreError, RestoreRefused, restore_backup


class Command(BaseCommand):
    help = "把备份恢复到空的安装中（非空安装拒绝），逐个校验对象哈希并重建检索索引。"

    def add_arguments(self, parser):
        parser.add_argument("src", help="备份文件夹（manage.py backup 的产物）")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, **options):
        try:
            report = restore_backup(Path(options["src"]))
        except RestoreRefused as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except (RestoreError, DatabaseBackupError, ObjectError) as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        elif report.verified:
            self.stdout.write(
                f"恢复完成：{report.items} 件，{report.objects} 个对象，哈希与操作日志均已校验。"
            )
        else:
            self.stdout.write(
                f"恢复完成但校验未通过：哈希不符 {report.mismatched}，"
                f"操作日志{'完整' if report.audit_intact else '断链'}。"
            )
        if not report.verified:
            raise SystemExit(1)
