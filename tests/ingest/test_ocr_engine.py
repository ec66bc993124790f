"""Tesseract through its library, and ocrmypdf in a forked child (ingest.ocr)."""

from __future__ import annotations

import io
import os
import time

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from tests.synthetic.ocr import have_tesseract

os.environ["OMP_THREAD_LIMIT"] = "1"
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def _page() -> np.ndarray:
    img = Image.new("L", (1400, 500), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 48)
    draw.text((60, 60), "居民家庭经济状况核对报告", font=font, fill=0)
    draw.text((60, 180), "户主姓名：张翠敏  身份证号 420102198805061234", font=font, fill=0)
    draw.text((60, 300), "核对结果：家庭人均收入 1234.50 元", font=font, fill=0)
    return np.asarray(img)


@pytest.mark.skipif(not have_tesseract("chi_sim"), reason="no chi_sim Tesseract")
@pytest.mark.parametrize("psm", [4, 6])
def test_the_library_reads_what_the_command_line_reads(psm):
    from ingest.formocr import tessapi

    if not tessapi.available("chi_sim"):
        pytest.skip("tesserocr is not installed")
    image = _page()
    by_library = tessapi.image_to_data(image, psm, 300, "chi_sim")
    by_command = tessapi._pytesseract(image, psm, 300, "chi_sim")
    words = "".join(by_library["text"])
    assert "户主姓名" in words and "核对" in words
    for key in ("text", "left", "top", "width", "height", "conf", "block_num", "line_num"):
        assert by_library[key] == by_command[key], key


def test_parse_tsv_keeps_pytesseract_types():
    from ingest.formocr.tessapi import parse_tsv

    data = parse_tsv(
        "5\t1\t1\t1\t1\t1\t10\t20\t30\t40\t84.97\t张\n1\t1\t0\t0\t0\t0\t0\t0\t9\t9\t-1\t"
    )
    assert data["text"] == ["张", ""]
    assert data["conf"] == [84, -1]  # truncated as pytesseract does: LOW_CONF keeps its meaning
    assert data["left"] == [10, 0] and data["height"] == [40, 9]


def test_a_forked_ocrmypdf_that_hangs_is_killed_at_the_time_limit(monkeypatch, tmp_path):
    import ocrmypdf.__main__

    from ingest import ocr

    if not ocr.forking():
        pytest.skip("no fork here")
    # The child is a fork of this process: it runs the patched ocrmypdf.
    monkeypatch.setattr(ocrmypdf.__main__, "run", lambda args: time.sleep(60))
    forked, real_fork = [], os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    start = time.monotonic()
    with pytest.raises(ocr.OcrFailed, match="超时"):
        ocr._run_forked([], dict(os.environ), tmp_path / "stderr.txt", timeout=1)
    assert time.monotonic() - start < 10
    # Killed and reaped: that child is gone (the suite's other tests may have children of
    # their own, so ask about this one, not about any).
    assert len(forked) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(forked[0], os.WNOHANG)


def test_a_forked_ocrmypdf_reports_its_failure(tmp_path, settings):
    from ingest.ocr import OcrFailed, OcrSettings, run_ocr, to_pdf

    settings.DATA_DIR = tmp_path
    buf = io.BytesIO()
    Image.fromarray(_page()).save(buf, format="PNG", dpi=(300, 300))
    pdf = to_pdf(buf.getvalue(), "image/png")
    # A language Tesseract does not have: ocrmypdf refuses, its message comes back.
    with pytest.raises(OcrFailed, match="退出码 [1-9].*language"):
        run_ocr(pdf, has_text=False, deskew=False, settings=OcrSettings(language="zzz"))


def test_a_forked_ocrmypdf_run_gives_the_text_layer(tmp_path, settings):
    from ingest.ocr import run_ocr, to_pdf

    if not have_tesseract("chi_sim+eng"):
        pytest.skip("no Tesseract")
    settings.DATA_DIR = tmp_path
    buf = io.BytesIO()
    Image.fromarray(_page()).save(buf, format="PNG", dpi=(300, 300))
    output = run_ocr(to_pdf(buf.getvalue(), "image/png"), has_text=False, deskew=False)
    assert "核对" in output.page_texts[0]
    assert output.pdf.startswith(b"%PDF") and output.ocr_pages == (1,)


def test_ocrmypdfs_version_probes_start_each_program_once(monkeypatch):
    from ocrmypdf._exec import tesseract
    from ocrmypdf.subprocess import _run

    from ingest.formocr import plugin

    started = []
    real = _run.subprocess_run

    def counting(args, *rest, **kwargs):
        started.append(tuple(map(str, args)))
        return real(args, *rest, **kwargs)

    monkeypatch.setattr(_run, "subprocess_run", counting)
    assert plugin.cache_probes()
    first = tesseract.version()
    assert tesseract.version() == first and tesseract.get_languages() >= {"chi_sim"}
    tesseract.get_languages()
    assert started == [("tesseract", "--version"), ("tesseract", "--list-langs")]
    # Anything else ocrmypdf runs is started every time.
    _run.run(["tesseract", "--help"], capture_output=True)
    _run.run(["tesseract", "--help"], capture_output=True)
    assert started[2:] == [("tesseract", "--help")] * 2
