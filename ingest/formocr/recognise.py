"""Table-aware recognition of one page image.

1. ``grid.analyse`` finds the ruling lines and the cells; the lines are painted white.
2. The text outside the tables (title, paragraphs, label lines) is read in one Tesseract call
   on the page with the tables blanked (``--psm 4``, one column of lines of varying size),
   its blank bands squeezed out and cropped to the text (``_page_pass``).
   The cells are cut out (trimmed to their ink), stacked into one tall strip with white
   space between them and read in one more call (``--psm 6``; one call for both, the strip
   below the page at ``--psm 4``, read two-line header cells and lone 无 worse); the words
   are mapped back to their cells by their position in the strip. Tesseract is called through
   its library, loaded once per process (``tessapi``).
3. The cells of the name and coded columns (``columns``: found by their header cell's text)
   and the cell lines Tesseract is unsure of are read again by PP-OCRv4 (``cellread``); the
   coded columns (性别, 关系, 婚姻) take their vocabulary's word when the reading is near it.

Tesseract runs single-threaded (``OMP_THREAD_LIMIT=1``) with ``chi_sim`` (``chi_sim+eng``
reads some Chinese lines as English nonsense). Spaces Tesseract puts between Chinese
characters are removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import cv2
import numpy as np

from ingest.formocr import cellread, columns, numbercells, tessapi
from ingest.formocr.grid import Cell, analyse
from ingest.formocr.rectify import find_page, flatten, unwarp_box
from ingest.formocr.textbox import text_box

LANG = "chi_sim"
CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_SPACE = re.compile(rf"(?<=[{CJK}])\s+|\s+(?=[{CJK}])")


def join_words(words: list[str]) -> str:
    return _SPACE.sub("", " ".join(w for w in words if w.strip()))


@dataclass
class Word:
    text: str
    box: tuple[int, int, int, int]
    conf: float = 100.0  # Tesseract's confidence, 0–100


@dataclass
class Line:
    text: str
    box: tuple[int, int, int, int]
    words: list[Word]
    cell: int | None = None  # index into PageResult.cells


@dataclass
class PageResult:
    width: int
    height: int
    dpi: float
    lines: list[Line] = field(default_factory=list)  # reading order
    cells: list[Cell] = field(default_factory=list)
    tables: list[tuple[int, int, int, int]] = field(default_factory=list)
    warp: list | None = None  # flattened page → image homography (a document-camera photo)
    unsure: list[dict] = field(default_factory=list)  # cells read two ways (numbercells)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def as_json(self) -> dict:
        return {
            "size": [self.width, self.height],
            "dpi": self.dpi,
            "tables": [list(t) for t in self.tables],
            "warp": self.warp,
            "cells": [c.as_json() for c in self.cells],
            "lines": [{"text": ln.text, "box": list(ln.box), "cell": ln.cell} for ln in self.lines],
            **({"unsure": self.unsure} if self.unsure else {}),
        }


def _tesseract(image: np.ndarray, psm: int, dpi: float, lang: str = LANG) -> dict:
    # One loaded engine per process, the image handed over in memory (tessapi).
    return tessapi.image_to_data(image, psm, dpi, lang)


def _lines(data: dict, dx: int = 0, dy: int = 0) -> list[Line]:
    """Tesseract's words grouped into its lines, boxes shifted by (dx, dy)."""
    groups: dict[tuple[int, int, int], list[Word]] = {}
    for i, text in enumerate(data["text"]):
        if not text.strip() or float(data["conf"][i]) < 0:
            continue
        x, y, w, h = (data[k][i] for k in ("left", "top", "width", "height"))
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        groups.setdefault(key, []).append(
            Word(
                text.strip(),
                (x + dx, y + dy, x + w + dx, y + h + dy),
                float(data["conf"][i]),
            )
        )
    out = []
    for words in groups.values():
        box = (
            min(w.box[0] for w in words),
            min(w.box[1] for w in words),
            max(w.box[2] for w in words),
            max(w.box[3] for w in words),
        )
        out.append(Line(join_words([w.text for w in words]), box, words))
    return out


