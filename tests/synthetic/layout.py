"""A tiny page-layout engine: paragraphs and ruled tables flowed onto A4 pages.

Layout is done once, in millimetres, and gives :class:`Page` objects holding text runs
(baseline positions), ruling lines and the ground-truth text lines with their boxes. The
same pages are then drawn by :mod:`.render` as images (Pillow) or as a PDF (reportlab), so
the two always agree. Text metrics come from WenQuanYi Zen Hei, the font both backends use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from PIL import ImageFont

FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
PT = 25.4 / 72  # millimetres per point
A4 = (210.0, 297.0)
# WenQuanYi ideographs span about 0.83 em above and 0.12 em below the baseline: a line is
# visually centred on y when its baseline is at y + 0.355 em.
_CENTRE_TO_BASELINE = 0.355
# Characters that must not start a line (they hang at the end of the previous one instead).
_NO_LINE_START = set("，。、；：？！）》」』”’,.;:?!)%")
_NO_LINE_END = set("（《「『“‘(")
_TOKEN = re.compile(r"[A-Za-z0-9.,:/%·+\-]+| +|.", re.DOTALL)


@lru_cache(maxsize=1)
def _metric_font() -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_PATH, 1000, index=0)


@lru_cache(maxsize=65536)
def _em(text: str) -> float:
    return _metric_font().getlength(text) / 1000


def text_width(text: str, size_pt: float) -> float:
    """Advance width of ``text`` in mm at ``size_pt``."""
    return _em(text) * size_pt * PT


def wrap(text: str, width: float, size: float, first_width: float | None = None) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` mm (the first ``first_width``).

    Breaks anywhere between ideographs, keeps runs of Latin letters and digits (IDs, amounts)
    together unless a run alone is too wide, and never starts a line with closing
    punctuation nor ends one with an opening bracket. Explicit newlines are kept.
    """
    out: list[str] = []
    for para in text.split("\n"):
        line = ""
        limit = first_width if (first_width is not None and not out) else width
        for tok in _TOKEN.findall(para):
            if line and text_width(line + tok, size) > limit and tok[0] not in _NO_LINE_START:
                if tok.isspace():
                    continue
                carry = ""
                if len(line) > 1 and line[-1] in _NO_LINE_END:  # opening brackets move down
                    line, carry = line[:-1], line[-1]
                out.append(line.rstrip())
                line, limit = carry, width
            if not line and tok.isspace():
                continue
            while text_width(tok, size) > limit and len(tok) > 1:  # an over-long run: split it
                cut = len(tok) - 1
                while cut > 1 and text_width(line + tok[:cut], size) > limit:
                    cut -= 1
                out.append(line + tok[:cut])
                line, tok, limit = "", tok[cut:], width
            line += tok
        out.append(line.rstrip())
    return out


@dataclass
class Run:
    """A piece of text drawn with its baseline's left end at (x, y), in mm from top-left."""

    x: float
    y: float
    size: float  # points
    text: str
    bold: bool = False
    color: tuple[int, int, int] = (0, 0, 0)


@dataclass
class Rule:
    """A straight line from (x0, y0) to (x1, y1) mm, ``width`` in points."""

    x0: float
    y0: float
    x1: float
    y1: float
    width: float = 0.5
    color: tuple[int, int, int] = (0, 0, 0)


@dataclass
class Ellipse:
    box: tuple[float, float, float, float]  # mm
    width: float
    color: tuple[int, int, int]


@dataclass
class TextLine:
    """One ground-truth line: its text and its box (x0, y0, x1, y1) in mm on the page."""

    text: str
    box: tuple[float, float, float, float]
    kind: str = "text"  # title, text, header (table heading cell), cell

    def box_px(self, dpi: float) -> tuple[int, int, int, int]:
        f = dpi / 25.4
        return tuple(round(v * f) for v in self.box)  # type: ignore[return-value]


