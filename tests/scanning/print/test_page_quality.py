"""Page quality checks (DA/T 31-2017) on synthetic scans: dpi, residual skew, blank pages."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from ingest import quality
from tests.synthetic import make_households, render_form
from tests.synthetic.degrade import degrade, downsample, skew


@pytest.fixture(scope="module")
def pages():
    household = make_households(1, seed=7)[0]
    return render_form("report", household, dpi=300).images


@pytest.fixture(scope="module")
def blank(pages):
    page = Image.new("L", pages[0].size, 255)
    page.info["dpi"] = (300, 300)
    return degrade(page, "scan", seed=2)


def messages(result):
    return [f.message for f in result.findings]


def test_clean_scan_passes(pages):
    for number, page in enumerate(pages, start=1):
        result = quality.check_page(degrade(page, "scan", seed=number), number)
        assert result.level == "ok", messages(result)
        assert result.dpi == 300 and not result.blank
        assert abs(result.skew) <= 3


def test_resolution_thresholds(pages):
    low = quality.check_page(degrade(downsample(pages[0], 150), "scan"))
    assert low.refused and messages(low) == ["第 1 页分辨率低于 200 dpi：150 dpi"]
    mid = quality.check_page(degrade(downsample(pages[0], 240), "scan"))
    assert mid.level == "warning" and not mid.refused
    assert "低于 300 dpi" in messages(mid)[0]


def test_dpi_from_file_and_estimated(pages):
    buf = io.BytesIO()
    downsample(pages[0], 200).save(buf, "PNG", dpi=(200, 200))
    assert quality.check_page(buf.getvalue()).dpi == pytest.approx(200, abs=1)
    bare = downsample(pages[0], 150)
    bare.info.pop("dpi")
    result = quality.check_page(bare)
    assert result.dpi_estimated and result.dpi == pytest.approx(150, abs=2)
    assert "按 A4 估算" in messages(result)[0]


def test_residual_skew_over_three_degrees_is_flagged(pages):
    result = quality.check_page(degrade(skew(pages[0], 4.2), "clean"), 2)
    assert result.level == "flagged" and abs(result.skew) == pytest.approx(4.2, abs=0.2)
    assert messages(result) == ["第 2 页纠偏后仍倾斜 4.2°，超过 3°"]
    assert quality.check_page(skew(pages[0], 2.0)).level == "ok"


def test_blank_pages_flagged_and_duplex_backs_dropped(pages, blank):
    front = degrade(pages[0], "scan")
    assert quality.check_page(blank).blank
    results = quality.check_pages([front, blank, blank, front], duplex=True)
    assert [r.number for r in results] == [1, 2, 3, 4]
    assert [r.blank for r in results] == [False, True, True, False]
    assert [r.dropped for r in results] == [False, True, False, False]  # page 3 is a front
    assert quality.kept_pages(results) == [1, 3, 4]
    assert "空白背面已剔除" in messages(results[1])[0]
    summary = quality.summary(results)
    assert summary["kept"] == [1, 3, 4] and summary["refused"] == []
    assert quality.check_pages([front, blank])[1].dropped is False  # simplex: flagged only


def test_unreadable_page_is_refused():
    result = quality.check_page(b"not an image", 5)
    assert result.refused and "第 5 页图像无法打开" in messages(result)[0]