def _ink_box(
    ink: np.ndarray, box: tuple[int, int, int, int], inset: int
) -> tuple[int, int, int, int] | None:
    x0, y0, x1, y1 = box
    x0, y0, x1, y1 = x0 + inset, y0 + inset, x1 - inset, y1 - inset
    if x1 <= x0 or y1 <= y0:
        return None
    region = ink[y0:y1, x0:x1]
    # Ignore specks: keep components of a few pixels or more.
    n, _, stats, _ = cv2.connectedComponentsWithStats(region, connectivity=8)
    keep = [i for i in range(1, n) if stats[i][4] >= 6]
    if not keep:
        return None
    xs0 = min(stats[i][0] for i in keep)
    ys0 = min(stats[i][1] for i in keep)
    xs1 = max(stats[i][0] + stats[i][2] for i in keep)
    ys1 = max(stats[i][1] + stats[i][3] for i in keep)
    if (xs1 - xs0) * (ys1 - ys0) < 40:
        return None
    return (int(x0 + xs0), int(y0 + ys0), int(x0 + xs1), int(y0 + ys1))


def recognise(grey: np.ndarray, dpi: float = 300.0) -> PageResult:
    """Read a greyscale page (uint8 array) table-aware. A photo of a sheet on a desk is
    flattened first; the boxes returned are always on ``grey``."""
    corners = find_page(grey)
    if corners is None:
        return _recognise(grey, dpi)
    flat, inverse = flatten(grey, corners)
    result = _recognise(flat, dpi)
    # Words (the text layer) go back onto the photo; cells, tables and lines stay on the
    # flattened page (their layout is what extraction reads), with ``warp`` to map them.
    result.warp = inverse.tolist()
    for line in result.lines:
        for word in line.words:
            word.box = unwarp_box(word.box, inverse)
    return result


def _recognise(grey: np.ndarray, dpi: float) -> PageResult:
    h, w = grey.shape
    grid = analyse(grey, dpi)
    result = PageResult(w, h, dpi, cells=grid.cells, tables=grid.tables)
    clean = grid.clean
    # The grid's own binarisation, its ruling lines taken out (binarising the cleaned page
    # again cost 0.14 CPU s a page; near a removed line a pixel or two of ink differ).
    ink = grid.ink
    # Text outside the tables.
    outside = clean.copy()
    ink_outside = ink.copy()
    for x0, y0, x1, y1 in grid.tables:
        outside[max(0, y0 - 6) : y1 + 6, max(0, x0 - 6) : x1 + 6] = 255
        ink_outside[max(0, y0 - 6) : y1 + 6, max(0, x0 - 6) : x1 + 6] = 0
    lines = _page_pass(outside, ink_outside, dpi)
    # The cells, stacked into one strip.
    pad = max(4, int(dpi * 0.02))
    gap = max(20, int(dpi * 0.12))
    crops, placed = [], []
    y = gap
    for index, cell in enumerate(grid.cells):
        box = _ink_box(ink, cell.box, inset=max(2, int(dpi * 0.008)))
        if box is None:
            continue
        x0, y0, x1, y1 = box
        x0, y0 = max(0, x0 - pad), max(0, y0 - pad)
        x1, y1 = min(w, x1 + pad), min(h, y1 + pad)
        crops.append((clean[y0:y1, x0:x1], y))
        placed.append((index, y, y + (y1 - y0), x0, y0))
        y += (y1 - y0) + gap
    if crops:
        width = max(c.shape[1] for c, _ in crops) + 2 * gap
        strip = np.full((y, width), 255, np.uint8)
        for crop, top in crops:
            strip[top : top + crop.shape[0], gap : gap + crop.shape[1]] = crop
        for ln in _lines(_tesseract(strip, 6, dpi)):
            cy = (ln.box[1] + ln.box[3]) / 2
            hit = next((p for p in placed if p[1] - gap / 2 <= cy < p[2] + gap / 2), None)
            if hit is None or not ln.text:
                continue
            index, top, _, x0, y0 = hit
            dx, dy = x0 - gap, y0 - top
            words = [Word(wd.text, _shift(wd.box, dx, dy), wd.conf) for wd in ln.words]
            lines.append(Line(ln.text, _shift(ln.box, dx, dy), words, cell=index))
    if cellread.available():
        _set_texts(lines, grid.cells)
        lines = _reread(lines, grid.cells, clean, ink, dpi)
        lines, result.unsure = _reread_ids(lines, grid.cells, clean, ink, dpi)
    _set_texts(lines, grid.cells)
    result.lines = _reading_order(lines, grid.cells)
    return result


