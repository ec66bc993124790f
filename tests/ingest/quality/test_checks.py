"""The page rules (DA/T 31-2017) as pure functions: residual skew after deskew, estimated
resolutions, the station profile, stack slices, and what is refused before anything is stored."""

from __future__ import annotations

import img2pdf
import pytest
from PIL import Image

from ingest import quality
from ingest.deskew import straighten
from ingest.pdfscans import pdf_page_images
from ingest.quality import Profile
from tests.ingest.quality.conftest import jpeg
from tests.synthetic.degrade import degrade, downsample, skew


def messages(result):
    return [f.message for f in result.findings]


def test_deskew_leaves_a_small_skew_unflagged_and_reports_what_it_turned(form_pages):
    result = straighten(degrade(skew(form_pages[0], 2.5), "clean"))
    assert abs(result.angle) == pytest.approx(2.5, abs=0.2) and abs(result.residual) < 0.5
    assert quality.check_page(result.image).level == "ok"


def test_a_page_too_skewed_for_deskew_is_flagged_on_the_straightened_page(form_pages):
    result = straighten(degrade(skew(form_pages[0], 10.0), "clean"))
    assert abs(result.angle) >= 5  # the most deskew turns a page
    measured = quality.Measure(1, 300, False, "grey", result.ink_ratio, result.residual, 5.5)
    flagged = quality.assess(measured)
    assert flagged.level == "flagged" and "纠偏后仍倾斜" in messages(flagged)[0]
    # The same, measured directly on the straightened page.
    assert abs(quality.check_page(result.image).skew) > quality.MAX_SKEW


def test_a_page_skewed_after_deskew_is_flagged(form_pages):
    straight = straighten(degrade(skew(form_pages[0], 1.0), "clean")).image
    assert quality.check_page(straight).level == "ok"
    tilted = quality.check_page(skew(straight, 4.0), 3)
    assert messages(tilted) == ["第 3 页纠偏后仍倾斜 4.0°，超过 3°"]


def test_an_estimated_resolution_warns_but_never_refuses(form_pages):
    bare = downsample(form_pages[0], 150)
    bare.info.pop("dpi")
    result = quality.check_page(bare)
    assert result.dpi_estimated and not result.refused and result.level == "warning"
    assert "按 A4 估算约 150 dpi" in messages(result)[0]
    # 72 and 96 are what software writes when it does not know: also an estimate.
    placeholder = quality.check_page(jpeg(downsample(form_pages[0], 150), dpi=72))
    assert placeholder.dpi_estimated and not placeholder.refused


def test_a_page_unlike_the_station_profile_is_warned(form_pages):
    page = degrade(downsample(form_pages[0], 250), "scan")
    station = Profile(dpi=300, colour_mode="grey")
    result = quality.check_page(page, 2, profile=station)
    assert result.level == "warning" and not result.refused
    assert "第 2 页分辨率 250 dpi，与站点设定的 300 dpi 不符" in messages(result)
    colour = quality.check_page(
        page.convert("RGB"), 1, profile=Profile(dpi=250, colour_mode="grey")
    )
    assert messages(colour)[-1] == "第 1 页为彩色图像，站点设定为灰度"
    bitonal = page.point(lambda v: 255 if v > 128 else 0).convert("1")
    assert quality.colour_of(bitonal) == "bitonal"
    assert quality.check_page(page, profile=Profile(dpi=250, colour_mode="grey")).level == "warning"


def test_refusal_names_the_page_and_reads_headers_only(form_pages):
    good, low = jpeg(form_pages[0], 300), jpeg(downsample(form_pages[0], 150), 150)
    assert quality.resolution_refusal(good, "image/jpeg") is None
    assert quality.resolution_refusal(low, "image/jpeg") == "第 1 页分辨率低于 200 dpi：150 dpi"
    pdf = img2pdf.convert(good, low)
    assert (
        quality.resolution_refusal(pdf, "application/pdf") == "第 2 页分辨率低于 200 dpi：150 dpi"
    )
    # Without a resolution an A4-shaped image too small for A4 at 200 dpi is refused...
    assert quality.resolution_refusal(jpeg(downsample(form_pages[0], 150), None), "image/jpeg") == (
        "第 1 页分辨率低于 200 dpi：1240×1754 像素的 A4 页面约 150 dpi（未标注分辨率），"
        "A4 按 200 dpi 至少需 1654×2339 像素"
    )
    # ...but an image of another shape only gets the estimate's warning (a receipt, a photo),
    receipt = downsample(form_pages[0], 150).crop((0, 0, 600, 1400))
    assert quality.resolution_refusal(jpeg(receipt, None), "image/jpeg") is None
    # and a PDF's scan without a resolution is not refused (img2pdf prints it at 96 dpi).
    assert (
        quality.resolution_refusal(img2pdf.convert(jpeg(form_pages[0], None)), "application/pdf")
        is None
    )


def test_a_small_image_on_a_born_digital_page_is_not_a_scan(form_pages):
    logo = jpeg(downsample(form_pages[0], 150).crop((0, 0, 200, 200)), 150)
    a4 = (img2pdf.mm_to_pt(210), img2pdf.mm_to_pt(297))
    layout = img2pdf.get_layout_fun(a4, fit=img2pdf.FitMode.shrink)
    pdf = img2pdf.convert(logo, layout_fun=layout)  # a 200-pixel image on an A4 page
    assert pdf_page_images(pdf) == [None]
    assert quality.resolution_refusal(pdf, "application/pdf") is None


def test_duplex_backs_are_dropped_and_kept_pages_renumbered(form_pages, blank_back):
    front = degrade(form_pages[0], "scan")
    results = quality.check_pages([front, blank_back, front, front], profile=Profile(duplex=True))
    summary = quality.summary(results)
    assert summary["kept"] == [1, 3, 4] and summary["dropped"] == [2]
    assert [p["page"] for p in summary["pages"]] == [1, None, 2, 3]


def test_a_stack_part_gets_its_own_slice(form_pages, blank_back):
    front, low = degrade(form_pages[0], "scan"), degrade(downsample(form_pages[0], 250), "scan")
    pages = [front, blank_back, low, blank_back, front, front]  # duplex: 2 and 4 dropped
    whole = quality.summary(quality.check_pages(pages, profile=Profile(duplex=True)))
    assert whole["kept"] == [1, 3, 5, 6]
    first = quality.part_summary(whole, 1, 2)  # item pages 1-2 = scanned 1 (+ back 2), 3 (+ 4)
    assert [p["number"] for p in first["pages"]] == [1, 2, 3, 4]
    assert first["dropped"] == [2, 4] and len(first["warnings"]) == 3
    second = quality.part_summary(whole, 3, 4)
    assert [(p["number"], p["page"]) for p in second["pages"]] == [(5, 1), (6, 2)]
    assert second["warnings"] == [] and second["part"] == {"first_page": 3, "last_page": 4}
    assert quality.part_summary(None, 1, 2) is None


def test_a_pdf_page_without_images_is_not_a_scan():
    from archive.pdf import text_pdf

    assert pdf_page_images(text_pdf("核对报告", ["户主：张伟"])) == [None]
    assert Image  # PIL is what the checks read
