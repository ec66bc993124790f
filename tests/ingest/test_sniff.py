"""Bad input is refused before anything is stored, with a reason an archivist understands."""

import io
import struct
import zipfile

import pikepdf
import pytest
from PIL import Image

from archive.pdf import text_pdf
from ingest.sniff import JP2, JPEG, PDF, PNG, TIFF, Limits, Rejected, expand_zip, sniff
from tests.ingest.conftest import scan_page


def _image_bytes(fmt: str, size=(200, 100), **kw) -> bytes:
    buf = io.BytesIO()
    Image.new("L", size, 255).save(buf, format=fmt, **kw)
    return buf.getvalue()


def test_types_come_from_the_bytes_not_the_name():
    assert sniff("scan.pdf", _image_bytes("JPEG")).media_type == JPEG
    assert sniff("scan.jpg", _image_bytes("PNG")).media_type == PNG
    assert sniff("x", text_pdf("核对报告", ["张伟"])).media_type == PDF


def test_multipage_tiff_counts_its_pages():
    frames = [Image.new("L", (100, 100), 255) for _ in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:])
    sniffed = sniff("stack.tif", buf.getvalue())
    assert (sniffed.media_type, sniffed.pages) == (TIFF, 3)


def test_born_digital_pdf_is_known_to_have_text():
    assert sniff("r.pdf", text_pdf("核对报告", ["张伟"])).has_text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "空文件"),
        (b"MZ\x90\x00 this is a program", "不支持的文件类型"),
        (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "PDF 不完整"),
    ],
)
def test_unreadable_files_are_rejected_with_a_reason(data, reason):
    with pytest.raises(Rejected, match=reason):
        sniff("bad.pdf", data)


def test_mislabelled_file_names_its_claimed_type():
    with pytest.raises(Rejected, match=r"\.pdf"):
        sniff("report.pdf", b"<html>not a pdf</html>")


