import json

from django.core.management.base import BaseCommand, CommandError

from archive.models import Item


def item_json(item: Item) -> dict:
    return {
        "archive_number": item.archive_number,
        "household": item.household.head_id_number if item.household_id else None,
        "category": item.category or None,
        "subtype": item.subtype.name if item.subtype_id else None,
        "title": item.title,
        "formation_date": item.formation_date.isoformat() if item.formation_date else None,
        "status": item.status,
        "pages": [{"number": p.number, "text": p.text} for p in item.pages.order_by("number")],
        "files": [
            {"role": f.role, "sha256": f.sha256, "media_type": f.media_type, "size": f.size}
            for f in item.files.order_by("pk")
        ],
        "fields": item.fields,
    }


class Command(BaseCommand):
    help = "显示一件（按档号）。"

    def add_arguments(self, parser):
        parser.add_argument("archive_number")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        value = options["archive_number"].strip()
        item = (
            Item.objects.select_related("household", "subtype").filter(archive_number=value).first()
        )
        if item is None:
            raise CommandError(f"没有档号为 {value} 的件", returncode=1)
        data = item_json(item)
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        self.stdout.write(f"档号：{data['archive_number']}  状态：{item.get_status_display()}")
        self.stdout.write(f"题名：{data['title']}")
        self.stdout.write(
            f"户：{data['household']}  {item.get_category_display()} / {data['subtype']}"
        )
        self.stdout.write(f"形成日期：{data['formation_date']}  页数：{item.page_count}")
        for page in data["pages"]:
            self.stdout.write(f"--- 第 {page['number']} 页 ---\n{page['text']}")
