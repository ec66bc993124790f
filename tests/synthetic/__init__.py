"""Synthetic test data: households, the standard's forms rendered as page images, scanner and
document-camera degradations, and scan files as a network scanner would write them.

Pure Python + Pillow + reportlab + numpy + OpenCV; no Django. See the modules:
:mod:`.households`, :mod:`.forms`, :mod:`.degrade`, :mod:`.scans`, :mod:`.ocr`.
"""

from .forms import FORMS, TITLES, RenderedForm, layout_form, render_form
from .households import SEARCH_NAMES, Member, SyntheticHousehold, make_households

__all__ = [
    "FORMS",
    "SEARCH_NAMES",
    "TITLES",
    "Member",
    "RenderedForm",
    "SyntheticHousehold",
    "layout_form",
    "make_households",
    "render_form",
]
