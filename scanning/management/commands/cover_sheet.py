import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.models import Household, Subtype
from scanning.coversheet import cover_sheets_pdf, missing_subtypes
from scanning.payload import encode


class Command(BaseCommand):
    help = "生成扫描分隔页（A4 PDF，带二维码）：一件一页，或 --missing 为该户缺少的每个子类各一页。"

    def add_arguments(self, parser):
        parser.add_argument("--household", required=True, help="户主身份证号")
        parser.add_argument("--subtype", help="子类名称或代码，如 入户核查表 / RHB")
        parser.add_argument("--missing", action="store_true", help="该户尚无件的每个标准子类一页")
        parser.add_argument("-o", "--output", required=True, type=Path, help="输出 PDF 文件")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        key = options["household"].strip().upper()
        household = Household.objects.select_related("agency").filter(head_id_number=key).first()
        if household is None:
            raise CommandError(f"没有户主身份证号为 {options['household']} 的户", returncode=2)
        if bool(options["subtype"]) == bool(options["missing"]):
            raise CommandError("请给出 --subtype 或 --missing（二者选一）", returncode=2)
        if options["missing"]:
            subtypes = missing_subtypes(household)
            if not subtypes:
                raise CommandError("该户的标准子类都已有件，无需分隔页", returncode=1)
        else:
            subtypes = [self._subtype(options["subtype"])]
        data = cover_sheets_pdf((household, s) for s in subtypes)
        options["output"].write_bytes(data)
        if options["json"]:
            out = {
                "file": str(options["output"]),
                "household": household.head_id_number,
                "sheets": [
                    {"subtype": s.name, "code": s.code, "payload": encode(key, s.code)}
                    for s in subtypes
                ],
            }
            self.stdout.write(json.dumps(out, ensure_ascii=False))
        else:
            self.stdout.write(f"{options['output']}：{len(subtypes)} 张分隔页")

    def _subtype(self, value: str) -> Subtype:
        value = value.strip()
        subtype = (
            Subtype.objects.filter(name=value).first()
            or Subtype.objects.filter(code=value.upper()).first()
        )
        if subtype is None:
            raise CommandError(f"没有子类「{value}」", returncode=2)
        return subtype
