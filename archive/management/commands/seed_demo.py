from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from archive.demo import login_lines, seed_demo


class Command(BaseCommand):
    help = "建立演示用户和演示户（可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--print-logins", action="store_true", help="只打印演示账号")

    def handle(self, *args, **options):
        if not settings.HEDANG_DEMO:
            if options["print_logins"]:
                self.stdout.write("（非演示配置：没有演示账号）")
                return
            raise CommandError(
                "演示数据只用于演示配置：生产配置（HEDANG_PRODUCTION=1）或 HEDANG_DEMO=0 时不建立"
            )
        if options["print_logins"]:
            for line in login_lines():
                self.stdout.write(line)
            return
        try:
            seed_demo()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("演示数据已就绪（manage.py seed_demo --print-logins 显示演示账号）")
