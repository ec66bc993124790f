"""An uncertain stack, ingested through the real pipeline: a page before the first sheet.

    1 其他证明 (张伟)   2 sheet 张伟/SQS   3 授权书 (张伟)   4 授权书（续） (张伟)
    5 sheet 王芳/RHB    6 入户核查表 (王芳)

The pages are born-digital (text PDFs, no OCR needed) so the service and view tests stay quick;
test_split_scanned.py runs a rasterised stack through OCR.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from archive.models import Household, Item
from archive.pdf import text_pdf
from ingest import pipeline
from ingest.models import Batch, Document
from tests.ingest.ui.conftest import login, make_review_item  # noqa: F401  (fixtures)
from tests.scanning.test_stack import _concat, _page, _sheet_pdf

REGION = "420102"


@dataclass
class Stack:
    item: Item
    document: Document
    zhang: Household
    wang: Household


def ingest(hubei, data: bytes, region: str = REGION, name: str = "stack.pdf") -> Document:
    batch = Batch.objects.create(source=Batch.Source.UPLOAD, agency=hubei[region])
    (document,) = pipeline.submit(batch, name, data)
    return pipeline.process(document.pk)


@pytest.fixture
def uncertain_stack(make_household, hubei, tmp_path):
    """make() → a Stack whose review item carries the proposed split."""

    def make(*, undated_first: bool = False) -> Stack:
        """``undated_first``: page 1 prints no date (and 张伟 has no case to take one from)."""
        zhang = make_household(REGION, "张伟")
        wang = make_household(REGION, "王芳", birth="19800101")
        first = (
            text_pdf("其他证明", [f"户主姓名：{zhang.head_name}"])
            if undated_first
            else _page("其他证明", zhang)
        )
        data = _concat(
            [
                first,
                _sheet_pdf(tmp_path, zhang, "SQS"),
                _page("信息核对授权书", zhang),
                _page("信息核对授权书（续）", zhang),
                _sheet_pdf(tmp_path, wang, "RHB"),
                _page("入户核查表", wang),
            ]
        )
        document = ingest(hubei, data)
        assert document.status == Document.Status.REVIEW, document.error
        return Stack(document.item, document, zhang, wang)

    return make
