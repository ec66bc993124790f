"""The box of the text inside a table cell, the specks of a noisy scan left out.

A heavy scan (noise, JPEG 60) leaves specks all over a cell after binarisation. The box of
all the ink is then the whole cell, and a text-line recogniser reads a crop that is mostly
empty paper (PP-OCR read 张作 for 张伟 in a 户主姓名 cell merged over three rows, and 212.23元
for 7,212.23元 in a cell as wide as the table); on the text's own box it reads them right.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np


def text_box(
    ink: np.ndarray, box: Sequence[int], inset: int, dpi: float = 300.0
) -> tuple[int, int, int, int] | None:
    """The box of the characters inside a cell (``ink``: 255 on 0, ruling lines removed).

    Components of under 6 pixels are specks; of the others, those under half as tall as the
    tallest character-sized one (at most a quarter of an inch) are left out unless they lie
    within the characters' span, as a comma, a decimal point or a name's · do. Taller
    components (a ruling line's remains) stay in, as they always did."""
    x0, y0, x1, y1 = box[0] + inset, box[1] + inset, box[2] - inset, box[3] - inset
    if x1 <= x0 or y1 <= y0:
        return None
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink[y0:y1, x0:x1], connectivity=8)
    parts = [stats[i] for i in range(1, n) if stats[i][4] >= 6]
    if not parts:
        return None
    sized = [int(p[3]) for p in parts if p[3] <= dpi / 4]
    tallest = max(sized) if sized else max(int(p[3]) for p in parts)
    big = [p for p in parts if p[3] >= tallest / 2]
    left = min(int(p[0]) for p in big)
    right = max(int(p[0] + p[2]) for p in big)
    top = min(int(p[1]) for p in big)
    bottom = max(int(p[1] + p[3]) for p in big)
    if (right - left) * (bottom - top) < 40:
        return None
    return (x0 + left, y0 + top, x0 + right, y0 + bottom)
