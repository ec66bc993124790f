"""What the ``ingest`` and ``ingest_stack`` commands share: their options, the batch they open
from them (station defaults under the options), the progress bar and the JSON of an item."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.categories import Category
from archive.models import Agency, Household, Subtype
from ingest.intake import station_defaults
from ingest.models import Batch, Document, Station
from ingest.progress import batch_progress

ERROR_STATUSES = (Document.Status.REJECTED, Document.Status.ATTENTION)


# How often the command looks at its batch while the workers process it: one aggregate query
# (about a millisecond), so a finished batch is reported within a fifth of a second.
POLL_SECONDS = 0.2


class IngestCommand(BaseCommand):
    """The base of the commands that take files from the command line into a batch."""

    # Django's system checks load every URL and view of the admin (0.4 CPU s, a quarter of
    # the command's start-up); they run with `manage.py check`, migrate and the web server,
    # not again for every batch an archivist submits.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--station", help="扫描站点名（带其默认值）")
        parser.add_argument("--household", help="户主身份证号：全部文件归入此户")
        parser.add_argument("--category", choices=Category.values)
        parser.add_argument("--subtype", help="子类名称或代码，如 入户核查表 / RHB")
        parser.add_argument("--agency", help="核对机构区划代码（默认：站点或户的机构，否则省级）")
        parser.add_argument("--sync", action="store_true", help="在本进程内处理完毕再返回")
        parser.add_argument("--json", action="store_true", help="每个输入文件输出一行 JSON")

    def input_files(self, paths: list[Path]) -> list[Path]:
        files = []
        for path in paths:
            if path.is_dir():
                files += sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and not any(part.startswith(".") for part in p.parts)
                )
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"找不到文件或文件夹：{path}", returncode=2)
        return files

    def batch_options(self, options) -> dict:
        """What the options say about the batch, checked, with the station's defaults where
        they say nothing (ingest.intake.station_defaults): the keyword arguments of intake."""
        station = None
        if options["station"]:
            station = Station.objects.filter(name=options["station"]).first()
            if station is None:
                raise CommandError(f"没有名为 {options['station']} 的扫描站点", returncode=2)
        household = None
        if options["household"]:
            household = Household.objects.filter(
                head_id_number=options["household"].strip().upper()
            ).first()
            if household is None:
                raise CommandError(f"没有户主身份证号为 {options['household']} 的户", returncode=2)
        defaults = station_defaults(
            station, household, options["category"] or "", self.subtype_named(options["subtype"])
        )
        subtype, category = defaults.subtype, defaults.category
        if subtype and category and subtype.category != category:
            raise CommandError(f"子类「{subtype}」不属于类别 {category}", returncode=2)
        return {
            "source": Batch.Source.COMMAND,
            "agency": self.agency_for(options["agency"], station, defaults.household),
            "station": station,
            "household": defaults.household,
            "category": category,
            "subtype": subtype,
            "queue": not options["sync"],
        }

    def subtype_named(self, value: str | None) -> Subtype | None:
        if not value:
            return None
        subtype = (
            Subtype.objects.filter(name=value).first()
            or Subtype.objects.filter(code=value.upper()).first()
        )
        if subtype is None:
            raise CommandError(f"没有子类「{value}」", returncode=2)
        return subtype

    def agency_for(self, code, station, household) -> Agency:
        if code:
            agency = Agency.objects.filter(region_code=code).first()
            if agency is None:
                raise CommandError(f"没有区划代码为 {code} 的核对机构", returncode=2)
            return agency
        if station:
            return station.agency
        if household:
            return household.agency
        root = Agency.objects.filter(parent__isnull=True).first()
        if root is None:
            raise CommandError("尚未载入核对机构：请先运行 manage.py load_regions", returncode=2)
        return root

    def wait_for(self, batch: Batch, options) -> None:
        while True:
            progress = batch_progress(batch)
            self.show_progress(progress.done, progress.total, options, failed=progress.failed)
            if progress.finished:
                return
            time.sleep(POLL_SECONDS)

    def show_progress(self, done: int, total: int, options, failed: int = 0) -> None:
        if options["json"]:
            return
        width = 30
        filled = width * done // max(total, 1)
        bar = "█" * filled + "░" * (width - filled)
        tail = f"，失败 {failed}" if failed else ""
        self.stderr.write(f"\r[{bar}] {done}/{total}{tail}", ending="")
        if done >= total:
            self.stderr.write("")


def item_json(item) -> dict:
    return {
        "archive_number": item.archive_number,
        "household": item.household.head_id_number if item.household_id else None,
        "category": item.category or None,
        "subtype": item.subtype.name if item.subtype_id else None,
        "pages": item.page_count,
    }
