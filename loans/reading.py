"""Electronic reading (电子阅览): who may read an item now, the pages as images, the OCR text,
and watermarked copies for download and print.

Reading is allowed by role (``loans.read_electronic`` and the item in the user's jurisdiction)
or by an approved electronic loan of this user covering the item, during the loan's hours.
Every view, page turn, download, print and refusal is a ``ReadingEvent`` and an operation-log
entry. The stored original is only ever read: watermarked copies are new bytes, made per
request and never stored.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from functools import cache

import pypdfium2 as pdfium
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from archive import audit
from archive.models import File, Item, Page
from archive.pdf import CJK_FONT_PATH
from archive.storage import read_blob
from archive.views.access import record_denied
from loans.models import Loan, ReadingEvent

RENDER_DPI = 150
ROLE_PERMISSION = "loans.read_electronic"


@dataclass(frozen=True)
class Access:
    allowed: bool
    loan: Loan | None = None
    reason: str = ""


def active_loan(user, item: Item, now: dt.datetime | None = None) -> Loan | None:
    """The user's approved electronic loan covering ``item`` whose hours include ``now``."""
    if user is None or not user.is_authenticated:
        return None
    now = timezone.localtime(now or timezone.now())
    candidates = Loan.objects.filter(
        borrower_user=user,
        status__in=(Loan.Status.APPROVED, Loan.Status.ISSUED),
        kind__in=(Loan.Kind.ELECTRONIC, Loan.Kind.BOTH),
        date=now.date(),
        start_time__lte=now.time(),
        end_time__gte=now.time(),
        lines__item=item,
    )
    return candidates.order_by("pk").first()


def access_for(user, item: Item, now: dt.datetime | None = None) -> Access:
    if item.status != Item.Status.FILED:
        return Access(False, reason="该件未归档或已销毁，不能阅览")
    in_scope = Item.objects.visible_to(user).filter(pk=item.pk).exists()
    if in_scope and user.has_perm(ROLE_PERMISSION):
        return Access(True)
    loan = active_loan(user, item, now)
    if loan is not None:
        return Access(True, loan=loan)
    return Access(False, reason="没有电子阅览权限，也没有在借阅时段内经批准的电子借阅单")


AUDIT_ACTIONS = {
    ReadingEvent.Kind.VIEW: audit.Action.VIEW,
    ReadingEvent.Kind.PAGE: audit.Action.VIEW,
    ReadingEvent.Kind.DOWNLOAD: audit.Action.DOWNLOAD,
    ReadingEvent.Kind.PRINT: audit.Action.PRINT,
}


def record(request, item: Item, kind: str, *, page=None, loan=None, reason="") -> ReadingEvent:
    """One reading act: a ReadingEvent for the inspector and an operation-log entry."""
    event = ReadingEvent.objects.create(
        user=request.user,
        item=item,
        household_id=item.household_id,
        loan=loan,
        kind=kind,
        page=page,
        reason=reason[:200],
    )
    if kind == ReadingEvent.Kind.REFUSED:
        # The one denied entry of this request (archive.views.access writes it once).
        record_denied(request, Item, item.pk, reason="reading_refused", message=reason)
        return event
    audit.record(
        AUDIT_ACTIONS[kind],
        item,
        request=request,
        detail={
            "reading_room": kind,
            "page": page,
            "loan": loan.pk if loan else None,
            **({"reason": reason} if reason else {}),
        },
    )
    return event


def original_of(item: Item) -> File | None:
    return item.files.filter(role=File.Role.ORIGINAL).order_by("pk").first()


def _source(item: Item) -> tuple[str, bytes] | None:
    """The file the pages are read from: the access copy if any, else the original."""
    for role in (File.Role.ACCESS, File.Role.ORIGINAL):
        stored = item.files.filter(role=role).order_by("pk").first()
        if stored is not None:
            return stored.media_type, read_blob(stored.sha256)
    return None


def page_count(item: Item) -> int:
    pages = Page.objects.filter(item=item).count()
    if pages:
        return pages
    source = _source(item)
    if source is None:
        return 0
    return len(_images(*source, only=None, count_only=True)) or item.page_count


def page_text(item: Item, number: int) -> str:
    page = Page.objects.filter(item=item, number=number).first()
    if page is not None and page.text:
        return page.text
    source = _source(item)
    if source is None or source[0] != "application/pdf":
        return ""
    pdf = pdfium.PdfDocument(source[1])
    try:
        if not 1 <= number <= len(pdf):
            return ""
        textpage = pdf[number - 1].get_textpage()
        return textpage.get_text_range()
    finally:
        pdf.close()


# A resident ID in a page's text layer (the same shape the API masks in text).
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])[1-8][0-9]{16}[0-9Xx](?![0-9A-Za-z])")


def _id_boxes(page, scale: float) -> list[tuple[float, float, float, float]]:
    """Pixel boxes of the hidden part of every resident ID on a PDF page (all but the first 6
    and last 4 characters, as ``mask_resident_id`` shows them), from the OCR text layer."""
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        height = page.get_height()
        boxes = []
        for match in _ID_IN_TEXT.finditer(text):
            for index in range(match.start() + 6, match.end() - 4):
                left, bottom, right, top = textpage.get_charbox(index)
                boxes.append(
                    (left * scale, (height - top) * scale, right * scale, (height - bottom) * scale)
                )
        return boxes
    finally:
        textpage.close()


