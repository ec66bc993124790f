"""Ruling lines and cells (no Tesseract)."""

from __future__ import annotations

import numpy as np

from ingest.formocr.grid import analyse, rotate
from tests.synthetic import render_form
from tests.synthetic.degrade import degrade


def test_home_visit_grid_has_rows_columns_and_spans(households):
    page = render_form("home_visit", households[0]).images[0]
    grid = analyse(np.asarray(page.convert("L")), 300)
    assert len(grid.tables) == 1
    cells = {(c.row, c.col): c for c in grid.cells}
    # 11 columns; the member header row; the rowspan label of the members block.
    assert max(c.col + c.colspan for c in grid.cells) == 11
    assert cells[(0, 0)].rowspan == 5
    assert all((0, col) in cells for col in range(11))
    # Lines are gone from the cleaned page: far fewer dark pixels.
    before = (np.asarray(page.convert("L")) < 128).sum()
    assert (grid.clean < 128).sum() < before * 0.7


def test_report_tables_are_found_on_a_bw_scan(households):
    page = degrade(render_form("report", households[0]).images[0], "scan_bw", seed=1)
    grid = analyse(np.asarray(page.convert("L")), 300)
    assert len(grid.tables) == 5
    assert sorted({c.col for c in grid.cells if c.table == 0}) == list(range(6))


def test_skewed_page_is_straightened(households):
    grey = np.asarray(render_form("report", households[0]).images[0].convert("L"))
    grid = analyse(rotate(grey, 1.5), 300)
    assert abs(grid.angle + 1.5) < 0.3 or abs(grid.angle - 1.5) < 0.3
    assert len(grid.tables) == 5


def _cells_labelling_the_whole_page(grid_mask: np.ndarray, dpi: float) -> list[tuple]:
    """The cells as ``grid.enclosed_cells`` found them before it labelled only the box around the
    lines: every free region of the whole page."""
    import cv2

    h, w = grid_mask.shape
    n, _, stats, _ = cv2.connectedComponentsWithStats((grid_mask == 0).astype(np.uint8), 4)
    out = []
    for x, y, cw, ch, area in stats[1:]:
        if x == 0 or y == 0 or x + cw >= w or y + ch >= h:
            continue
        if cw < int(dpi * 0.08) or ch < int(dpi * 0.12) or cw * ch > 0.6 * w * h:
            continue
        if area >= 0.6 * cw * ch:
            out.append((int(x), int(y), int(x + cw), int(y + ch)))
    return out


def test_cells_are_those_of_the_whole_page(households):
    from ingest.formocr.grid import enclosed_cells

    for form, preset in (("home_visit", "scan"), ("report", "scan_bw"), ("plain", "scan")):
        page = degrade(render_form(form, households[0]).images[0], preset, seed=3)
        grey = np.asarray(page.convert("L"))
        grid = analyse(grey, 300)
        mask = np.zeros_like(grey)
        # A grid that reaches the page's edge on one side and not the others.
        mask[:, 400:405] = mask[300:305, 400:] = mask[900:905, 400:] = 255
        mask[300:905, 1200:1205] = mask[300:905, 2000:2005] = 255
        for lines in (grid.line_mask, mask):
            found = [c.box for c in enclosed_cells(lines, 300)]
            assert sorted(found) == sorted(_cells_labelling_the_whole_page(lines, 300))
            assert found == sorted(found, key=lambda b: (b[1], b[0]))
        assert form == "plain" or grid.cells


def test_the_grid_gives_its_ink_without_the_lines(households):
    from ingest.formocr.grid import binarize

    grey = np.asarray(render_form("home_visit", households[0]).images[0].convert("L"))
    grid = analyse(grey, 300)
    assert grid.ink is not None and not grid.ink[grid.line_mask > 0].any()
    # Away from the lines it is the page's binarisation.
    far = cv2_dilate(grid.line_mask, 80) == 0
    assert (grid.ink[far] == binarize(grey)[far]).all()
    assert grid.ink[far].any()


def cv2_dilate(mask: np.ndarray, size: int) -> np.ndarray:
    import cv2

    return cv2.dilate(mask, np.ones((size, size), np.uint8))
