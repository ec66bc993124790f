"""Ruling lines and table cells of a page image (OpenCV morphology).

``analyse(grey, dpi)`` finds the horizontal and vertical ruling lines, returns the page with
them painted white (what Tesseract should see) and the cells they enclose, each with its
row and column in its table: a cell's row is the index of the horizontal line above it, its
column the index of the vertical line to its left, so spanning cells keep the first index.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np


@dataclass
class Cell:
    table: int
    row: int
    col: int
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in page pixels (inside the lines)
    rowspan: int = 1
    colspan: int = 1
    text: str = ""
    lines: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "table": self.table,
            "row": self.row,
            "col": self.col,
            "rowspan": self.rowspan,
            "colspan": self.colspan,
            "box": list(self.box),
            "text": self.text,
        }


@dataclass
class Grid:
    clean: np.ndarray  # greyscale page with the ruling lines removed
    cells: list[Cell]
    tables: list[tuple[int, int, int, int]]  # bounding box of each table
    line_mask: np.ndarray
    # The page's ink (``binarize``, 255 on 0) with the ruling lines (thickened) taken out:
    # what the cells' text boxes are measured on, so the page is not binarised again.
    ink: np.ndarray
    angle: float = 0.0


def binarize(grey: np.ndarray) -> np.ndarray:
    """Ink as 255 on 0. Adaptive, so uneven light (a document-camera photo) still works."""
    blur = cv2.GaussianBlur(grey, (3, 3), 0)
    block = max(31, (min(grey.shape) // 40) | 1)
    return cv2.adaptiveThreshold(
        blur, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY_INV, block, 15
    )


def ruling_lines(ink: np.ndarray, dpi: float) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the horizontal and vertical ruling lines (longer than any stroke of a
    character at body-text sizes)."""
    h_len = max(25, int(dpi * 0.33))
    v_len = max(20, int(dpi * 0.24))
    horizontal = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (h_len, 1))
    )
    vertical = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, v_len))
    )
    # Bridge small gaps (broken lines in a 1-bit scan) along each line's direction.
    gap = max(3, int(dpi * 0.02))
    horizontal = cv2.morphologyEx(
        horizontal, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (gap, 1))
    )
    vertical = cv2.morphologyEx(
        vertical, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, gap))
    )
    # A ruling line is long, or it meets a long one, and it is thin; the strokes of a large
    # bold title are neither (they would otherwise be removed and the title lost).
    reach = np.ones((9, 9), np.uint8)
    long_len = int(dpi * 1.0)
    long_h = _keep(horizontal, None, long_len, axis=1)
    long_v = _keep(vertical, None, long_len, axis=0)
    vertical = _keep(vertical, cv2.dilate(long_h, reach), long_len, axis=0)
    horizontal = _keep(horizontal, cv2.dilate(long_v, reach), long_len, axis=1)
    return horizontal, vertical


def _keep(mask: np.ndarray, other: np.ndarray | None, min_len: int, axis: int) -> np.ndarray:
    """Thin components of ``mask`` that touch ``other`` or are at least ``min_len`` long."""
    # Labelled inside the box around the mask's pixels only (the same components): a page
    # with few ruling lines costs little instead of four full-page labellings.
    x, y, w, h = cv2.boundingRect(mask)
    if w == 0 or h == 0:
        return mask
    n, labels, stats, _ = cv2.connectedComponentsWithStats(
        mask[y : y + h, x : x + w], connectivity=8
    )
    touching = np.zeros(n, bool)
    if other is not None:
        touching = np.bincount(labels[other[y : y + h, x : x + w] > 0], minlength=n) > 0
    length = stats[:, cv2.CC_STAT_HEIGHT if axis == 0 else cv2.CC_STAT_WIDTH]
    thin = stats[:, cv2.CC_STAT_AREA] <= np.maximum(length, 1) * max(6, min_len // 40)
    keep = (touching | (length >= min_len)) & thin
    keep[0] = False
    out = np.zeros_like(mask)
    # A uint8 look-up per label: no full-page int64 or bool copies.
    out[y : y + h, x : x + w] = (keep.astype(np.uint8) * 255)[labels]
    return out


def _extend(mask: np.ndarray, dpi: float, horizontal: bool) -> np.ndarray:
    """Lengthen line segments a little so that lines meet at the corners of cells."""
    reach = max(3, int(dpi * 0.03))
    size = (reach * 2 + 1, 1) if horizontal else (1, reach * 2 + 1)
    return cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_RECT, size))


