"""manage.py export_images 档号 -o DIR | --zip FILE: an item's page images as masters, named
``<档号>-001.jpg``… in page order (scanning.export)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive import audit
from archive.identifiers import IdentifierError, archive_number_pattern, normalize_width
from archive.models import Item
from scanning import export


class Command(BaseCommand):
    help = "按档号导出一件的页图像（保持扫描原格式，按 档号-序号 命名）：写入目录或 ZIP。"

    def add_arguments(self, parser):
        parser.add_argument("archive_number", help="档号，如 Z420102-HD·2024-D10-GC-0001")
        parser.add_argument("-o", "--output", type=Path, help="输出目录（不存在则创建）")
        parser.add_argument("--zip", type=Path, help="输出 ZIP 文件")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        if not options["output"] and not options["zip"]:
            raise CommandError("请给出 -o 目录 或 --zip 文件", returncode=2)
        item = find_item(options["archive_number"])
        try:
            result = export.item_page_images(item)
        except export.ExportError as exc:
            raise CommandError(str(exc), returncode=1) from None
        except (FileNotFoundError, OSError) as exc:
            raise CommandError(f"存储中找不到该件的文件：{exc}", returncode=1) from None
        written: list[str] = []
        if options["output"]:
            written += [str(p) for p in export.write_folder(result, options["output"])]
        if options["zip"]:
            options["zip"].parent.mkdir(parents=True, exist_ok=True)
            export.write_zip(result, options["zip"])
            written.append(str(options["zip"]))
        audit.record(
            audit.Action.EXPORT,
            item,
            detail={"what": "page_images", "via": "export_images", "written": written}
            | result.summary(),
        )
        if options["json"]:
            self.stdout.write(
                json.dumps({**result.summary(), "written": written}, ensure_ascii=False)
            )
            return
        for image in result.images:
            self.stdout.write(f"{image.name}  第 {image.page} 页  {export.SOURCES[image.source]}")
        if options["output"]:
            self.stdout.write(f"已写入目录 {options['output']}：{len(result.images)} 个文件")
        if options["zip"]:
            self.stdout.write(f"已写入 {options['zip']}：{len(result.images)} 个文件")
        if result.rendered:
            pages = "、".join(str(p) for p in result.rendered)
            self.stdout.write(
                f"注意：第 {pages} 页没有扫描图像，已渲染为 PNG（{export.RENDER_DPI} dpi）"
            )


def find_item(value: str) -> Item:
    """The filed item of that 档号, however its middle dot or dashes were typed."""
    text = normalize_width(value).strip()
    try:
        text = archive_number_pattern().parse(text).value
    except IdentifierError:
        pass  # looked up as typed; an unknown number is reported below
    item = Item.objects.filter(archive_number=text).first() if text else None
    if item is None:
        raise CommandError(f"没有档号为 {value.strip()} 的件", returncode=1)
    return item
