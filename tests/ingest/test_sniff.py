"""Bad input is refused before anything is stored, with a reason an archivist understands."""

import io
import zipfile

import pikepdf
import pytest
from PIL import Image

from archive.pdf import text_pdf
from ingest.sniff import JPEG, PDF, PNG, TIFF, Limits, Rejected, expand_zip, sniff


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
