"""The separator-sheet scan and the page thumbnails share one render of each page."""

import io

import img2pdf
import pypdfium2
from PIL import Image

from ingest import ocr
from scanning.separators import read_page_codes


def two_pages() -> bytes:
    frames = []
    for shade in (255, 200):
        buf = io.BytesIO()
        Image.new("RGB", (850, 1100), (shade, 255, shade)).save(buf, "PNG", dpi=(100, 100))
        frames.append(buf.getvalue())
    return img2pdf.convert(*frames)


def sizes(pngs: list[bytes]) -> list[tuple[int, int]]:
    return [Image.open(io.BytesIO(png)).size for png in pngs]


def test_thumbnails_come_from_the_renders_of_the_sheet_scan(monkeypatch):
    pdf = two_pages()
    fresh = ocr.render_thumbnails(pdf)
    codes = read_page_codes(pdf)
    assert len(codes) == 2 and not any(c.is_separator for c in codes)

    def no_second_render(*args, **kwargs):
        raise AssertionError("the pages were rendered again")

    with monkeypatch.context() as patch:
        patch.setattr(pypdfium2, "PdfDocument", no_second_render)
        shared = ocr.render_thumbnails(pdf)
    assert sizes(shared) == sizes(fresh)
    colours = [Image.open(io.BytesIO(png)).convert("RGB").getpixel((10, 10)) for png in shared]
    assert colours[0] != colours[1]  # each page its own thumbnail, in colour
    # Kept for one use only: another call renders again.
    assert sizes(ocr.render_thumbnails(pdf)) == sizes(fresh)


def test_another_pdf_is_rendered_for_itself():
    pdf = two_pages()
    read_page_codes(pdf)
    other = img2pdf.convert(png((400, 400)).getvalue())
    assert len(ocr.render_thumbnails(other)) == 1


def png(size: tuple[int, int]) -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("L", size, 255).save(buf, "PNG", dpi=(100, 100))
    return buf
