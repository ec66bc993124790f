"""Page images exported as masters, named by 档号 + sequence: real JPEG/JP2/TIFF/PDF files."""

from __future__ import annotations

import io
import json
import zipfile

import img2pdf
import pikepdf
import pytest
from django.core.management import CommandError, call_command
from PIL import Image, ImageChops

from archive.pdf import text_pdf
from ingest.stacks import join_page_images
from scanning import export
from tests.scanning.export.conftest import colour_photo_scan, encoded, jpeg_scan

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("export_images", *args, stdout=out)
    return out.getvalue()


def test_safe_stem_keeps_the_archive_number_readable():
    assert export.safe_stem("Z420102-HD·2024-D10-GC-0001") == "Z420102-HD.2024-D10-GC-0001"
    assert export.safe_stem("Z1/HD:2024 *x") == "Z1_HD_2024_x"


def test_jpeg_scans_come_back_byte_for_byte(filed_with, tmp_path):
    scans = [jpeg_scan(n) for n in (1, 2, 3)]
    item = filed_with(join_page_images(scans), "application/pdf")
    stem = item.archive_number.replace("·", ".")

    printed = run(item.archive_number, "-o", str(tmp_path / "out"))
    names = [f"{stem}-{n:03d}.jpg" for n in (1, 2, 3)]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == names
    for name, scan in zip(names, scans, strict=True):
        assert (tmp_path / "out" / name).read_bytes() == scan
        assert name in printed
    assert "PDF 中嵌入的扫描图像" in printed and "渲染" not in printed

    run(item.archive_number, "--zip", str(tmp_path / "pages.zip"))
    with zipfile.ZipFile(tmp_path / "pages.zip") as archive:
        assert archive.namelist() == names
        assert [archive.read(n) for n in names] == scans
        assert "3 页图像" in archive.comment.decode()


def test_command_finds_the_item_however_the_dot_is_typed(filed_with, tmp_path):
    item = filed_with(jpeg_scan(1), "image/jpeg")
    typed = item.archive_number.replace("·", ".")
    data = json.loads(run(typed, "-o", str(tmp_path), "--json"))
    assert data["archive_number"] == item.archive_number
    assert data["files"] == [
        {
            "name": f"{typed}-001.jpg",
            "page": 1,
            "media_type": "image/jpeg",
            "source": "original",
        }
    ]
    assert data["written"] == [str(tmp_path / f"{typed}-001.jpg")]
    assert (tmp_path / f"{typed}-001.jpg").read_bytes() == jpeg_scan(1)


def test_unknown_archive_number_exits_non_zero_in_chinese(hubei, tmp_path):
    with pytest.raises(CommandError, match="没有档号为 Z420102-HD·2024-D10-GC-9999 的件") as err:
        run("Z420102-HD·2024-D10-GC-9999", "-o", str(tmp_path))
    assert err.value.returncode == 1
    with pytest.raises(CommandError, match="-o") as usage:
        run("Z420102-HD·2024-D10-GC-9999")
    assert usage.value.returncode == 2
    assert not any(tmp_path.iterdir())


def test_export_is_recorded(filed_with, tmp_path):
    from archive.models import AuditEntry

    item = filed_with(jpeg_scan(1), "image/jpeg")
    run(item.archive_number, "--zip", str(tmp_path / "x.zip"))
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).get()
    assert entry.object_id == str(item.pk)
    assert entry.detail["written"] == [str(tmp_path / "x.zip")]
    assert entry.detail["files"][0]["name"].endswith("-001.jpg")


def test_unfiled_item_is_refused(make_household, make_item):
    item = make_item(make_household("420102"), "RHB")
    with pytest.raises(export.ExportError, match="尚未归档"):
        export.item_page_images(item)


