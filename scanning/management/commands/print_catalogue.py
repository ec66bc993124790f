"""print_catalogue --household ID | --box ID -o OUT.pdf: the 归档文件目录 of a household or box.

Also ``--form spine|notes|stamps`` for the other printed forms. Logged as Action.PRINT.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive import audit
from archive.models import Box, Household, Item
from scanning import printing
from scanning.views.printing import CATALOGUED, household_title

FORMS = ("catalogue", "stamps", "spine", "notes")


class Command(BaseCommand):
    help = "打印归档文件目录（或归档章、盒脊、备考表）为 PDF。"

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--household", type=int, help="户的 ID")
        target.add_argument("--box", type=int, help="档案盒的 ID")
        parser.add_argument("--form", choices=FORMS, default="catalogue")
        parser.add_argument("-o", "--output", required=True, help="输出 PDF 文件")

    def handle(self, *args, household=None, box=None, form="catalogue", output="", **options):
        if household is not None:
            obj = Household.objects.filter(pk=household).first()
            if obj is None:
                raise CommandError(f"没有 ID 为 {household} 的户")
            items = (
                Item.objects.filter(household=obj, status__in=CATALOGUED)
                .select_related("agency")
                .order_by("class_key", "item_number", "pk")
            )
            builders = {
                "catalogue": lambda: printing.catalogue(items, household_title(obj)),
                "stamps": lambda: printing.archive_stamp_sheet(items),
            }
        else:
            obj = Box.objects.filter(pk=box).first()
            if obj is None:
                raise CommandError(f"没有 ID 为 {box} 的档案盒")
            items = obj.items.select_related("agency").order_by("item_number", "pk")
            builders = {
                "catalogue": lambda: printing.catalogue(items, f"归档文件目录（{obj}）"),
                "stamps": lambda: printing.archive_stamp_sheet(items),
                "spine": lambda: printing.box_spine(obj),
                "notes": lambda: printing.box_notes(obj),
            }
        if form not in builders:
            raise CommandError(f"户没有“{form}”表单；可选：{'、'.join(builders)}")
        data = builders[form]()
        Path(output).write_bytes(data)
        audit.record(
            audit.Action.PRINT,
            obj,
            detail={"form": form, "via": "print_catalogue", "bytes": len(data)},
        )
        self.stdout.write(f"{output}：{len(data)} 字节")