def test_truncated_images_are_rejected():
    data = _image_bytes("PNG", size=(400, 400))
    with pytest.raises(Rejected, match="损坏或不完整"):
        sniff("cut.png", data[: len(data) // 2])
    jpeg = _image_bytes("JPEG", size=(800, 800), quality=95)
    with pytest.raises(Rejected):
        sniff("cut.jpg", jpeg[: len(jpeg) // 3])


def test_encrypted_pdf_is_rejected():
    buf = io.BytesIO()
    with pikepdf.open(io.BytesIO(text_pdf("授权书", ["张伟"]))) as pdf:
        pdf.save(buf, encryption=pikepdf.Encryption(owner="o", user="secret"))
    with pytest.raises(Rejected, match="加密"):
        sniff("locked.pdf", buf.getvalue())


def test_decompression_bomb_is_rejected():
    bomb = _image_bytes("PNG", size=(6000, 6000))  # 36 MP of white compresses to almost nothing
    with pytest.raises(Rejected, match="像素"):
        sniff("bomb.png", bomb, Limits(max_image_pixels=10_000_000))


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buf.getvalue()


def test_zip_expands_to_its_files():
    files = expand_zip(
        "box.zip", _zip({"a/1.png": _image_bytes("PNG"), "2.jpg": _image_bytes("JPEG")})
    )
    assert [name for name, _ in files] == ["box.zip/a/1.png", "box.zip/2.jpg"]


@pytest.mark.parametrize("name", ["../../etc/passwd", "/abs/path.png", "a/../../x.png"])
def test_zip_with_path_traversal_is_rejected(name):
    with pytest.raises(Rejected, match="越出目录"):
        expand_zip("evil.zip", _zip({name: _image_bytes("PNG")}))


def test_zip_bomb_is_rejected():
    with pytest.raises(Rejected, match="压缩"):
        expand_zip("bomb.zip", _zip({"zeros.pdf": b"\0" * 50_000_000}))


# --------------------------------------------------------------------------- JPEG 2000


def with_resolution(jp2: bytes, dpi: int) -> bytes:
    """``jp2`` with a capture-resolution box (Pillow's encoder writes none; scanners do)."""
    per_metre = round(dpi / 0.0254)
    resc = struct.pack(">I4sHHHHbb", 18, b"resc", per_metre, 1, per_metre, 1, 0, 0)
    res = struct.pack(">I4s", 8 + len(resc), b"res ") + resc
    pos = 0
    while pos < len(jp2):
        length, kind = struct.unpack(">I4s", jp2[pos : pos + 8])
        if kind == b"jp2h":
            header = struct.pack(">I4s", length + len(res), b"jp2h")
            return jp2[:pos] + header + jp2[pos + 8 : pos + length] + res + jp2[pos + length :]
        pos += length
    raise AssertionError("no jp2h box")


def _jp2(size=(400, 300), *, codestream=False) -> bytes:
    image = Image.new("L", size, 255)
    image.paste(0, (20, 20, size[0] // 2, size[1] // 2))  # some ink: not all one colour
    buf = io.BytesIO()
    image.save(buf, format="JPEG2000", no_jp2=codestream)
    return buf.getvalue()


def test_jpeg2000_file_and_bare_codestream_are_taken():
    boxed, bare = _jp2(), _jp2(codestream=True)
    assert boxed.startswith(b"\x00\x00\x00\x0cjP  \r\n\x87\n")
    assert bare.startswith(b"\xff\x4f\xff\x51")
    for name, data in (("scan.jp2", boxed), ("scan.jpg", boxed), ("scan.j2k", bare)):
        sniffed = sniff(name, data)
        assert (sniffed.media_type, sniffed.pages) == (JP2, 1)
    assert JP2 == "image/jp2"


def test_truncated_jpeg2000_is_rejected():
    for data in (_jp2((800, 600)), _jp2((800, 600), codestream=True)):
        for cut in (len(data) // 2, len(data) // 5):
            with pytest.raises(Rejected, match="损坏或不完整"):
                sniff("cut.jp2", data[:cut])


def test_jpeg2000_decompression_bomb_is_rejected():
    bomb = _jp2((4000, 4000))  # 16 MP, a few kilobytes
    assert len(bomb) < 200_000
    with pytest.raises(Rejected, match="像素"):
        sniff("bomb.jp2", bomb, Limits(max_image_pixels=5_000_000))


@pytest.mark.slow
@pytest.mark.django_db
def test_a_300_dpi_jpeg2000_scan_is_ingested_and_kept_byte_for_byte(make_household, batch_for):
    from archive.models import File
    from archive.storage import read_blob
    from ingest import pipeline
    from ingest.models import Document

    household = make_household("420102", "张伟")
    png = scan_page(
        [
            "居民家庭经济状况入户核查表",
            f"户主姓名：{household.head_name}  身份证号码：{household.head_id_number}",
            "家庭住址：武汉市江岸区台北路88号",
            "核查日期：2024年3月6日",
        ]
    )
    buf = io.BytesIO()
    Image.open(io.BytesIO(png)).save(buf, format="JPEG2000", irreversible=True, quality_layers=[20])
    jp2 = with_resolution(buf.getvalue(), 300)
    with Image.open(io.BytesIO(jp2)) as opened:
        assert round(opened.info["dpi"][0]) == 300

    (document,) = pipeline.submit(batch_for("420102"), "入户核查表.jp2", jp2)
    document = pipeline.process(document.pk)
    assert document.status == Document.Status.FILED, document.error
    item = document.item
    assert item.household == household and item.subtype.name == "入户核查表"
    assert household.head_id_number in item.pages.get(number=1).text
    original = item.files.get(role=File.Role.ORIGINAL)
    assert original.media_type == "image/jp2"
    assert read_blob(original.sha256) == jp2
    assert item.files.filter(role=File.Role.ACCESS, media_type=PDF).exists()
