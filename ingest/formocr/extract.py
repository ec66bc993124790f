"""Field extraction: from the recognised cells of a document's pages, by its form template.

``extract_document(pages)`` takes the page structures that ``recognise`` produced (their
``as_json`` form, as stored) and returns ``{"template": name, "fields": {...}}`` (or ``{}``
when no template matches). Values are JSON-ready: amounts as ``"1234.50"``, dates ISO.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ingest.formocr.templates import load_templates, match_template, matches, norm

ID_FIX = str.maketrans({"O": "0", "o": "0", "D": "0", "I": "1", "l": "1", "|": "1", "x": "X"})
CN_NUM = re.compile(r"[\d.,，]+")


# --- values ---------------------------------------------------------------------------------


def convert(value: str, kind: str | None):
    v = norm(value)
    if kind in (None, "text"):
        return v
    if kind == "id":
        v = v.translate(ID_FIX)
        m = re.search(r"\d{17}[\dX]", v)
        return m.group(0) if m else v
    if kind == "digits":
        return re.sub(r"\D", "", v.translate(ID_FIX))
    if kind == "int":
        m = re.search(r"\d+", v.translate(ID_FIX))
        return int(m.group(0)) if m else None
    if kind == "amount":
        if not v or v.startswith("无"):
            return "0.00" if v else None
        m = CN_NUM.search(v)
        if not m:
            return "0.00"  # an amount cell without a digit says 无 (often misread alone)
        number = m.group(0).replace("，", ",").strip(".,")
        if number.count(".") > 1:  # a thousands comma read as a dot
            head, _, tail = number.rpartition(".")
            number = f"{head.replace('.', '')}.{tail}"
        try:
            return f"{Decimal(number.replace(',', '')):.2f}"
        except InvalidOperation:
            return v
    if kind == "date":
        m = re.search(r"(\d{4})年(\d{1,2})月(\d{1,2})日", v)
        return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}" if m else v
    if kind == "report_number":
        v = v.translate(str.maketrans({"O": "0", "I": "1", "l": "1"}))
        m = re.search(r"第?\d{17}[a-z]{2}[fst]\d+号?", v)
        if not m:
            return v
        core = m.group(0).removeprefix("第").removesuffix("号")
        return f"第{core}号"
    return v


# --- tables ---------------------------------------------------------------------------------


class Table:
    """One table of one page: cells looked up by (row, column), spans filled in."""

    def __init__(self, page: int, index: int, cells: list[dict], caption: str):
        self.page, self.index, self.caption = page, index, caption
        self.cells = cells
        self.rows = max((c["row"] + c["rowspan"] for c in cells), default=0)
        self.cols = max((c["col"] + c["colspan"] for c in cells), default=0)
        self.top = min((c["box"][1] for c in cells), default=0)

    def at(self, row: int, col: int) -> dict | None:
        for c in self.cells:
            if (
                c["row"] <= row < c["row"] + c["rowspan"]
                and c["col"] <= col < c["col"] + c["colspan"]
            ):
                return c
        return None

    def text(self, row: int, col: int) -> str:
        c = self.at(row, col)
        return c["text"] if c else ""

    def row_text(self, row: int) -> str:
        return "".join(
            c["text"] for c in sorted(self.cells, key=lambda c: c["col"]) if c["row"] == row
        )


def tables_of(pages: list[dict]) -> list[Table]:
    out = []
    for number, page in enumerate(pages):
        if not page:
            continue
        outside = [ln for ln in page.get("lines", []) if ln.get("cell") is None]
        for index, box in enumerate(page.get("tables", [])):
            cells = [c for c in page["cells"] if c["table"] == index]
            above = [
                ln for ln in outside if ln["box"][3] <= box[1] + 5 and ln["box"][3] > box[1] - 150
            ]
            caption = max(above, key=lambda ln: ln["box"][3])["text"] if above else ""
            out.append(Table(number, index, cells, caption))
    return out


def _header(table: Table, rows: int) -> list[str]:
    """Each column's label: the texts of the header rows covering it."""
    labels = []
    for col in range(table.cols):
        seen, parts = set(), []
        for row in range(rows):
            c = table.at(row, col)
            if c is not None and id(c) not in seen:
                seen.add(id(c))
                parts.append(c["text"])
        labels.append(norm("".join(parts)))
    return labels


def _header_start(table: Table, find: list, rows: int = 1) -> int | None:
    """The first row of the header: where ``rows`` rows together hold all of ``find``."""
    for row in range(min(table.rows, 12)):
        if matches(find, "".join(table.row_text(r) for r in range(row, row + rows))):
            return row
    return None


def read_table(table: Table, spec: dict) -> list[dict]:
    n_header = spec.get("header_rows", 1)
    start = _header_start(table, spec["find"], n_header)
    if start is None:
        return []
    labels = _header(_Shifted(table, start), n_header)
    columns: dict[str, list[int]] = {}
    for field, kws in spec["columns"].items():
        columns[field] = [i for i, label in enumerate(labels) if label and matches(kws, label)]
    per_row = max((len(v) for v in columns.values()), default=0)
    types = spec.get("types", {})
    group = spec.get("group")
    records = []
    for row in range(start + n_header, table.rows):
        if spec.get("until") and matches([spec["until"]], table.row_text(row)):
            break
        for k in range(per_row):
            rec = {}
            for field, cols in columns.items():
                if k < len(cols):
                    rec[field] = convert(table.text(row, cols[k]), types.get(field))
            if not any(v not in ("", None) for f, v in rec.items() if f in _own(spec)):
                continue
            if group:
                label = table.text(row, group["column"])
                rec["_group"] = next(
                    (name for kw, name in group["split"] if matches([kw], label)),
                    group.get("default", ""),
                )
            records.append(rec)
    return _nest(records, spec["nest"]) if spec.get("nest") else records


