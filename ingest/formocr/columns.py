"""Which table cells hold names and short coded values, found by their column's header cell.

A column is recognised by the text of its header cell on the page (姓名, 性别, 与户主关系 or
家庭关系, 婚姻状况, 年龄), not by its position, so a form printed with its columns in another
order or width is read the same way. The cells below a header, aligned with it, until a cell
that is not (a merged row, the next section of the table) hold that column's values.
"""

from __future__ import annotations

import re

from ingest.formocr.grid import Cell

# (kind, the header's keyword); the first that a header cell's text contains wins.
HEADERS = (
    ("name", "姓名"),
    ("relation", "关系"),
    ("sex", "性别"),
    ("age", "年龄"),
    ("marital", "婚姻"),
)
RELATIONS = (
    "本人",
    "户主",
    "配偶",
    "子",
    "女",
    "儿子",
    "女儿",
    "长子",
    "次子",
    "长女",
    "次女",
    "孙子",
    "孙女",
    "外孙子",
    "外孙女",
    "父亲",
    "母亲",
    "父子",
    "母子",
    "公公",
    "婆婆",
    "岳父",
    "岳母",
    "兄弟",
    "姐妹",
    "兄",
    "弟",
    "姐",
    "妹",
    "儿媳",
    "女婿",
    "祖父",
    "祖母",
    "其他",
)
VOCABULARY: dict[str, tuple[str, ...]] = {
    "sex": ("男", "女"),
    "relation": RELATIONS,
    "marital": ("已婚", "未婚", "丧偶", "离异", "离婚", "再婚"),
}
_LABEL_MAX = 14


def _plain(text: str) -> str:
    return re.sub(r"\s", "", text)


def header_kind(text: str) -> str | None:
    """The column kind a header cell's text names, if any."""
    t = _plain(text)
    if not t or len(t) > _LABEL_MAX:
        return None
    return next((kind for kind, key in HEADERS if key in t), None)


def column_cells(cells: list[Cell], dpi: float) -> dict[int, str]:
    """``{cell index: kind}`` for the value cells under each recognised header cell."""
    tol = max(6, int(dpi * 0.03))
    out: dict[int, str] = {}
    kinds = [header_kind(c.text) for c in cells]
    per_row: dict[tuple[int, int], int] = {}
    for c, kind in zip(cells, kinds, strict=True):
        if kind:
            per_row[c.table, c.row] = per_row.get((c.table, c.row), 0) + 1
    for hi, head in enumerate(cells):
        kind = kinds[hi]
        # A header row names several columns (姓名 性别 关系 …); a lone 户主姓名 beside its
        # value is a label of the form's header lines, and the column under it holds other
        # labels (地址, 共同生活家庭成员…), not names.
        if kind is None or per_row[head.table, head.row] < 2:
            continue
        hx0, hy0, hx1, _ = head.box
        below = sorted(
            (
                i
                for i, c in enumerate(cells)
                if c.table == head.table and c.box[1] > hy0 and i != hi
            ),
            key=lambda i: cells[i].box[1],
        )
        for i in below:
            x0, _, x1, _ = cells[i].box
            if x1 <= hx0 + tol or x0 >= hx1 - tol:
                continue  # another column
            if abs(x0 - hx0) > tol or abs(x1 - hx1) > tol or header_kind(cells[i].text):
                break  # a merged row or the next header: the column ends
            out.setdefault(i, kind)
    return out


def distance(a: str, b: str) -> int:
    """Levenshtein distance (insert, delete, substitute: 1 each); the one used by the column
    vocabularies, the templates' title keywords and the known-name matching."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]
