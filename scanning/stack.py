"""The ingest splitter (settings.HEDANG_INGEST_SPLITTERS): separator sheets in a scanned stack.

Called by ingest.pipeline.file_step after OCR (so the page texts exist) with the stack as a
PDF. It only reads: it returns the plan of the stack (scanning.separators.Plan: the parts with
the household and subtype each sheet names, and the problems that make it uncertain) or None
for an ordinary scan. Ingest builds the items from the plan (ingest.parts).
"""

from __future__ import annotations

import logging

import pypdfium2 as pdfium

from ingest.models import Document
from scanning.separators import Plan, plan, read_page_codes

log = logging.getLogger(__name__)


class SeparatorSheets:
    """The splitter named in settings.HEDANG_INGEST_SPLITTERS.

    ``detect`` renders every page to look for our QR codes (the slow part), so the pipeline
    runs it before its write transaction.
    """

    @staticmethod
    def detect(document: Document, pdf: bytes) -> Plan | None:
        try:
            codes = read_page_codes(pdf, document.page_texts)
        except pdfium.PdfiumError:  # the pipeline files what it cannot look into as one item
            log.warning("document %s: pages could not be rendered to look for sheets", document.pk)
            return None
        return plan(codes)