def skew_angle(horizontal: np.ndarray) -> float:
    """Median angle (degrees) of the long horizontal ruling lines; 0 without any."""
    w = horizontal.shape[1]
    # Labelled inside the box around the lines only (the same components, shifted): a page
    # without ruling lines costs nothing.
    bx, by, bw, bh = cv2.boundingRect(horizontal)
    if bw < w / 4:
        return 0.0
    n, labels, stats, _ = cv2.connectedComponentsWithStats(
        horizontal[by : by + bh, bx : bx + bw], connectivity=8
    )
    angles, weights = [], []
    for i in range(1, n):
        if stats[i][2] < w / 4:
            continue
        ys, xs = np.nonzero(
            labels[stats[i][1] : stats[i][1] + stats[i][3], stats[i][0] : stats[i][0] + stats[i][2]]
            == i
        )
        if len(xs) < 50:
            continue
        slope = np.polyfit(xs, ys, 1)[0]
        angles.append(float(np.degrees(np.arctan(slope))))
        weights.append(stats[i][2])
    if not angles:
        return 0.0
    order = np.argsort(angles)
    cum = np.cumsum(np.asarray(weights)[order])
    return angles[order[np.searchsorted(cum, cum[-1] / 2)]]


def rotate(grey: np.ndarray, angle: float) -> np.ndarray:
    h, w = grey.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(grey, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def analyse(grey: np.ndarray, dpi: float = 300.0, deskew: float = 0.15) -> Grid:
    """``deskew``: rotate the page straight first when its lines lean more than this many
    degrees (boxes are then those of the straightened page, ``Grid.angle``)."""
    ink = binarize(grey)
    horizontal, vertical = ruling_lines(ink, dpi)
    angle = skew_angle(horizontal) if deskew else 0.0
    if abs(angle) > deskew:
        grey = rotate(grey, angle)
        ink = binarize(grey)
        horizontal, vertical = ruling_lines(ink, dpi)
    lines = cv2.bitwise_or(horizontal, vertical)
    # Remove the lines from the page: paint them (a little thickened) white.
    thick = cv2.dilate(lines, np.ones((3, 3), np.uint8), iterations=1)
    clean = grey.copy()
    clean[thick > 0] = 255
    ink[thick > 0] = 0
    grid_mask = cv2.bitwise_or(_extend(horizontal, dpi, True), _extend(vertical, dpi, False))
    grid_mask = cv2.dilate(grid_mask, np.ones((3, 3), np.uint8))
    cells = enclosed_cells(grid_mask, dpi)
    cells = [c for c in cells if not _is_frame(c, cells)]
    tables = _tables(grid_mask, cells)
    _assign(cells, tables)
    _index(cells, grid_mask)
    boxed = _boxed_text(cells)
    if boxed:
        # The title or header lines boxed in by the outer frame are page text, not cells:
        # without them the table's box shrinks and the page pass reads them.
        cells = [c for c in cells if c not in boxed]
        tables = _tables(grid_mask, cells)
        _assign(cells, tables)
        _index(cells, grid_mask)
    return Grid(clean=clean, cells=cells, tables=tables, line_mask=lines, angle=angle, ink=ink)


def _assign(cells: list[Cell], tables: list[tuple[int, int, int, int]]) -> None:
    for cell in cells:
        x0, y0, x1, y1 = cell.box
        cell.table = next(
            (
                i
                for i, (a, b, c, d) in enumerate(tables)
                if a <= x0 and b <= y0 and x1 <= c and y1 <= d
            ),
            0,
        )


def _is_frame(cell: Cell, cells: list[Cell]) -> bool:
    """A free region with other cells inside it is a frame around a table, not a cell."""
    x0, y0, x1, y1 = cell.box
    return any(
        o is not cell and x0 <= o.box[0] and y0 <= o.box[1] and o.box[2] <= x1 and o.box[3] <= y1
        for o in cells
    )


def _boxed_text(cells: list[Cell]) -> list[Cell]:
    """Cells spanning the whole width of their table in its first or last row, when the row
    next to them has several cells: the box an outer frame makes around a title, a header
    line (户主姓名…地址) or the signatures, which belong to the page text."""
    out = []
    for table in {c.table for c in cells}:
        members = [c for c in cells if c.table == table]
        cols = max(c.col + c.colspan for c in members)
        rows = max(c.row + c.rowspan for c in members)
        if cols < 3 or rows < 3:
            continue
        for row, nxt in ((0, 1), (rows - 1, rows - 2)):
            edge = [c for c in members if c.row == row and c.rowspan == 1]
            beside = [c for c in members if c.row <= nxt < c.row + c.rowspan]
            if len(edge) == 1 and edge[0].colspan == cols and len(beside) >= 2:
                out.append(edge[0])
    return out


def enclosed_cells(grid_mask: np.ndarray, dpi: float) -> list[Cell]:
    """The regions the ruling lines (``grid_mask``) enclose that are cells: rectangles of at
    least a small cell's size, not touching the page's edge; in page order."""
    h, w = grid_mask.shape
    # Labelled inside the box around the lines, one pixel wider (the same cells: a free
    # region that reaches that box's edge joins the page around the tables, which reaches
    # the page's edge). A page without ruling lines costs nothing.
    bx, by, bw, bh = cv2.boundingRect(grid_mask)
    if bw == 0 or bh == 0:
        return []
    x0, y0 = max(0, bx - 1), max(0, by - 1)
    x1, y1 = min(w, bx + bw + 1), min(h, by + bh + 1)
    free = (grid_mask[y0:y1, x0:x1] == 0).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(free, connectivity=4)
    min_w, min_h = int(dpi * 0.08), int(dpi * 0.12)
    cells = []
    for i in range(1, n):
        x, y, cw, ch, area = stats[i]
        if x == 0 or y == 0 or x + cw >= x1 - x0 or y + ch >= y1 - y0:
            continue  # the page around the tables
        x, y = x + x0, y + y0
        if cw < min_w or ch < min_h or cw * ch > 0.6 * w * h:
            continue
        if area < 0.6 * cw * ch:
            continue  # not a rectangle: an open region, not a cell
        cells.append(Cell(table=0, row=0, col=0, box=(int(x), int(y), int(x + cw), int(y + ch))))
    # Top to bottom, left to right: OpenCV numbers the regions in an order that depends on
    # how it splits the image into stripes (its thread count, the crop), not on the page.
    return sorted(cells, key=lambda c: (c.box[1], c.box[0]))


def _tables(grid_mask: np.ndarray, cells: list[Cell]) -> list[tuple[int, int, int, int]]:
    """Bounding boxes of the groups of touching cells (each group is one table)."""
    if not cells:
        return []
    boxes = [list(c.box) for c in cells]
    changed = True
    while changed:
        changed = False
        merged: list[list[int]] = []
        for b in boxes:
            for m in merged:
                if (
                    b[0] <= m[2] + 12
                    and m[0] <= b[2] + 12
                    and b[1] <= m[3] + 12
                    and m[1] <= b[3] + 12
                ):
                    m[:] = [min(m[0], b[0]), min(m[1], b[1]), max(m[2], b[2]), max(m[3], b[3])]
                    changed = True
                    break
            else:
                merged.append(list(b))
        boxes = merged
    return sorted((tuple(b) for b in boxes), key=lambda b: (b[1], b[0]))  # type: ignore[misc]


def _cluster(values: list[int], tol: int) -> list[int]:
    """Edges within ``tol`` of their neighbour are one ruling line (chained, so a line that
    leans a little across a wide table stays one), each given by its mean."""
    groups: list[list[int]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1] <= tol:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [round(sum(g) / len(g)) for g in groups]


def _index(cells: list[Cell], grid_mask: np.ndarray) -> None:
    """Row and column numbers (and spans) from the cell edges of each table."""
    for table in {c.table for c in cells}:
        members = [c for c in cells if c.table == table]
        tops = _cluster([c.box[1] for c in members] + [c.box[3] for c in members], 10)
        lefts = _cluster([c.box[0] for c in members] + [c.box[2] for c in members], 10)

        def near(edges: list[int], v: int) -> int:
            return min(range(len(edges)), key=lambda i: abs(edges[i] - v))

        for c in members:
            c.row, c.col = near(tops, c.box[1]), near(lefts, c.box[0])
            c.rowspan = max(1, near(tops, c.box[3]) - c.row)
            c.colspan = max(1, near(lefts, c.box[2]) - c.col)
        # Renumber rows and columns densely (top/bottom edges interleave in ``tops``).
        rows = sorted({c.row for c in members})
        cols = sorted({c.col for c in members})
        for c in members:
            end_r = c.row + c.rowspan
            end_c = c.col + c.colspan
            c.row = rows.index(c.row)
            c.col = cols.index(c.col)
            c.rowspan = max(1, sum(1 for r in rows if r < end_r) - c.row)
            c.colspan = max(1, sum(1 for k in cols if k < end_c) - c.col)
