"""Before OCR: every scanned page checked (DA/T 31-2017, ingest.quality), image pages
straightened, and the blank backs of a duplex scan left out. The original is never touched:
only the access copy (the PDF that goes to OCR) and so the item's pages lose the backs, and
the kept pages are numbered 1..n with each one's scanned page kept in the summary.

- Image files (JPEG, PNG, TIFF, JPEG 2000): each frame is turned upright
  (ingest.deskew.upright: a quarter turn or a half when the page says so) and straightened here
  (ingest.deskew.straighten), which also gives the residual skew and the ink ratio from the
  thumbnail it makes anyway; the page checks add almost nothing to the deskew.
- PDFs: each page whose scan covers the page is decoded and measured as it is. OCR then
  straightens and turns text-less PDFs itself (ocrmypdf --deskew --rotate-pages); a page
  measured more than 3° off is measured again in the OCR'd PDF, so what is flagged is what is
  left after deskew.

The summary (``ingest.quality.summary``) is kept on the document (``page_quality``) for the
filing step, which may run in another process; the operation log says which pages were
checked and which were dropped.
"""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass

import img2pdf
import pikepdf
from PIL import Image

from archive import audit
from ingest import quality
from ingest.deskew import encode_frame, frame_dpi, straighten, upright
from ingest.pdfscans import pdf_page_images
from ingest.quality import Measure, PageQuality, Profile

PDF = "application/pdf"


@dataclass(frozen=True)
class Prepared:
    pdf: bytes  # what OCR gets: straightened image pages, blank duplex backs left out
    straightened: bool  # pages were straightened here: OCR must not straighten them again
    measures: tuple[Measure | None, ...]  # per scanned page, in order (None: not a scan)
    profile: Profile = quality.NO_PROFILE

    @property
    def results(self) -> list[PageQuality]:
        return [
            PageQuality(number=number)
            if m is None
            else quality.assess(
                m, duplex_back=quality.is_duplex_back(number, self.profile), profile=self.profile
            )
            for number, m in enumerate(self.measures, start=1)
        ]

    def summary(self) -> dict | None:
        """None when no page is a scan (a born-digital PDF): there is nothing to check."""
        if not any(self.measures):
            return None
        station = self.profile if self.profile != quality.NO_PROFILE else None
        return quality.summary(self.results, station)


def profile_of(document) -> Profile:
    """The profile of the station that scanned the document's batch (none: no profile)."""
    from ingest.models import Batch

    batch = Batch.objects.select_related("station").get(pk=document.batch_id)
    return Profile.of_station(batch.station)


def refusal(data: bytes, media_type: str) -> str | None:
    """Checked at submit, before the original is stored: pages below 200 dpi."""
    return quality.resolution_refusal(data, media_type)


def prepare(data: bytes, media_type: str, profile: Profile = quality.NO_PROFILE) -> Prepared:
    if media_type == PDF:
        return _prepare_pdf(data, profile)
    measures, frames = [], []
    with Image.open(io.BytesIO(data)) as img:
        for index in range(getattr(img, "n_frames", 1)):
            img.seek(index)
            frame = img.copy()
            if img.info.get("dpi"):
                frame.info["dpi"] = img.info["dpi"]
            dpi, estimated = quality.page_dpi(frame)
            # Turned upright here (a sideways or upside-down feed), so OCR needs no
            # orientation pass of its own (ocrmypdf's --rotate-pages).
            frame, _turn = upright(frame)
            straight = straighten(frame)
            measured = Measure(
                number=index + 1,
                dpi=dpi,
                dpi_estimated=estimated,
                colour=quality.colour_of(frame),
                ink_ratio=round(straight.ink_ratio, 5),
                skew=round(straight.residual, 2),
                corrected=straight.angle,
            )
            measures.append(measured)
            if not _dropped(measured, profile):
                frames.append(encode_frame(straight.image, frame_dpi(frame)))
    pdf = img2pdf.convert(*frames, rotation=img2pdf.Rotation.ifvalid)
    return Prepared(pdf, True, tuple(measures), profile)


def _dropped(measured: Measure, profile: Profile) -> bool:
    duplex_back = quality.is_duplex_back(measured.number, profile)
    return quality.assess(measured, duplex_back=duplex_back, profile=profile).dropped


def _prepare_pdf(data: bytes, profile: Profile) -> Prepared:
    images = pdf_page_images(data)
    measures = tuple(
        None if image is None else quality.measure(image, number)
        for number, image in enumerate(images, start=1)
    )
    dropped = [m.number for m in measures if m is not None and _dropped(m, profile)]
    return Prepared(_without_pages(data, dropped) if dropped else data, False, measures, profile)


def _without_pages(pdf: bytes, numbers: list[int]) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for number in sorted(numbers, reverse=True):
            del document.pages[number - 1]
        buf = io.BytesIO()
        document.save(buf, deterministic_id=True)
    return buf.getvalue()


def after_ocr(prepared: Prepared, ocr_pdf: bytes, *, ocr_straightened: bool) -> Prepared:
    """Measure again, in the OCR'd PDF, the pages OCR straightened that were over 3° off."""
    if prepared.straightened or not ocr_straightened:
        return prepared
    kept = [r.number for r in prepared.results if not r.dropped]  # scanned number per page
    again = {
        page: prepared.measures[number - 1]
        for page, number in enumerate(kept, start=1)
        if prepared.measures[number - 1] is not None
        and abs(prepared.measures[number - 1].skew) > quality.MAX_SKEW
    }
    if not again:
        return prepared
    measures = list(prepared.measures)
    for page, image in enumerate(pdf_page_images(ocr_pdf, pages=again), start=1):
        if image is not None and page in again:
            before = again[page]
            residual = quality.measure(image, before.number).skew
            measures[before.number - 1] = dataclasses.replace(
                before, skew=residual, corrected=round(before.skew - residual, 2)
            )
    return dataclasses.replace(prepared, measures=tuple(measures))


def record(document, summary: dict | None) -> None:
    """Keep the summary on the document for the filing step (the caller saves it), and say in
    the operation log what was found."""
    document.page_quality = summary or {}
    if summary is None:
        return
    audit.record(
        audit.Action.CHANGE,
        document,
        detail={
            "page_quality": {
                "pages": len(summary["pages"]),
                "kept": summary["kept"],
                "dropped": summary["dropped"],
                "warnings": len(summary["warnings"]),
            }
        },
    )


def stored(document) -> dict | None:
    """The summary recorded for ``document`` by its OCR step (None: nothing was scanned)."""
    return document.page_quality or None


def item_fields(document) -> dict:
    """``{"page_quality": summary}`` for an item made of all of ``document``'s pages."""
    summary = stored(document)
    return {"page_quality": summary} if summary else {}
