"""The synthetic test-data generator (tests/synthetic): households, forms, degradations, scans."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from PIL import Image

from archive.identifiers import (
    BUSINESS_CODES,
    parse_authorization_number,
    parse_report_number,
    parse_resident_id,
)
from tests.synthetic import FORMS, SEARCH_NAMES, TITLES, make_households, render_form
from tests.synthetic.degrade import PRESETS, camera_photo, degrade, downsample
from tests.synthetic.households import age_on
from tests.synthetic.ocr import char_accuracy, levenshtein, normalize
from tests.synthetic.scans import write_pages, write_pdf_from_images, write_tiff

SEED = 1


@pytest.fixture(scope="module")
def households():
    return make_households(6, seed=SEED)


@pytest.fixture(scope="module")
def rendered(households):
    """Every form for household 0 (the commission for all six) at 150 dpi, with a PDF."""
    return {
        form: render_form(
            form,
            households if form == "commission" else households[0],
            dpi=150,
            as_pdf=form == "plain",
        )
        for form in FORMS
    }


def test_households_are_deterministic_per_seed(households):
    assert make_households(6, seed=SEED) == households
    assert make_households(3, seed=SEED) == households[:3]  # a prefix is the same
    other = make_households(6, seed=SEED + 1)
    assert [h.head_id for h in other] != [h.head_id for h in households]


def test_ids_numbers_and_ages_are_valid(households):
    seen = set()
    for hh in households:
        assert hh.region_code.startswith("42") and len(hh.region_code) == 6
        assert hh.business_type in BUSINESS_CODES
        assert hh.members[0].relation == "本人" and hh.members[0].co_resident
        assert all(not m.co_resident for m in hh.obligors)
        for m in hh.everyone:
            rid = parse_resident_id(m.id_number, today=hh.reference_date)
            assert rid.sex == m.sex
            assert age_on(rid.birth_date, hh.reference_date) == m.age
            assert m.id_number not in seen
            seen.add(m.id_number)
        report = parse_report_number(hh.report_number, today=date(2030, 1, 1))
        assert (report.region_code, report.business_code) == (hh.region_code, hh.business_type)
        assert (report.year, report.month) == (hh.report_date.year, hh.report_date.month)
        auth = parse_authorization_number(hh.authorization_number, today=date(2030, 1, 1))
        assert auth.region_code == hh.region_code
        assert hh.authorization_date <= hh.visit_date <= hh.report_date < hh.review_date
        for value in list(hh.income.values()) + list(hh.expenses.values()):
            assert isinstance(value, Decimal) and value.as_tuple().exponent == -2
        assert hh.total_income == sum(hh.income.values())


def test_search_names_are_planted_and_exclusive(households):
    assert [h.head_name for h in households[:3]] == list(SEARCH_NAMES)
    others = [m.name for h in households for m in h.everyone if m.name not in SEARCH_NAMES]
    assert others and not any(s in n for s in SEARCH_NAMES for n in others)


@pytest.mark.parametrize("form", FORMS)
def test_each_form_renders_with_title_head_and_id(form, rendered, households):
    r = rendered[form]
    hh = households[0]
    assert r.images and len(r.images) == r.page_count == len(r.page_lines)
    assert r.page_texts[0].splitlines()[0] == r.title
    if form in TITLES:
        assert r.title == TITLES[form]
    text = r.text
    assert hh.head_name in text and hh.head_id in text
    for img, (w_mm, h_mm) in zip(r.images, r.page_sizes_mm, strict=True):
        assert img.info["dpi"] == (150, 150)
        assert img.size == (round(w_mm / 25.4 * 150), round(h_mm / 25.4 * 150))
    assert sorted(r.page_sizes_mm[0]) == [210.0, 297.0]
    # Ground-truth boxes lie on the page.
    for line in r.page_lines[0]:
        x0, y0, x1, y1 = line.box
        assert 0 <= x0 < x1 <= r.page_sizes_mm[0][0] and 0 <= y0 < y1 <= r.page_sizes_mm[0][1]


def test_structured_fields(rendered, households):
    hh = households[0]
    hv = rendered["home_visit"].fields
    assert [m["id_number"] for m in hv["members"]] == [m.id_number for m in hh.members]
    assert hv["total_income"] == hh.total_income and hv["household_size"] == len(hh.members)
    assert rendered["home_visit"].page_sizes_mm[0] == (297.0, 210.0)  # landscape, one page
    rep = rendered["report"].fields
    assert rep["number"] == hh.report_number and hh.report_number in rendered["report"].text
    assert [f["result"] for f in rep["findings"]] == [f.result for f in hh.findings]
    assert {"部门", "项目", "结果描述"} <= set(rendered["report"].text.splitlines())
    roster = rendered["commission"].fields["roster"]
    assert [r["head_id"] for r in roster] == [h.head_id for h in households]
    assert rendered["commission"].fields["persons"] == sum(len(h.everyone) for h in households)
    assert "查询对象花名册" in rendered["commission"].page_texts[-1]
    auth = rendered["authorization"].fields
    assert auth["number"] == hh.authorization_number
    assert len(auth["grantors"]) == len(hh.everyone)
    review = rendered["review_application"].fields
    assert review["rows"][0]["report_number"] == hh.report_number


def test_born_digital_pdf_has_a_text_layer(rendered, households):
    import pypdfium2

    pdf = rendered["plain"].pdf
    assert pdf and pdf.startswith(b"%PDF")
    doc = pypdfium2.PdfDocument(pdf)
    text = normalize(doc[0].get_textpage().get_text_range())
    assert doc[0].get_size() == pytest.approx((595.3, 841.9), abs=0.5)  # A4 in points
    assert households[0].head_id in text and normalize(rendered["plain"].title) in text


@pytest.mark.parametrize("preset", [p for p in PRESETS if p != "camera"])
def test_degrade_presets_keep_dpi_and_are_seeded(preset, rendered):
    page = downsample(rendered["plain"].images[0], 75)
    a, b = degrade(page, preset, seed=3), degrade(page, preset, seed=3)
    assert a.info["dpi"] == (75, 75) and a.size == page.size
    assert a.tobytes() == b.tobytes()
    assert a.mode == {"clean": "RGB", "scan": "L", "scan_bw": "1", "heavy": "RGB"}[preset]


def test_camera_photo_frame_and_effective_dpi(rendered):
    page = rendered["plain"].images[0]
    photo = camera_photo(page, seed=2, megapixels=0.5)
    assert photo.height > photo.width and abs(photo.width * photo.height - 0.5e6) < 2e4
    assert 30 < photo.info["dpi"][0] < 70  # the page fills ~86% of a 816-px-high frame
    assert len(photo.info["page_corners"]) == 4


def test_scan_files(tmp_path, rendered):
    pages = [degrade(p, "scan_bw", seed=0) for p in rendered["authorization"].images]
    tif = write_tiff(pages, tmp_path / "in" / "scan.tif")
    with Image.open(tif) as im:
        assert im.n_frames == len(pages) and im.info["compression"] == "group4"
        assert tuple(round(v) for v in im.info["dpi"]) == (150, 150)
    pdf = write_pdf_from_images(pages, tmp_path / "in" / "scan.pdf")
    import pikepdf

    with pikepdf.open(pdf) as doc:
        assert len(doc.pages) == len(pages)
        box = [float(v) for v in doc.pages[0].mediabox]
        assert abs(box[2] - 595.3) < 1 and abs(box[3] - 841.9) < 1  # A4 in points
    names = write_pages(pages, tmp_path / "out", "Z420102-HD·2024-D10-GC-0001", fmt="png")
    assert [p.name for p in names][-1].endswith(f"-{len(pages):04d}.png")
    assert not list((tmp_path / "in").glob(".*.part"))


def test_levenshtein_and_accuracy():
    assert levenshtein("张伟华", "张伟") == 1 and levenshtein("", "abc") == 3
    assert char_accuracy("核对（编号）：１２", "核对 (编号):12") == 1.0
    assert char_accuracy("abcd", "zzzzzzzz") == 0.0


@pytest.mark.slow
def test_tesseract_accuracy_on_scanned_pages(households):
    """OCR a 300-dpi "scan" preset plain page and home-visit page. Only the plain page is
    held to a bar; the home-visit figure is printed (ruling lines hurt Tesseract)."""
    from tests.synthetic.ocr import have_tesseract, tesseract

    if not have_tesseract():
        pytest.skip("tesseract with chi_sim+eng is not installed")
    scores = {}
    for form in ("plain", "home_visit"):
        r = render_form(form, households[0], dpi=300)
        scan = degrade(r.images[0], "scan", seed=0)
        scores[form] = char_accuracy(r.page_texts[0], tesseract(scan, lang="chi_sim+eng"))
    print(
        f"\nTesseract chi_sim+eng character accuracy (1 - CER), scan preset, 300 dpi: "
        f"plain {scores['plain']:.3f}, home_visit {scores['home_visit']:.3f}"
    )
    assert scores["plain"] >= 0.95
