"""Find separator sheets in a scanned stack and plan the items it holds.

A page whose QR code is one of ours (scanning.payload) is a separator: the pages after it, up
to the next separator, are one item of that household and subtype. The separator pages
themselves belong to no item. Anything uncertain (pages before the first sheet, a sheet whose
code cannot be read or does not check out, an unknown household or subtype, a sheet with no
pages after it) makes the whole stack a proposal for the archivist (scanning.stack).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pypdfium2 as pdfium
import zxingcpp

from ingest.ocr import render_pages
from scanning.payload import InvalidPayload, Separator, decode, is_ours

RENDER_DPI = 150
RETRY_DPI = 220
# The sheet's printed title; a page with it but no readable code is a lost separator.
SHEET_MARKS = ("分隔页", "扫描分隔用")


@dataclass(frozen=True)
class PageCode:
    """What one page carries: our separator, a code of ours that is broken, or nothing."""

    separator: Separator | None = None
    error: str = ""

    @property
    def is_separator(self) -> bool:
        return self.separator is not None or bool(self.error)


@dataclass
class Part:
    first_page: int  # 1-based pages of the stack, the separator excluded
    last_page: int
    separator_page: int | None
    household: str | None  # the head's resident ID from the sheet
    subtype: str | None  # the subtype code from the sheet

    @property
    def pages(self) -> int:
        return self.last_page - self.first_page + 1 if self.last_page >= self.first_page else 0


@dataclass
class Plan:
    parts: list[Part] = field(default_factory=list)
    separators: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def certain(self) -> bool:
        return not self.problems

    def as_json(self) -> dict:
        return {
            "parts": [asdict(p) for p in self.parts],
            "separators": self.separators,
            "problems": self.problems,
        }


def read_code(image) -> PageCode:
    """Our separator code on one page image, if any."""
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    error = ""
    for barcode in found:
        if not is_ours(barcode.text):
            continue
        try:
            return PageCode(separator=decode(barcode.text))
        except InvalidPayload as exc:
            error = str(exc)
    return PageCode(error=error)


def read_page_codes(pdf: bytes, texts: list[str] | tuple[str, ...] = ()) -> list[PageCode]:
    """Each page's code. A page whose text says it is a sheet but shows no readable code is
    rendered again at a higher resolution before it is called unreadable.

    The pages are rendered by ``ingest.ocr.render_pages``, which makes the filing step's page
    thumbnails from the same renders (one render of each page, not two)."""
    codes = []
    for index, image in enumerate(render_pages(pdf, RENDER_DPI)):
        code = read_code(image.convert("L"))
        text = texts[index] if index < len(texts) else ""
        if code.separator is None and _looks_like_sheet(text):
            code = read_code(_render(pdf, index, RETRY_DPI))
            if code.separator is None and not code.error:
                code = PageCode(error=f"第 {index + 1} 页像分隔页，但二维码无法识别")
        codes.append(code)
    return codes


def _render(pdf: bytes, index: int, dpi: int):
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[index]
        try:
            return page.render(scale=dpi / 72, grayscale=True).to_pil()
        finally:
            page.close()
    finally:
        document.close()


def _looks_like_sheet(text: str) -> bool:
    compact = "".join(text.split())
    return any(mark in compact for mark in SHEET_MARKS)


def plan(codes: list[PageCode]) -> Plan | None:
    """The parts of the stack; None when it has no separator at all (an ordinary scan)."""
    if not any(c.is_separator for c in codes):
        return None
    result = Plan()
    current: Part | None = None
    for number, code in enumerate(codes, start=1):
        if code.is_separator:
            result.separators.append(number)
            if code.error:
                result.problems.append(f"第 {number} 页分隔页：{code.error}")
            sep = code.separator
            current = Part(
                number + 1,
                number,
                number,
                sep.household if sep else None,
                sep.subtype if sep else None,
            )
            result.parts.append(current)
        elif current is None:
            current = Part(number, number, None, None, None)
            result.parts.append(current)
            result.problems.append("第一张分隔页之前有材料页")
        else:
            current.last_page = number
    for part in result.parts:
        if not part.pages:
            result.problems.append(f"第 {part.separator_page} 页分隔页之后没有材料页")
    return result