def test_jpeg2000_original_and_scans_keep_their_codestreams(filed_with):
    # A4 at 200 dpi: a bare codestream carries no resolution, and an A4 page with fewer pixels
    # is refused before joining (ingest.quality.pixels_refusal).
    page = colour_photo_scan((1654, 2339))
    boxed = encoded(page, "JPEG2000", irreversible=True, quality_layers=[30])
    bare = encoded(page, "JPEG2000", no_jp2=True)
    (single,) = export.item_page_images(filed_with(boxed, "image/jp2")).images
    assert single.data == boxed and single.name.endswith("-001.jp2")
    assert single.media_type == "image/jp2"

    joined = filed_with(join_page_images([boxed, bare]), "application/pdf")
    first, second = export.item_page_images(joined).images
    assert (first.data, first.source) == (boxed, "embedded")
    assert second.data == bare and second.name.endswith("-002.j2k")


def test_multipage_tiff_gives_one_tiff_per_page(filed_with):
    pages = [colour_photo_scan().convert("1"), colour_photo_scan().rotate(90).convert("1")]
    data = encoded(
        pages[0],
        "TIFF",
        save_all=True,
        append_images=pages[1:],
        compression="group4",
        dpi=(300, 300),
    )
    images = export.item_page_images(filed_with(data, "image/tiff")).images
    assert [i.name[-8:] for i in images] == ["-001.tif", "-002.tif"]
    for image, page in zip(images, pages, strict=True):
        with Image.open(io.BytesIO(image.data)) as frame:
            assert frame.info["compression"] == "group4"
            assert round(frame.info["dpi"][0]) == 300
            assert ImageChops.difference(frame.convert("L"), page.convert("L")).getbbox() is None


def test_page_image_files_are_used_in_page_order(filed_with):
    from archive.models import File
    from archive.storage import store_bytes

    item = filed_with(text_pdf("入户核查表", ["张伟"]), "application/pdf")
    scans = {n: jpeg_scan(n) for n in (1, 2)}
    for number in (2, 1):
        blob = store_bytes(scans[number])
        File.objects.create(
            item=item,
            role=File.Role.PAGE_IMAGE,
            sha256=blob.sha256,
            size=blob.size,
            media_type="image/jpeg",
            page_number=number,
        )
    images = export.item_page_images(item).images
    assert [i.data for i in images] == [scans[1], scans[2]]
    assert {i.source for i in images} == {"page_image"}


def test_pages_without_a_scan_are_rendered_and_said_so(filed_with, tmp_path):
    scan = jpeg_scan(1)
    logo = encoded(colour_photo_scan((200, 200)), "JPEG", quality=90)
    a4 = (img2pdf.mm_to_pt(210), img2pdf.mm_to_pt(297))
    square = ((img2pdf.ImgSize.abs, img2pdf.mm_to_pt(30)),) * 2
    small = img2pdf.convert(logo, layout_fun=img2pdf.get_layout_fun(a4, square))  # a logo
    combined = pikepdf.new()
    for part in (join_page_images([scan]), text_pdf("核对报告", ["张伟"]), small):
        combined.pages.extend(pikepdf.open(io.BytesIO(part)).pages)
    buf = io.BytesIO()
    combined.save(buf)
    item = filed_with(buf.getvalue(), "application/pdf")

    result = export.item_page_images(item)
    assert [i.source for i in result.images] == ["embedded", "rendered", "rendered"]
    assert result.images[0].data == scan
    assert [i.name[-8:] for i in result.images] == ["-001.jpg", "-002.png", "-003.png"]
    with Image.open(io.BytesIO(result.images[1].data)) as rendered:
        assert rendered.width == pytest.approx(8.27 * export.RENDER_DPI, abs=3)
    assert result.rendered == [2, 3]

    printed = run(item.archive_number, "--zip", str(tmp_path / "x.zip"))
    assert "第 2、3 页没有扫描图像，已渲染为 PNG" in printed
    with zipfile.ZipFile(tmp_path / "x.zip") as archive:
        assert "第 2、3 页没有扫描图像" in archive.comment.decode()
