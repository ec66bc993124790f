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