def _render(page, mask_ids: bool) -> Image.Image:
    scale = RENDER_DPI / 72
    image = page.render(scale=scale).to_pil().convert("RGB")
    if mask_ids:
        draw = ImageDraw.Draw(image)
        for left, top, right, bottom in _id_boxes(page, scale):
            draw.rectangle((left - 1, top - 2, right + 1, bottom + 2), fill=(0, 0, 0))
    return image


def _images(
    media_type: str,
    data: bytes,
    *,
    only: int | None,
    count_only: bool = False,
    mask_ids: bool = False,
):
    """Page images (PIL, RGB) of a PDF or image file; ``only`` picks one page (1-based).

    With ``mask_ids`` the resident IDs found in a PDF's text layer are blacked out but for
    their first 6 and last 4 characters.
    """
    out = []
    if media_type == "application/pdf":
        pdf = pdfium.PdfDocument(data)
        try:
            numbers = range(len(pdf)) if only is None else [only - 1]
            for index in numbers:
                if count_only:
                    out.append(None)
                    continue
                if not 0 <= index < len(pdf):
                    return []
                out.append(_render(pdf[index], mask_ids))
        finally:
            pdf.close()
        return out
    with Image.open(io.BytesIO(data)) as image:
        frames = getattr(image, "n_frames", 1)
        numbers = range(frames) if only is None else [only - 1]
        for index in numbers:
            if count_only:
                out.append(None)
                continue
            if not 0 <= index < frames:
                return []
            image.seek(index)
            out.append(image.convert("RGB"))
    return out


def page_image(item: Item, number: int, *, mask_ids: bool = False) -> Image.Image | None:
    """Page ``number``: its stored page image, or a rendering of the access copy/original.

    For a reader who may not see full IDs the page is rendered from the PDF (whose OCR text
    layer locates the IDs) and the IDs are blacked out.
    """
    source = _source(item)
    if mask_ids and source is not None and source[0] == "application/pdf":
        images = _images(*source, only=number, mask_ids=True)
        return images[0] if images else None
    stored = (
        item.files.filter(role=File.Role.PAGE_IMAGE, page_number=number)
        .exclude(media_type="image/tiff")
        .order_by("pk")
        .first()
    )
    if stored is not None:
        with Image.open(io.BytesIO(read_blob(stored.sha256))) as image:
            return image.convert("RGB")
    if source is None:
        return None
    images = _images(*source, only=number)
    return images[0] if images else None


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(CJK_FONT_PATH, size)


def watermark_text(user, when: dt.datetime | None = None) -> str:
    agency = user.agency.name if user.agency_id else "未分配机构"
    stamp = timezone.localtime(when or timezone.now()).strftime("%Y-%m-%d %H:%M")
    return f"{user.real_name or user.username} · {agency} · {stamp} · 仅供查阅"


@cache
def _stamp(text: str, size: int) -> Image.Image:
    """The watermark text once, turned 30°, translucent: pasted in a grid over each page."""
    font = _font(size)
    left, top, right, bottom = font.getbbox(text)
    tile = Image.new("RGBA", (right - left + 4, bottom - top + 4), (0, 0, 0, 0))
    ImageDraw.Draw(tile).text((2 - left, 2 - top), text, font=font, fill=(200, 30, 30, 70))
    return tile.rotate(30, expand=True, resample=Image.BICUBIC)


def watermark(image: Image.Image, text: str) -> Image.Image:
    """The text repeated diagonally across the page, and once plainly at the foot."""
    base = image.convert("RGBA")
    size = max(18, base.width // 40)
    stamp = _stamp(text, size)
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    step_x, step_y = stamp.width + size * 2, max(stamp.height // 2, size * 5)
    # Parallel diagonal lines of text; rows half a stamp apart never cross each other.
    for y in range(-stamp.height // 2, base.height, step_y):
        for x in range(-size, base.width, step_x):
            layer.paste(stamp, (x, y), stamp)
    marked = Image.alpha_composite(base, layer)
    foot = ImageDraw.Draw(marked)
    foot.text((size, base.height - size * 2), text, font=_font(size), fill=(200, 30, 30, 255))
    return marked.convert("RGB")


def watermarked_pdf(item: Item, text: str, *, mask_ids: bool = False) -> bytes:
    """A new PDF of the item's pages with the watermark burnt into every page image.

    Burnt in rather than laid over, so the mark cannot be lifted off the copy. The stored
    original is read, never written.
    """
    source = _source(item)
    if source is None:
        raise FileNotFoundError("该件没有可阅览的文件")
    pages = [watermark(i, text) for i in _images(*source, only=None, mask_ids=mask_ids)]
    if not pages:
        raise FileNotFoundError("该件没有可阅览的页面")
    out = io.BytesIO()
    pages[0].save(
        out,
        format="PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=RENDER_DPI,
        title=item.archive_number or item.title,
        subject=text,
        creator="核档 电子阅览",
    )
    return out.getvalue()
