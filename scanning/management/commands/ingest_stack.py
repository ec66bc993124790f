"""``ingest_stack FOLDER`` — the images of a folder (or the files given), in name order, are ONE
scanned stack: sheet, item pages, sheet, item pages … as a sheet-feeding scanner leaves them
when it writes one JPEG per page. They are joined into one PDF (img2pdf embeds JPEG data
unchanged, so nothing is re-compressed) and ingested as one document, which the separator
sheets split into items (scanning.stack)."""

import json
import sys
from pathlib import Path

from django.core.management.base import CommandError

from ingest import pipeline
from ingest.cli import ERROR_STATUSES, IngestCommand, item_json
from ingest.intake import Incoming, intake
from ingest.models import Document
from ingest.sniff import Rejected
from ingest.stacks import join_page_images


class Command(IngestCommand):
    help = "把一个文件夹里的扫描图像（按文件名顺序）作为一叠材料采集：按分隔页拆成各件并归档。"

    def handle(self, *args, **options):
        files = self.input_files(options["paths"])
        images = [p.read_bytes() for p in files]
        if not images:
            raise CommandError("没有图像文件", returncode=2)
        try:
            pdf = join_page_images(images, [str(p) for p in files])
        except Rejected as exc:
            raise CommandError(str(exc), returncode=2) from exc
        first = options["paths"][0]
        name = f"{first.name if first.is_dir() else first.stem}.pdf"
        taken = intake(
            [Incoming(name, pdf)], detail={"files": len(files)}, **self.batch_options(options)
        )
        batch, documents = taken.batch, taken.documents
        if options["sync"]:
            for document in documents:
                if document.status == Document.Status.QUEUED:
                    pipeline.process(document.pk)
        else:
            self.wait_for(batch, options)
        documents = [Document.objects.get(pk=d.pk) for d in documents]
        for document in documents:
            self._report_stack(first, files, document, options)
        if any(d.status in ERROR_STATUSES for d in documents):
            sys.exit(1)

    def _report_stack(self, path: Path, files: list[Path], document: Document, options) -> None:
        items = document.items() or ([document.duplicate_of] if document.duplicate_of else [])
        line = {
            "file": str(path),
            "files": len(files),
            "document": document.pk,
            "status": document.status,
            "items": [item_json(item) for item in items],
            "error": document.error or None,
        }
        if options["json"]:
            self.stdout.write(json.dumps(line, ensure_ascii=False))
        else:
            label = Document.Status(document.status).label
            numbers = "、".join(i["archive_number"] or "（待确认）" for i in line["items"])
            self.stdout.write(f"{path}（{len(files)} 页）: {label} {numbers} {line['error'] or ''}")
