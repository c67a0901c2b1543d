"""Every line the apps draw, without control characters: one filter for all widgets.

Text from reports, profiles, workload files and GGUF headers reaches many widgets; an ESC or
OSC sequence in it would go to the terminal as it is (clear the screen, set the title, write
the clipboard). Rich gives control characters no width, so taking them out of the drawn
segments leaves every line as wide as it was.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from advisor.console import printable


class Printable(LineFilter):
    """Drops control characters from the text of each segment (not from Textual's own
    control segments, which move the cursor)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            segment if segment.control or segment.text.isprintable()
            else Segment(printable(segment.text), segment.style)
            for segment in segments
        ]  # fmt: skip


PRINTABLE = Printable()
