"""Server-side SVG bar charts for the inspector's view: no script, no outside network."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR = "#2e6da4"
ALERT = "#b4191f"


def bar_chart(
    data: list[tuple[str, int]], title: str, *, color: str = BAR, width: int = 520
) -> SafeString:
    """Horizontal bars, one per (label, value), with the value at the end of each bar."""
    row, label_w, top = 24, 150, 30
    height = top + row * max(len(data), 1) + 10
    biggest = max((v for _, v in data), default=0) or 1
    span = width - label_w - 50
    parts = [
        f'<svg class="hd-chart" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-size="12" font-family="sans-serif">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    if not data:
        parts.append(f'<text x="0" y="{top + 14}" fill="#666">（无数据）</text>')
    for index, (label, value) in enumerate(data):
        y = top + index * row
        bar = round(span * value / biggest)
        short = label if len(label) <= 12 else label[:11] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(short)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{max(bar, 1)}" height="{row - 8}" '
            f'fill="{color}"><title>{escape(label)}：{value}</title></rect>'
            f'<text x="{label_w + bar + 6}" y="{y + 15}">{value}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  every label is escaped above
