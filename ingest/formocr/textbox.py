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

    Components of under 6 pixels are specks, and so are those shorter than a stroke (1/50
    inch) when there are strokes. The strokes are grouped into characters first:
    parts stacked one above the other (二's two strokes, 雪's 雨 over its ヨ, 芸's 艹 over
    云) are one character, so a character made of flat parts is not taken for specks. A
    group is text when it is at least half as tall as the tallest character-sized group (at
    most a quarter of an inch) and holds a stroke (a part at least a third of that height
    long); lone specks are neither. A comma, a decimal point or a name's · lie inside the
    characters' box anyway. Taller groups (a ruling line's remains) stay in, as they always
    did."""
    x0, y0, x1, y1 = box[0] + inset, box[1] + inset, box[2] - inset, box[3] - inset
    if x1 <= x0 or y1 <= y0:
        return None
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink[y0:y1, x0:x1], connectivity=8)
    parts = [tuple(int(v) for v in stats[i][:4]) for i in range(1, n) if stats[i][4] >= 6]
    if not parts:
        return None
    # Strokes are longer than any speck of a heavy scan (6 px at 300 dpi); only they are
    # grouped, or specks above and below the digits of an ID would make them look tall.
    stroke_min = dpi / 50
    strokes = [p for p in parts if max(p[2], p[3]) >= stroke_min]
    groups = _stacked(strokes or parts, gap=dpi / 12)
    sized = [g["box"][3] - g["box"][1] for g in groups if g["box"][3] - g["box"][1] <= dpi / 4]
    tallest = max(sized) if sized else max(g["box"][3] - g["box"][1] for g in groups)
    big = [
        g["box"]
        for g in groups
        if g["box"][3] - g["box"][1] >= tallest / 2 and g["longest"] >= tallest / 3
    ]
    if not big:
        return None
    left = min(b[0] for b in big)
    top = min(b[1] for b in big)
    right = max(b[2] for b in big)
    bottom = max(b[3] for b in big)
    if (right - left) * (bottom - top) < 40:
        return None
    return (x0 + left, y0 + top, x0 + right, y0 + bottom)


def _stacked(parts: list[tuple[int, int, int, int]], gap: float) -> list[dict]:
    """Parts (x, y, w, h) joined when one lies above the other: their spans across overlap by
    half the narrower one's width and the space between them is under ``gap`` (a third of a
    character at 300 dpi: 二's strokes, not the next line). Each group: its box (x0, y0, x1,
    y1) and its longest part's longer side. One sweep along x with a union-find: a heavy
    cell holds hundreds of specks."""
    boxes = sorted((x, y, x + w, y + h) for x, y, w, h in parts)
    parent = list(range(len(boxes)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            b = boxes[j]
            if b[0] >= a[2]:
                break  # sorted by x0: no later part reaches across a
            across = min(a[2], b[2]) - max(a[0], b[0])
            narrower = min(a[2] - a[0], b[2] - b[0])
            between = max(a[1], b[1]) - min(a[3], b[3])
            if across >= narrower / 2 and between < gap:
                parent[root(j)] = root(i)
    groups: dict[int, dict] = {}
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        g = groups.setdefault(root(i), {"box": (x0, y0, x1, y1), "longest": 0})
        b = g["box"]
        g["box"] = (min(b[0], x0), min(b[1], y0), max(b[2], x1), max(b[3], y1))
        g["longest"] = max(g["longest"], x1 - x0, y1 - y0)
    return list(groups.values())
