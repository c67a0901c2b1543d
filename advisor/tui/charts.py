"""Text charts drawn with rich: stacked memory bars and horizontal bar charts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.table import Table
from rich.text import Text

from advisor.tui.format import plain

_EIGHTHS = " ▏▎▍▌▋▊▉"
_FULL = "█"
_EMPTY = "░"


@dataclass(frozen=True)
class Segment:
    """One coloured part of a stacked bar."""

    label: str
    value: float
    style: str


def _cells(value: float, scale: float, width: int) -> float:
    """How many cells `value` takes on a bar of `width` cells for `scale`."""
    if scale <= 0:
        return 0.0
    return max(0.0, min(float(width), value / scale * width))


def _blocks(cells: float) -> str:
    """Full blocks plus an eighth-block for the fraction, so small values still show."""
    whole = int(cells)
    eighth = int(round((cells - whole) * 8))
    if eighth == 8:
        return _FULL * (whole + 1)
    return _FULL * whole + (_EIGHTHS[eighth] if eighth else "")


def usage_bar(used: float, available: float | None, width: int = 10) -> Text:
    """Used against available as one bar; over 100% turns red, unknown capacity is said."""
    if available is None or available <= 0:
        return Text("?" * width, style="dim")
    share = used / available
    style = "red" if share > 1 else "yellow" if share > 0.9 else "green"
    filled = _blocks(_cells(used, available, width))
    bar = Text()
    bar.append(filled, style=style)
    bar.append(_EMPTY * (width - len(filled)), style="dim")
    return bar


def stacked_bar(segments: Sequence[Segment], scale: float, width: int) -> Text:
    """Segments side by side on one bar of `width` cells where `scale` fills it.

    Each segment gets whole cells (at least one if it is non-zero) so every part stays visible.
    """
    bar = Text()
    used = 0
    for segment in segments:
        if segment.value <= 0:
            continue
        cells = max(1, round(_cells(segment.value, scale, width)))
        cells = min(cells, width - used)
        bar.append(_FULL * cells, style=segment.style)
        used += cells
    bar.append(_EMPTY * (width - used), style="dim")
    return bar


def legend(segments: Sequence[Segment], fmt) -> Text:
    """'■ weights 4.3 GiB  ■ KV 1.0 GiB ...' under a stacked bar."""
    text = Text()
    for i, segment in enumerate(segments):
        if i:
            text.append("  ")
        text.append("■ ", style=segment.style)
        text.append(f"{segment.label} {fmt(segment.value)}")
    return text


def _cut(text: str, width: int | None) -> str:
    """`text` in at most `width` cells, an ellipsis marking a cut; nothing below 4 cells."""
    if width is None or len(text) <= width:
        return text
    return text[: width - 1] + "…" if width >= 4 else ""


@dataclass(frozen=True)
class BarRow:
    """One row of a horizontal bar chart."""

    label: str
    value: float | None
    value_text: str
    style: str = "cyan"
    note: str = ""


def bar_chart(rows: Sequence[BarRow], width: int, *, fit: int | None = None) -> Table:
    """Labelled horizontal bars scaled to the largest value; a missing value says so.

    A grid, so a long note is cut with an ellipsis instead of wrapping under the bars. With
    `fit` (the columns there are), the bars shrink to leave the notes some room, and the notes
    go when there is none.
    """
    known = [r.value for r in rows if r.value is not None]
    scale = max(known, default=0.0)
    label_width = max((len(r.label) for r in rows), default=0)
    value_width = max((len(r.value_text) for r in rows), default=0)
    note_width: int | None = None  # None: as long as the notes are
    if fit is not None:
        room = fit - label_width - value_width - 3  # one space between each column
        width = max(4, min(width, room - 16))
        note_width = max(0, room - width - 1)
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True, min_width=label_width)
    grid.add_column(no_wrap=True, min_width=width, max_width=width)
    grid.add_column(justify="right", no_wrap=True, min_width=value_width)
    grid.add_column(style="dim", no_wrap=True)
    for row in rows:
        label, note = plain(row.label), plain(_cut(row.note, note_width))
        if row.value is None:
            grid.add_row(label, "", plain(row.value_text, style="dim"), note)
            continue
        blocks = _blocks(_cells(row.value, scale, width)) or "▏"
        grid.add_row(label, Text(blocks, style=row.style), plain(row.value_text), note)
    return grid
