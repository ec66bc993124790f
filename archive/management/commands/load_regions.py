from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.regions import default_regions_csv, load_regions


class Command(BaseCommand):
    help = "从区划代码表（GB/T 2260）建立或更新核对机构树。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--csv", type=Path, default=None, help="区划 CSV，默认 data/hubei_regions.csv"
        )

    def handle(self, *args, **options):
        path = options["csv"] or default_regions_csv()
        if not path.exists():
            raise CommandError(f"找不到区划文件：{path}")
        try:
            created, updated = load_regions(path)
        except (ValueError, KeyError) as exc:
            raise CommandError(f"区划文件无效：{exc}") from exc
        self.stdout.write(f"核对机构：新增 {created}，更新 {updated}")
