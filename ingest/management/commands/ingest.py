import json
import sys
from pathlib import Path

from ingest import pipeline
from ingest.cli import ERROR_STATUSES, IngestCommand, item_json
from ingest.intake import Incoming, intake
from ingest.models import Document


class Command(IngestCommand):
    help = "采集文件（PDF、JPEG、PNG、TIFF；文件夹递归）：OCR、识别、关联到户并归档。"

    def handle(self, *args, **options):
        files = self.input_files(options["paths"])
        batch_options = self.batch_options(options)
        taken = intake(
            (Incoming(path.name, path.read_bytes()) for path in files),
            detail={"files": len(files)},
            **batch_options,
        )
        batch, runs = taken.batch, list(zip(files, taken.taken, strict=True))
        if options["sync"]:
            for index, (_path, documents) in enumerate(runs, start=1):
                for document in documents:
                    if document.status == Document.Status.QUEUED:
                        pipeline.process(document.pk)
                self.show_progress(index, len(runs), options)
        else:
            self.wait_for(batch, options)
        failed = False
        for path, documents in runs:
            documents = [Document.objects.get(pk=d.pk) for d in documents]
            failed |= any(d.status in ERROR_STATUSES for d in documents)
            self._report(path, documents, options)
        if failed:
            sys.exit(1)

    def _report(self, path: Path, documents: list[Document], options) -> None:
        statuses = [d.status for d in documents]
        status = next((s for s in ERROR_STATUSES if s in statuses), statuses[0])
        items = [
            item_json(item)
            for d in documents
            for item in (d.items() or ([d.duplicate_of] if d.duplicate_of else []))
        ]
        errors = [
            f"{d.original_name}：{d.error}" if len(documents) > 1 else d.error
            for d in documents
            if d.error
        ]
        line = {
            "file": str(path),
            "status": status,
            "items": items,
            "error": "；".join(errors) or None,
        }
        if options["json"]:
            self.stdout.write(json.dumps(line, ensure_ascii=False))
        else:
            label = Document.Status(status).label
            numbers = "、".join(i["archive_number"] or "（待确认）" for i in items)
            self.stdout.write(f"{path}: {label} {numbers} {line['error'] or ''}".rstrip())
