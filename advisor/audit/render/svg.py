"""Inline SVG bar charts for the HTML audit: no scripts, no fonts to fetch, no namespaces to
resolve; the page's CSS colours them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

ROW_PX = 26
LABEL_PX = 230  # at least; wider for longer labels, so none is cut
BAR_PX = 420
VALUE_PX = 150
CHAR_PX = 7.2  # a 12px system-ui character, a little over its average width
LABEL_CHARS = 90  # longer labels are cut with an ellipsis, the whole label in the tooltip


@dataclass(frozen=True)
class Part:
    """One segment of a bar: its size, CSS class and tooltip."""

    value: float
    css: str
    title: str


@dataclass(frozen=True)
class Bar:
    label: str
    parts: tuple[Part, ...]
    text: str  # shown right of the bar


def bar_chart(title: str, bars: Sequence[Bar], *, scale: float | None = None) -> str:
    """Horizontal bars, each of one or more stacked parts, on a common scale."""
    top = scale or max((sum(p.value for p in b.parts) for b in bars), default=0.0) or 1.0
    longest = max((len(_short(b.label)) for b in bars), default=0)
    label_px = max(LABEL_PX, round(longest * CHAR_PX) + 16)
    width = label_px + BAR_PX + VALUE_PX
    height = ROW_PX * len(bars) + 8
    rows = [_row(i, bar, top, label_px) for i, bar in enumerate(bars)]
    return (
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}"><title>{escape(title)}</title>{"".join(rows)}</svg>'
    )


def _row(index: int, bar: Bar, top: float, label_px: int) -> str:
    y = 4 + index * ROW_PX
    out = [
        f'<text class="label" x="{label_px - 8}" y="{y + 16}" text-anchor="end">'
        f"<title>{escape(bar.label)}</title>{escape(_short(bar.label))}</text>"
    ]
    x = float(label_px)
    for part in bar.parts:
        w = BAR_PX * max(part.value, 0.0) / top
        if w > 0:
            out.append(
                f'<rect class="{escape(part.css)}" x="{x:.1f}" y="{y + 3}" width="{w:.1f}" '
                f'height="{ROW_PX - 8}"><title>{escape(part.title)}</title></rect>'
            )
        x += w
    out.append(f'<text class="value" x="{x + 6:.1f}" y="{y + 16}">{escape(bar.text)}</text>')
    return "".join(out)


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
