"""Render the standard's appendix forms, filled with synthetic households, as page images
(and optionally a born-digital PDF), with their ground truth.

    >>> from tests.synthetic import make_households, render_form
    >>> hh = make_households(3, seed=1)
    >>> form = render_form("home_visit", hh[0], dpi=150)
    >>> form.title, len(form.images), form.fields["members"][0]["name"]
    ('居民家庭经济状况入户核查表', 1, '张伟')

Forms (``FORMS``): ``authorization`` (Appendix A 授权书), ``commission`` (B 委托书 + its
花名册 roster; takes several households), ``review_application`` (D 复核申请书), ``report``
(E 核对报告), ``home_visit`` (G 入户核查表, A4 landscape) and ``plain`` (a 情况说明 letter:
paragraphs only, no rules). Signature and seal spaces are left blank, as on an unsigned form.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from .households import SyntheticHousehold
from .layout import Flow, Page, TextLine
from .letters import build_authorization, build_commission, build_plain, build_review_application
from .render import render_image, render_pdf
from .tables import build_home_visit, build_report

__all__ = ["FORMS", "TITLES", "RenderedForm", "layout_form", "render_form"]

FORMS = ("authorization", "commission", "review_application", "report", "home_visit", "plain")
# Fixed titles (the plain page's title names the household head).
TITLES = {
    "authorization": "居民经济状况信息核对授权书",
    "commission": "居民家庭经济状况核对委托书",
    "review_application": "核对结果复核申请书",
    "report": "居民家庭经济状况核对报告",
    "home_visit": "居民家庭经济状况入户核查表",
}
APPENDIX = {
    "authorization": "A",
    "commission": "B",
    "review_application": "D",
    "report": "E",
    "home_visit": "G",
    "plain": "",
}


@dataclass
class RenderedForm:
    """A rendered form and its ground truth.

    ``page_texts[i]`` is page ``i``'s text as printed, in reading order (top to bottom; a
    table row by row, cell by cell), one line per printed line: a paragraph's wrapped lines,
    each line of a table cell, a line of label/value pieces joined by single spaces.
    ``page_lines[i]`` has the same lines with their boxes (mm; ``TextLine.box_px(dpi)``).
    ``fields`` holds the structured content (see each builder); dates are ``datetime.date``,
    amounts ``Decimal``.
    """

    form: str
    title: str
    dpi: int
    images: list[Image.Image]
    page_texts: list[str]
    page_lines: list[list[TextLine]]
    fields: dict[str, Any]
    households: list[SyntheticHousehold]
    page_sizes_mm: list[tuple[float, float]] = field(default_factory=list)
    pdf: bytes | None = None

    @property
    def text(self) -> str:
        """All pages' ground truth, pages separated by a form feed."""
        return "\f".join(self.page_texts)

    @property
    def page_count(self) -> int:
        return len(self.page_texts)


def layout_form(
    form: str, households: SyntheticHousehold | Sequence[SyntheticHousehold]
) -> tuple[str, list[Page], dict[str, Any]]:
    """Lay a form out without drawing it: ``(title, pages, fields)``."""
    if form not in FORMS:
        raise ValueError(f"unknown form {form!r}; expected one of {', '.join(FORMS)}")
    hhs = [households] if isinstance(households, SyntheticHousehold) else list(households)
    if not hhs:
        raise ValueError("at least one household is needed")
    if form == "home_visit":
        flow = Flow(landscape=True, margins=(12.0, 12.0, 10.0, 12.0))
    elif form in ("report", "commission", "review_application"):
        flow = Flow(margins=(20.0, 18.0, 18.0, 18.0))
    else:
        flow = Flow()
    hh = hhs[0]
    if form == "authorization":
        title, fields = build_authorization(flow, hh)
    elif form == "commission":
        title, fields = build_commission(flow, hhs)
    elif form == "review_application":
        title, fields = build_review_application(flow, hh)
    elif form == "report":
        title, fields = build_report(flow, hh)
    elif form == "home_visit":
        title, fields = build_home_visit(flow, hh)
    else:
        rng = random.Random(f"hedang-plain:{hh.index}:{hh.head_id}")
        title, fields = build_plain(flow, hh, rng)
    pages = [p for p in flow.pages if p.runs or p.rules]
    return title, pages, fields


def render_form(
    form: str,
    households: SyntheticHousehold | Sequence[SyntheticHousehold],
    dpi: int = 300,
    as_pdf: bool = False,
    images: bool = True,
) -> RenderedForm:
    """Render ``form`` for a household (``commission``: for every household given, in one
    roster; the other forms use the first) as clean A4 page images at ``dpi``; with
    ``as_pdf`` also a born-digital PDF (``.pdf``, real text layer). ``images=False`` skips
    drawing the images (for PDF-only or ground-truth-only use)."""
    title, pages, fields = layout_form(form, households)
    hhs = [households] if isinstance(households, SyntheticHousehold) else list(households)
    return RenderedForm(
        form=form,
        title=title,
        dpi=dpi,
        images=[render_image(p, dpi) for p in pages] if images else [],
        page_texts=[p.text for p in pages],
        page_lines=[list(p.lines) for p in pages],
        fields=fields,
        households=hhs if form == "commission" else hhs[:1],
        page_sizes_mm=[(p.width, p.height) for p in pages],
        pdf=render_pdf(pages, title=title) if as_pdf else None,
    )
