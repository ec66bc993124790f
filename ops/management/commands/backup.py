import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, create_backup
from ops.database import DatabaseBackupError


class Command(BaseCommand):
    help = "把数据库的一致快照和全部存储对象（附 sha256 清单）备份到文件夹 DEST。"

    def add_arguments(self, parser):
        parser.add_argument("dest", help="备份文件夹（不存在或为空）")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, **options):
        try:
            report = create_backup(Path(options["dest"]))
        except (BackupError, DatabaseBackupError) as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            self.stdout.write(
                f"备份完成：{report.path}，{report.items} 件，{report.objects} 个对象，"
                f"共 {report.bytes} 字节。"
            )
            if report.damaged:
                self.stdout.write(f"存储中哈希不符的对象（已照原样备份）：{report.damaged}")
        if report.damaged:
            raise SystemExit(1)
