"""Field extraction: from the recognised cells of a document's pages, by its form template.

``extract_document(pages)`` takes the page structures that ``recognise`` produced (their
``as_json`` form, as stored) and returns ``{"template": name, "fields": {...}}`` (or ``{}``
when no template matches). Values are JSON-ready: amounts as ``"1234.50"``, dates ISO.
"""

from __future__ import annotations

import re

from ingest.formocr.templates import load_templates, match_template, matches, norm
from ingest.formocr.values import amounts_by_person, convert, is_prose, page_doubts, unsure_ids

__all__ = ["convert", "extract_document", "read_block", "read_table", "read_value"]

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


def columns_of(table: Table, spec: dict) -> tuple[int, dict[str, list[int]]] | None:
    """Where the header starts and each field's columns, found by the header cells' text
    (not by position: a form printed with its columns in another order still maps)."""
    n_header = spec.get("header_rows", 1)
    start = _header_start(table, spec["find"], n_header)
    if start is None:
        return None
    if n_header > 1 and matches(spec["find"], table.row_text(start)):
        n_header = 1  # printed with a one-row header: the next row is data
    labels = _header(_Shifted(table, start), n_header)
    columns: dict[str, list[int]] = {}
    for field, kws in spec["columns"].items():
        columns[field] = [i for i, label in enumerate(labels) if label and matches(kws, label)]
    return start + n_header, columns


def read_table(
    table: Table, spec: dict, continued: list[Table] = (), found: tuple | None = None
) -> list[dict]:
    """The records of a row table; ``continued``: the same table's parts on the next pages
    (read with this part's columns, whether or not they repeat the header)."""
    found = found or columns_of(table, spec)
    if found is None:
        return []
    first, columns = found
    records: list[dict] = []
    parts = [(table, first)]
    for part in continued:
        again = columns_of(part, spec)
        parts.append((part, again[0] if again else 0))
    for part, start in parts:
        if _rows(part, start, spec, columns, records):
            break  # the table ended (``until``)
    return _nest(records, spec["nest"]) if spec.get("nest") else records


def _rows(table: Table, start: int, spec: dict, columns: dict, records: list[dict]) -> bool:
    per_row = max((len(v) for v in columns.values()), default=0)
    types = spec.get("types", {})
    group = spec.get("group")
    for row in range(start, table.rows):
        if spec.get("until") and matches([spec["until"]], table.row_text(row)):
            return True
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
    return False


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
    """Rows into records with children: a row starts a new record when one of its own
    (spanning) cells says something else than the current record's (the key, or the head's
    ID when the key was misread); blank ones (a record split by a page break) continue it."""
    out: list[dict] = []
    for rec in records:
        child = {f: rec.pop(f, "") for f in nest["child_fields"]}
        if not out or any(
            v not in (None, "") and v != out[-1].get(k) for k, v in rec.items() if k != "_group"
        ):
            out.append({**rec, nest["children"]: []})
        for k, v in rec.items():  # a value the record's first row lacked (misread)
            if out[-1].get(k) in (None, "") and v not in (None, ""):
                out[-1][k] = v
        out[-1][nest["children"]].append(child)
    return out


# --- blocks, values, patterns ---------------------------------------------------------------


def read_block(tables: list[Table], spec: dict, details: list | None = None) -> dict[str, dict]:
    """Rows of values under a row of item headings. A value cell merged across several
    headings fills one field (``merge_into`` among the keys it covers, else the first),
    never each of them; amounts stated in words are kept as words (``details`` gets each
    person's amount when the words name several)."""
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
                out[name] = _block_row(table, below, heads, spec, name, details)
            return out
    return out


def _block_row(table: Table, row: int, heads: list[dict], spec: dict, name: str, details):
    heads = sorted(heads, key=lambda h: h["col"])
    by_position = len(heads) == len(spec["keys"])
    keyed = []  # (key, head)
    for n, (key, kw) in enumerate(spec["keys"].items()):
        head = next((h for h in heads if matches([kw], h["text"])), None)
        if head is None and by_position:
            head = heads[n]
        if head is not None:
            keyed.append((key, head))
    covering: dict[int, list[str]] = {}  # value cell → the keys whose heading it covers
    cells: dict[int, dict] = {}
    for key, head in keyed:
        cell = table.at(row, head["col"])
        if cell is not None:
            covering.setdefault(id(cell), []).append(key)
            cells[id(cell)] = cell
    values = {}
    for ident, keys in covering.items():
        target = spec.get("merge_into") if spec.get("merge_into") in keys else keys[0]
        text = cells[ident]["text"]
        value = convert(text, spec.get("type"))
        if value in ("", None):
            continue
        values[target] = value
        people = amounts_by_person(text) if is_prose(text) else []
        people = people if len(people) > 1 else []  # one amount in words: the words alone
        if details is not None and (len(keys) > 1 or people):
            details.append(
                {"field": f"{name}.{target}", "covers": keys, "text": norm(text), "amounts": people}
            )
    return dict(sorted(values.items(), key=lambda kv: list(spec["keys"]).index(kv[0])))


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


