"""Server-side SVG charts: horizontal bars (each bar a link to its list) and daily columns.

No JavaScript and no outside library: the page is usable offline and printable. Text is drawn
in the admin's own font; colours follow Wagtail's palette.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

BAR = "#007d7e"
BAR_ALT = "#2e1f5e"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    url: str = ""


def _text_width(text: str) -> float:
    """Rough width in px at 13px: CJK characters count double."""
    return sum(13 if ord(c) > 0x2E80 else 7.2 for c in text)


def hbar(bars: list[Bar], *, title: str, unit: str = "") -> str:
    """A horizontal bar chart as an inline <svg>; an empty list gives a "暂无数据" note."""
    if not bars:
        return f'<p class="hd-empty">{escape(title)}：暂无数据。</p>'
    row, width = 26, 640
    label_w = min(220, max(_text_width(b.label) for b in bars) + 12)
    top = max(b.value for b in bars) or 1
    plot = width - label_w - 90
    parts = [
        f'<svg class="hd-chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {row * len(bars) + 8}" width="{width}" '
        f'height="{row * len(bars) + 8}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for n, bar in enumerate(bars):
        y = n * row + 4
        w = max(1.0, plot * bar.value / top) if bar.value else 0
        shape = (
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="13" '
            f'fill="currentColor">{escape(bar.label)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="18" rx="2" fill="{BAR}">'
            f"<title>{escape(bar.label)}：{bar.value}{escape(unit)}</title></rect>"
            f'<text x="{label_w + w + 6:.1f}" y="{y + 16}" font-size="13" '
            f'fill="currentColor">{bar.value}{escape(unit)}</text>'
        )
        if bar.url:
            shape = f'<a href="{escape(bar.url)}">{shape}</a>'
        parts.append(shape)
    parts.append("</svg>")
    return "".join(parts)


def columns(series: dict[str, list[int]], days: list[str], *, title: str) -> str:
    """Stacked daily columns, one colour per series (e.g. per station), with a legend."""
    if not days or not any(sum(v) for v in series.values()):
        return f'<p class="hd-empty">{escape(title)}：暂无数据。</p>'
    palette = [BAR, BAR_ALT, "#e9b04d", "#cd4444", "#1d7bbf", "#6f7a85", "#8a5a00", "#3f8f3f"]
    width, height, left, bottom = 720, 220, 40, 40
    totals = [sum(v[i] for v in series.values()) for i in range(len(days))]
    top = max(totals) or 1
    step = (width - left - 10) / len(days)
    col_w = max(2.0, step * 0.7)
    plot_h = height - bottom - 10
    parts = [
        f'<svg class="hd-chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height + 24 * ((len(series) + 3) // 4)}" width="{width}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<text x="{left - 4}" y="16" text-anchor="end" font-size="11" fill="currentColor">'
        f"{top}</text>",
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" '
        f'stroke="currentColor" stroke-width="0.5"/>',
    ]
    for i, day in enumerate(days):
        x = left + i * step
        y = height - bottom
        for n, (name, values) in enumerate(series.items()):
            h = plot_h * values[i] / top
            if h:
                y -= h
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{col_w:.1f}" height="{h:.1f}" '
                    f'fill="{palette[n % len(palette)]}"><title>{escape(day)} {escape(name)}：'
                    f"{values[i]} 页</title></rect>"
                )
        if i % max(1, len(days) // 8) == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{height - bottom + 16}" font-size="11" '
                f'fill="currentColor">{escape(day[5:])}</text>'
            )
    for n, name in enumerate(series):
        x, y = left + (n % 4) * 170, height + 4 + 24 * (n // 4)
        parts.append(
            f'<rect x="{x}" y="{y}" width="12" height="12" fill="{palette[n % len(palette)]}"/>'
            f'<text x="{x + 18}" y="{y + 11}" font-size="12" fill="currentColor">'
            f"{escape(name)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