def _own(spec: dict) -> set[str]:
    """Fields that make a row a record (for a nested table, the child's fields)."""
    nest = spec.get("nest")
    return set(nest["child_fields"]) if nest else set(spec["columns"])


class _Shifted:
    """A view of a table starting at row ``start`` (for reading its header)."""

    def __init__(self, table: Table, start: int):
        self.table, self.start, self.cols = table, start, table.cols

    def at(self, row: int, col: int):
        return self.table.at(row + self.start, col)


def _nest(records: list[dict], nest: dict) -> list[dict]:
    out: list[dict] = []
    for rec in records:
        child = {f: rec.pop(f, "") for f in nest["child_fields"]}
        key = rec.get(nest["key"])
        if not out or (key not in (None, "") and key != out[-1].get(nest["key"])):
            out.append({**rec, nest["children"]: []})
        out[-1][nest["children"]].append(child)
    return out


# --- blocks, values, patterns ---------------------------------------------------------------


def read_block(tables: list[Table], spec: dict) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for table in tables:
        for row in range(table.rows):
            if not matches([spec["anchor"]], table.text(row, 0)):
                continue
            heads = [c for c in table.cells if c["row"] == row and c["col"] > 0]
            for below in range(row + 1, min(row + 4, table.rows)):
                label = table.text(below, 0)
                name = next((n for kw, n in spec["rows"] if matches([kw], label)), None)
                if name is None or name in out:
                    continue
                values = {}
                heads.sort(key=lambda h: h["col"])
                by_position = len(heads) == len(spec["keys"])
                for n, (key, kw) in enumerate(spec["keys"].items()):
                    head = next((h for h in heads if matches([kw], h["text"])), None)
                    if head is None and by_position:
                        head = heads[n]
                    if head is not None:
                        value = convert(table.text(below, head["col"]), spec.get("type"))
                        if value not in ("", None):
                            values[key] = value
                out[name] = values
            return out
    return out


def read_value(tables: list[Table], spec: dict):
    for table in tables:
        for c in table.cells:
            if (
                matches([spec["label"]], c["text"])
                and len(norm(c["text"])) <= len(spec["label"]) + 4
            ):
                col = c["col"] + c["colspan"]
                while col < table.cols:
                    right = table.at(c["row"], col)
                    if right is None:
                        break
                    if right["text"]:
                        return convert(right["text"], spec.get("type"))
                    col = right["col"] + right["colspan"]
    return None


def _outside_text(pages: list[dict]) -> str:
    return "\n".join(
        norm(ln["text"]) for page in pages if page for ln in page["lines"] if ln.get("cell") is None
    )


def _by_tables(tables: list[Table], templates: tuple[dict, ...]) -> dict | None:
    """A template all of whose tables are there (the title may be misread)."""
    for template in templates:
        specs = template.get("tables", [])
        if specs and all(
            any(_header_start(t, s["find"], s.get("header_rows", 1)) is not None for t in tables)
            for s in specs
        ):
            return template
    return None


def extract_document(pages: list[dict], templates: tuple[dict, ...] | None = None) -> dict:
    pages = [p for p in pages if p]
    if not pages:
        return {}
    text = "\n".join(ln["text"] for ln in pages[0]["lines"][:6])
    templates = templates if templates is not None else load_templates()
    tables = tables_of(pages)
    template = match_template(text, templates) or _by_tables(tables, templates)
    if template is None:
        return {}
    fields: dict = {}
    outside = _outside_text(pages)
    types = template.get("types", {})
    for name, pattern in template.get("patterns", {}).items():
        m = re.search(pattern, outside)
        if m:
            fields[name] = convert(m.group("v"), types.get(name))
    for spec in template.get("tables", []):
        candidates = [
            t
            for t in tables
            if _header_start(t, spec["find"], spec.get("header_rows", 1)) is not None
        ]
        if spec.get("caption"):
            captioned = [t for t in candidates if matches([spec["caption"]], t.caption)]
            # A misread caption: fall back on the table's place among its look-alikes.
            index = spec.get("index")
            if not captioned and index is not None and index < len(candidates):
                captioned = [candidates[index]]
            candidates = captioned
        if spec.get("each"):
            rows = []
            for t in candidates:
                section = re.sub(r"^[一二三四五六七八九十]+[、.]", "", norm(t.caption))
                rows += [{spec["caption_field"]: section, **r} for r in read_table(t, spec)]
            fields[spec["name"]] = rows
            continue
        records = [r for t in candidates[:1] for r in read_table(t, spec)]
        if spec.get("group"):
            for _, name in spec["group"]["split"]:
                fields[name] = [
                    {k: v for k, v in r.items() if k != "_group"}
                    for r in records
                    if r["_group"] == name
                ]
        else:
            fields[spec["name"]] = records
    for spec in template.get("blocks", []):
        fields.update(read_block(tables, spec))
    for name, spec in template.get("values", {}).items():
        value = read_value(tables, spec)
        if value is not None:
            fields[name] = value
    return {"template": template["name"], "fields": fields}
