from django.core.management.base import BaseCommand

from archive.audit_anchor import anchor_now


class Command(BaseCommand):
    help = "以归档签章证书签署操作日志的链头，写入数据库之外的一次写入存储（定时任务也会执行）。"

    def handle(self, *args, **options):
        anchor = anchor_now()
        if anchor is None:
            self.stdout.write("操作日志为空，无需锚定。")
            return
        self.stdout.write(
            f"已锚定：条目 id={anchor.entry_id}，共 {anchor.entries} 条，记录 {anchor.name}"
        )