def _all_text(pages: list[dict]) -> str:
    """Every line of the pages in reading order, joined without breaks (a header line printed
    as label and value cells reads as one line)."""
    return "".join(norm(ln["text"]) for page in pages if page for ln in page["lines"])


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


def _continued(table: Table, tables: list[Table], spec: dict) -> list[Table]:
    """The parts of ``table`` on the following pages: the first table of the next page with
    as many columns, when ``table`` is the last of its page (header repeated or not)."""
    out, last = [], table
    while True:
        on_page = [t for t in tables if t.page == last.page]
        if last is not on_page[-1]:
            return out
        nxt = [t for t in tables if t.page == last.page + 1]
        if not nxt or nxt[0].cols != last.cols:
            return out
        out.append(nxt[0])
        last = nxt[0]


def extract_document(pages: list[dict], templates: tuple[dict, ...] | None = None) -> dict:
    """``{"template", "subtype", "subtype_from", "fields", "missing", "mismatch", "amounts"}``.

    The template is the one the title names, else the one whose tables are all there.
    ``mismatch`` (reasons, in Chinese) says when the title names one form and the tables are
    another's or are not found: the fields are then not mapped (the item goes to review).
    ``missing`` lists the template's columns this layout does not print."""
    pages = [p for p in pages if p]
    if not pages:
        return {}
    text = "\n".join(ln["text"] for ln in pages[0]["lines"][:6])
    templates = templates if templates is not None else load_templates()
    tables = tables_of(pages)
    by_title = match_template(text, templates)
    by_tables = _by_tables(tables, (by_title,) if by_title else templates)
    template = by_title or by_tables
    if template is None:
        return {}
    if by_title and template.get("tables") and by_tables is None:
        other = _by_tables(tables, tuple(t for t in templates if t is not by_title))
        if other is not None:
            return _mismatch(template, f"标题为{by_title['title']}，表格却是{other['title']}的")
    fields: dict = {}
    missing: list[str] = []
    details: list[dict] = []
    outside, everything = _outside_text(pages), _all_text(pages)
    types = template.get("types", {})
    for name, patterns in template.get("patterns", {}).items():
        for pattern in [patterns] if isinstance(patterns, str) else patterns:
            m = re.search(pattern, outside) or re.search(pattern, everything)
            if m:
                fields[name] = convert(m.group("v"), types.get(name))
                break
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
                # Its rows running onto the next page without the header (a new section
                # there prints its own header and caption) belong to this section.
                continued = []
                for part in _continued(t, tables, spec):
                    if columns_of(part, spec) is not None:
                        break
                    continued.append(part)
                records = read_table(t, spec, continued)
                rows += [{spec["caption_field"]: section, **r} for r in records]
            fields[spec["name"]] = rows
            continue
        records = []
        if not candidates:
            missing.append(spec["name"])  # a page of the form without its table
        else:
            found = columns_of(candidates[0], spec)
            missing += [f"{spec['name']}.{f}" for f, cols in found[1].items() if not cols]
            continued = _continued(candidates[0], tables, spec)
            records = read_table(candidates[0], spec, continued, found)
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
        fields.update(read_block(tables, spec, details))
    for name, spec in template.get("values", {}).items():
        if name in fields:
            continue  # found by a pattern in the page text (a header line printed as cells)
        value = read_value(tables, spec)
        if value is not None:
            fields[name] = value
    out = {
        "template": template["name"],
        "subtype": template.get("subtype", ""),
        "subtype_from": "title" if by_title else "tables",
        "fields": fields,
    }
    if missing:
        out["missing"] = missing
    if details:
        out["amounts"] = details
    # IDs that fail their check even after a second reading, or whose two readings differ.
    unsure = unsure_ids(fields, page_doubts(pages))
    if unsure:
        out["unsure"] = unsure
    return out


def _mismatch(template: dict, reason: str) -> dict:
    """The title names ``template`` but the tables are not its own: nothing is mapped."""
    return {
        "template": template["name"],
        "subtype": template.get("subtype", ""),
        "subtype_from": "title",
        "fields": {},
        "mismatch": [reason],
    }