def _page_pass(outside: np.ndarray, ink: np.ndarray, dpi: float) -> list[Line]:
    """Tesseract (``--psm 4``) on the text outside the tables, the blank bands squeezed out.

    With the tables blanked, most of a form's page is white paper, and Tesseract's layout
    analysis costs about 0.15 CPU s a page on it (docs/benchmarks.md "Ingest"). Bands of
    blank rows taller than half an inch are cut down to a fifth of an inch above and below
    the text (still a wide gap between blocks for ``--psm 4``), and the image is cropped to
    the text's columns; the words' boxes are mapped back onto the page."""
    h, w = outside.shape
    rows = np.flatnonzero(ink.any(axis=1))
    if rows.size == 0:
        return []
    cols = np.flatnonzero(ink.any(axis=0))
    margin = max(20, int(dpi * 0.2))
    x0, x1 = max(0, int(cols[0]) - margin), min(w, int(cols[-1]) + 1 + margin)
    # Every row within ``margin`` of a row with ink is kept.
    edges = np.zeros(h + 1, np.int32)
    np.add.at(edges, np.maximum(rows - margin, 0), 1)
    np.add.at(edges, np.minimum(rows + margin + 1, h), -1)
    keep = np.cumsum(edges[:h]) > 0
    ys = np.flatnonzero(keep)
    found = _lines(_tesseract(np.ascontiguousarray(outside[ys, x0:x1]), 4, dpi))
    out = []
    for ln in found:
        if not ln.text:
            continue
        words = [Word(wd.text, _unsqueeze(wd.box, ys, x0), wd.conf) for wd in ln.words]
        out.append(Line(ln.text, _unsqueeze(ln.box, ys, x0), words))
    return out


def _unsqueeze(box, ys: np.ndarray, dx: int) -> tuple[int, int, int, int]:
    last = len(ys) - 1
    top = int(ys[min(max(box[1], 0), last)])
    bottom = int(ys[min(max(box[3] - 1, 0), last)]) + 1
    return (int(box[0] + dx), top, int(box[2] + dx), bottom)


def _shift(box, dx, dy):
    return (int(box[0] + dx), int(box[1] + dy), int(box[2] + dx), int(box[3] + dy))


def _reading_order(lines: list[Line], cells: list[Cell]) -> list[Line]:
    """Top to bottom; a table's lines row by row, cell by cell, at the table's place."""

    def key(ln: Line):
        if ln.cell is None:
            return (ln.box[1], 0, 0, 0, ln.box[1])
        c = cells[ln.cell]
        # Lines of a cell sort at the cell's row top, then by column, then by their y.
        return (_row_top(cells, c), 1, c.col, 0, ln.box[1])

    return sorted(lines, key=key)


def _row_top(cells: list[Cell], cell: Cell) -> int:
    tops = [c.box[1] for c in cells if c.table == cell.table and c.row == cell.row]
    return min(tops) if tops else cell.box[1]


def _set_texts(lines: list[Line], cells: list[Cell]) -> None:
    for cell in cells:
        cell.lines = []
    for ln in lines:
        if ln.cell is not None:
            cells[ln.cell].lines.append(ln.text)
    for cell in cells:
        cell.text = "".join(cell.lines)


# A cell line whose least sure word Tesseract rates below this is read again by PP-OCR.
LOW_CONF = 85.0
_HAN = re.compile(r"[\u3400-\u9fff]")


