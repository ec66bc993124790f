import time

from django.core.management.base import BaseCommand
from watchfiles import watch

from ingest.hotfolder import Watcher, ensure_station_folders, inbox_dir


class Command(BaseCommand):
    help = "监视各扫描站点的热文件夹（$HEDANG_DATA_DIR/inbox/<站点>/），文件写完后自动采集。"

    def add_arguments(self, parser):
        parser.add_argument("--settle", type=float, default=2.0, help="文件静止多少秒后采集")
        parser.add_argument("--once", action="store_true", help="只扫描一次已有文件后退出")

    def handle(self, *args, **options):
        inbox_dir().mkdir(parents=True, exist_ok=True)
        folders = ensure_station_folders()
        self.stdout.write(f"监视 {inbox_dir()}（{len(folders)} 个站点）")
        watcher = Watcher(settle=options["settle"])
        if options["once"]:
            watcher.settled()
            time.sleep(options["settle"])
            self._take(watcher)
            return
        # watchfiles wakes us on changes; the timeout tick re-checks files still settling.
        tick = max(500, int(options["settle"] * 500))
        for _changes in watch(inbox_dir(), rust_timeout=tick, yield_on_timeout=True):
            self._take(watcher)

    def _take(self, watcher: Watcher) -> None:
        ready = watcher.settled()
        if not ready:
            return
        for document in watcher.take(ready):
            self.stdout.write(f"{document.original_name}: {document.get_status_display()}")
