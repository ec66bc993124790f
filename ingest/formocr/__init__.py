"""Table-aware OCR and form field extraction (``HEDANG_OCR_TABLES``).

* :mod:`.grid`: ruling lines, their removal, the cells (row, column, spans, box);
* :mod:`.recognise`: Tesseract on the page outside the tables and on the cells, batched;
* :mod:`.plugin`: the recognition as ocrmypdf's OCR engine (text layer, PDF/A by ocrmypdf);
* :mod:`.templates` / :mod:`.extract`: form templates (``ingest/form_templates/*.json``) and
  the fields they extract;
* :mod:`.linking`: a 花名册 links its item to every listed household.

The pipeline hooks are below; they import Django models lazily so that the ocrmypdf plugin
(which runs in ocrmypdf's process, without Django) can import this package.
"""

from __future__ import annotations

from collections.abc import Sequence


def save_result(document, pages: Sequence[dict | None]) -> None:
    """Keep the page structures of an OCR run and the fields extracted from them."""
    from ingest.formocr.extract import extract_document
    from ingest.models import FormResult

    form = extract_document([p for p in pages if p])
    FormResult.objects.update_or_create(
        document=document, defaults={"pages": list(pages), "form": form}
    )


def _result(document):
    from ingest.models import FormResult

    return FormResult.objects.filter(document=document).first()


def roster_decision(document, agency_ids):
    result = _result(document)
    if result is None or not result.form:
        return None
    from ingest.formocr.linking import roster_decision as decide

    return decide(result.form, agency_ids)


def form_subtype(document, title_rule, rules):
    """``(rule, notes)``: the subtype from the title (``title_rule``), else from the form
    template its tables matched; a template mismatch sends the item to review with its
    reason (never a silently mapped form)."""
    result = _result(document)
    form = (result.form if result else None) or {}
    mismatch = form.get("mismatch") or []
    if mismatch:
        return None, [f"表单与模板不符：{m}" for m in mismatch]
    subtype = form.get("subtype") or ""
    if title_rule is not None or not subtype:
        return title_rule, []
    rule = next((r for r in rules if any(k and k in subtype for k in r.keywords)), None)
    if rule is None:
        return None, []
    return rule, [f"子类依表格识别（{subtype}）"]


def attach(item, document, decision) -> None:
    """Store the form on the item (``item.fields["form"]``) and link its listed households."""
    result = _result(document)
    if result is None:
        return
    from ingest.formocr.linking import link_listed, roster_households
    from ingest.knownnames import check_item

    form = {
        "template": result.form.get("template", ""),
        "fields": result.form.get("fields", {}),
        **{
            k: result.form[k]
            for k in ("mismatch", "missing", "amounts", "unsure")
            if result.form.get(k)
        },
        "pages": [
            {"cells": p.get("cells", []), "size": p.get("size"), "dpi": p.get("dpi")} if p else None
            for p in result.pages
        ],
    }
    jurisdiction = document.batch.agency.jurisdiction_ids()
    item.fields["form"] = check_item(form, jurisdiction)  # name cells vs the known household
    item.save(update_fields=["fields"])
    listed = roster_households(result.form, jurisdiction)
    if len(listed) > 1 or (listed and decision.candidates):
        link_listed(item, listed)