@dataclass
class Page:
    width: float
    height: float
    runs: list[Run] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    ellipses: list[Ellipse] = field(default_factory=list)
    lines: list[TextLine] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass
class Cell:
    text: str = ""
    colspan: int = 1
    rowspan: int = 1
    align: str = "center"  # center, left
    bold: bool = False
    header: bool = False
    size: float | None = None  # points; the table's size when None


class Flow:
    """Flows blocks top to bottom over as many pages as needed."""

    def __init__(
        self,
        landscape: bool = False,
        margins: tuple[float, float, float, float] = (22.0, 20.0, 20.0, 20.0),  # t, r, b, l
        size: float = 12.0,
    ) -> None:
        self.width, self.height = (A4[1], A4[0]) if landscape else A4
        self.top, right, bottom, self.left = margins
        self.right = self.width - right
        self.bottom = self.height - bottom
        self.size = size
        self.pages: list[Page] = []
        self.new_page()

    @property
    def page(self) -> Page:
        return self.pages[-1]

    @property
    def measure(self) -> float:
        return self.right - self.left

    def new_page(self) -> None:
        self.pages.append(Page(self.width, self.height))
        self.y = self.top

    def space(self, mm: float) -> None:
        self.y = min(self.y + mm, self.bottom)

    def _text_line(self, x, top, h, text, size, bold=False, kind="text", page=None) -> None:
        page = page or self.page
        base = top + h / 2 + _CENTRE_TO_BASELINE * size * PT
        page.runs.append(Run(x, base, size, text, bold))
        w = text_width(text, size)
        half = 0.5 * size * PT
        box = (x, top + h / 2 - half, x + w, top + h / 2 + half)
        if text.strip():
            page.lines.append(TextLine(" ".join(text.split()), box, kind))

    def paragraph(
        self,
        text: str,
        size: float | None = None,
        indent: float = 2.0,  # in characters (em) on the first line
        align: str = "left",  # left, center, right
        spacing: float = 1.6,
        bold: bool = False,
        after: float = 0.0,
        kind: str = "text",
        x_offset: float = 0.0,
    ) -> None:
        size = size or self.size
        lh = size * PT * spacing
        ind = indent * size * PT if align == "left" else 0.0
        width = self.measure - x_offset
        for i, line in enumerate(wrap(text, width, size, first_width=width - ind)):
            if self.y + lh > self.bottom:
                self.new_page()
            w = text_width(line, size)
            x = self.left + x_offset + (ind if i == 0 else 0.0)
            if align == "center":
                x = self.left + (self.measure - w) / 2
            elif align == "right":
                x = self.right - w
            self._text_line(x, self.y, lh, line, size, bold, kind)
            self.y += lh
        self.space(after)

    def title(self, text: str, size: float = 18.0, after: float = 3.0) -> None:
        self.paragraph(
            text, size=size, align="center", bold=True, spacing=1.5, after=after, kind="title"
        )

    def pieces(
        self, items: list[tuple[str, float]], size: float | None = None, spacing: float = 1.6
    ) -> None:
        """One printed line made of pieces, each at an x offset (mm) from the left margin;
        its ground truth joins them with single spaces."""
        size = size or self.size
        lh = size * PT * spacing
        if self.y + lh > self.bottom:
            self.new_page()
        base = self.y + lh / 2 + _CENTRE_TO_BASELINE * size * PT
        x_end = self.left
        for text, dx in items:
            self.page.runs.append(Run(self.left + dx, base, size, text))
            x_end = self.left + dx + text_width(text, size)
        half = 0.5 * size * PT
        joined = " ".join(" ".join(t.split()) for t, _ in items if t.strip())
        box = (self.left + items[0][1], self.y + lh / 2 - half, x_end, self.y + lh / 2 + half)
        self.page.lines.append(TextLine(joined, box))
        self.y += lh

    def table(
        self,
        widths: list[float],
        rows: list[list[Cell | str]],
        size: float = 10.5,
        min_h: float = 8.0,
        pad: float = 1.2,
        spacing: float = 1.3,
        inner: float = 0.5,
        outer: float = 1.0,
        after: float = 3.0,
    ) -> None:
        """A ruled table. ``widths`` are relative column widths spread over the measure;
        cells span like HTML (a spanned position is skipped in later rows). Rows joined by a
        row-spanning cell stay on one page."""
        scale = self.measure / sum(widths)
        col_w = [w * scale for w in widths]
        xs = [self.left]
        for w in col_w:
            xs.append(xs[-1] + w)
        taken: set[tuple[int, int]] = set()
        placed: list[tuple[int, int, Cell, list[str]]] = []
        heights = [min_h] * len(rows)
        for r, row in enumerate(rows):
            c = 0
            for item in row:
                cell = item if isinstance(item, Cell) else Cell(str(item))
                while (r, c) in taken:
                    c += 1
                span_w = sum(col_w[c : c + cell.colspan]) - 2 * pad
                cs = cell.size or size
                lh = cs * PT * spacing
                lines = wrap(cell.text, span_w, cs) if cell.text else []
                placed.append((r, c, cell, lines))
                taken.update(
                    (r + dr, c + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan)
                )
                if cell.rowspan == 1:
                    heights[r] = max(heights[r], len(lines) * lh + 2 * pad)
                c += cell.colspan
        linked = [False] * len(rows)
        for r, _c, cell, lines in placed:
            if cell.rowspan > 1:
                last = min(r + cell.rowspan, len(rows)) - 1
                lh = (cell.size or size) * PT * spacing
                need = len(lines) * lh + 2 * pad - sum(heights[r : last + 1])
                if need > 0:
                    heights[last] += need
                for k in range(r, last):
                    linked[k] = True
        # Place rows, breaking pages only between unlinked rows.
        row_top: list[float] = [0.0] * len(rows)
        row_page: list[int] = [0] * len(rows)
        r = 0
        while r < len(rows):
            end = r
            while linked[end] and end + 1 < len(rows):
                end += 1
            block = sum(heights[r : end + 1])
            if self.y + block > self.bottom and self.y > self.top + 1:
                self.new_page()
            for k in range(r, end + 1):
                row_top[k], row_page[k] = self.y, len(self.pages) - 1
                self.y += heights[k]
            r = end + 1
        for r, c, cell, lines in placed:
            last = min(r + cell.rowspan, len(rows)) - 1
            x0, x1 = xs[c], xs[c + cell.colspan]
            y0, y1 = row_top[r], row_top[last] + heights[last]
            page = self.pages[row_page[r]]
            for seg in ((x0, y0, x1, y0), (x0, y1, x1, y1), (x0, y0, x0, y1), (x1, y0, x1, y1)):
                page.rules.append(Rule(*seg, width=inner))
            cs = cell.size or size
            lh = cs * PT * spacing
            start = y0 + (y1 - y0 - len(lines) * lh) / 2
            kind = "header" if cell.header else "cell"
            for i, line in enumerate(lines):
                w = text_width(line, cs)
                x = x0 + pad if cell.align == "left" else x0 + (x1 - x0 - w) / 2
                self._text_line(x, start + i * lh, lh, line, cs, cell.bold, kind, page)
        for p in sorted(set(row_page)):  # a heavier outer border on each page's part
            ks = [k for k in range(len(rows)) if row_page[k] == p]
            y0, y1 = row_top[ks[0]], row_top[ks[-1]] + heights[ks[-1]]
            for seg in (
                (xs[0], y0, xs[-1], y0),
                (xs[0], y1, xs[-1], y1),
                (xs[0], y0, xs[0], y1),
                (xs[-1], y0, xs[-1], y1),
            ):
                self.pages[p].rules.append(Rule(*seg, width=outer))
        self.space(after)
