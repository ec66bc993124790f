from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from archive.audit_keys import new_key_file


class Command(BaseCommand):
    help = "生成新的操作日志密钥（此后的条目用新密钥；旧条目仍以其密钥编号校验）。"

    def handle(self, *args, **options):
        if settings.HEDANG_AUDIT_KEY:
            raise CommandError(
                "密钥由环境变量 HEDANG_AUDIT_KEY 提供：请在环境中更换为“新编号:新密钥”，"
                "并把旧密钥存入 HEDANG_AUDIT_KEY_DIR/<旧编号> 以便校验旧条目"
            )
        key_id = new_key_file()
        self.stdout.write(f"新的操作日志密钥：{key_id}（{settings.HEDANG_AUDIT_KEY_DIR}）")