def _reread(
    lines: list[Line], cells: list[Cell], clean: np.ndarray, ink: np.ndarray, dpi: float
) -> list[Line]:
    """Name and coded cells (found by their column header) and unsure lines of the other
    cells, read again by PP-OCR; their Tesseract lines are replaced."""
    h, w = clean.shape
    kinds = columns.column_cells(cells, dpi)
    pad = max(3, int(dpi * 0.015))
    inset = max(2, int(dpi * 0.008))
    jobs: list[tuple[str, int, tuple[int, int, int, int], Line | None]] = []
    crops = []
    # A line less tall than a small character is specks read as text (可于 in boxes of 2×2
    # pixels for the dots around a 无 on a heavy scan; PP-OCR then read 123 on that sliver):
    # its cell counts as one Tesseract found no text in.
    low = dpi * 0.03
    read_by_tesseract = {
        ln.cell for ln in lines if ln.cell is not None and ln.box[3] - ln.box[1] >= low
    }
    # A cell with ink that Tesseract found no text in (a lone 无 or 女 is often dropped) is
    # read whole, as is every cell of a name or coded column.
    whole = dict(kinds)
    for i in range(len(cells)):
        if i not in read_by_tesseract and i not in whole:
            whole[i] = "text"
    for i, kind in whole.items():
        # The text's own box (``textbox``): on a heavy scan the whole cell's ink box is
        # mostly specks, and PP-OCR misreads a line lost in it.
        box = text_box(ink, cells[i].box, inset, dpi)
        if box is None:
            continue
        x0, y0, x1, y1 = box
        jobs.append((kind, i, box, None))
        crops.append(clean[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad) : x1 + pad])
    for ln in lines:
        if ln.cell is None or ln.cell in whole or not _HAN.search(ln.text):
            continue
        if min(wd.conf for wd in ln.words) >= LOW_CONF:
            continue
        x0, y0, x1, y1 = ln.box
        # Widened by half a line height: a character Tesseract dropped at an end is kept.
        grow = (y1 - y0) // 2
        cx0, cy0, cx1, cy1 = cells[ln.cell].box
        a, c = max(cx0, x0 - grow), min(cx1, x1 + grow)
        b, d = max(cy0, y0 - grow // 3), min(cy1, y1 + grow // 3)
        if c - a < 4 or d - b < 4:
            continue
        jobs.append(("text", ln.cell, ln.box, ln))
        crops.append(clean[b:d, a:c])
    if not crops:
        return lines
    probs = cellread.probabilities([cv2.cvtColor(c, cv2.COLOR_GRAY2BGR) for c in crops])
    replaced_cells: dict[int, Line] = {}
    replaced_lines: dict[int, Line] = {}
    for (kind, i, box, old), p in zip(jobs, probs, strict=True):
        text = _value(kind, p)
        if not text:
            continue
        line = Line(text, box, [Word(text, box)], cell=i)
        if old is None:
            replaced_cells[i] = line
        else:
            replaced_lines[id(old)] = line
    out = [replaced_lines.get(id(ln), ln) for ln in lines if ln.cell not in replaced_cells]
    return out + list(replaced_cells.values())


def _reread_ids(
    lines: list[Line], cells: list[Cell], clean: np.ndarray, ink: np.ndarray, dpi: float
) -> tuple[list[Line], list[dict]]:
    """ID and amount cells whose reading fails its check (check digit, format), read again
    (``numbercells``): a reading by PP-OCR that passes replaces the cell's lines. Valid IDs
    Tesseract is unsure of are read a second time: two valid readings that differ are
    returned as doubts (the cell keeps Tesseract's). Lines holding a misread date get the
    date PP-OCR reads there when it agrees with the digits read."""
    texts: dict[int, str] = {}
    confs: dict[int, float] = {}
    for ln in lines:
        if ln.cell is not None:
            texts[ln.cell] = texts.get(ln.cell, "") + ln.text
            confs[ln.cell] = min([confs.get(ln.cell, 100.0), *(wd.conf for wd in ln.words)])
    checked = numbercells.check(texts, [c.box for c in cells], clean, ink, dpi, confs)
    kept = [ln for ln in lines if ln.cell not in checked.found]
    lines = kept + [Line(t, box, [Word(t, box)], cell=i) for i, (t, box) in checked.found.items()]
    dates = numbercells.reread_dates([(ln.text, ln.box) for ln in lines], clean)
    for i, text in dates.items():
        ln = lines[i]
        lines[i] = Line(text, ln.box, [Word(text, ln.box)], cell=ln.cell)
    return lines, checked.doubts


def _value(kind: str, probs: np.ndarray) -> str:
    """What PP-OCR reads, constrained by the column: a coded column's word from its
    vocabulary when the reading supports it clearly, a name's characters, an age's digits."""
    text, _conf = cellread.decode(probs)
    text = join_words([text])
    vocabulary = columns.VOCABULARY.get(kind)
    if vocabulary:
        if text in vocabulary:
            return text
        word, margin = cellread.choose(probs, vocabulary)
        # Only a near reading is corrected (未偶 → 丧偶, 区 → 女): a cell that says something
        # else (a value under a look-alike header) keeps what was read.
        near = columns.distance(text, word) <= max(1, len(word) // 2)
        return word if word and near and margin >= VOCAB_MARGIN else text
    if kind == "age":
        return re.sub(r"\D", "", text)
    if kind == "name":
        return "".join(re.findall(r"[\u3400-\u9fff·]", text))
    return text


# Log-likelihood by which the best vocabulary word must beat the next (e^3 ≈ 20 times).
VOCAB_MARGIN = 3.0
