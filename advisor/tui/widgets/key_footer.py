"""The footer: the keys that fit, whole, the least important left out first.

Textual's footer lays the keys out in a row and cuts the row at the terminal's edge, so on an
80-column terminal the last keys (Quit among them) were cut in half or lost. This one measures
each key once they are drawn and hides the least important ones until the rest fit; Quit and
Help go last. Every key still works, shown or not, and the help lists them all.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

PALETTE = "command_palette"


class KeyFooter(Footer):
    """A Footer keeping whole keys; `importance` lists actions, most important first (keys not
    listed rank after them, the command palette last)."""

    def __init__(self, importance: Sequence[str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.importance = tuple(importance)

    def compose(self):
        yield from super().compose()
        self.call_after_refresh(self.fit)

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit)

    def fit(self) -> None:
        """Show every key, then hide the least important until the row fits the width."""
        keys = list(self.query(FooterKey))
        # +1: the command palette key, docked right, may cover the blank closing the last key.
        room = (self.size.width or self.app.size.width) + 1
        used = sum(_width(k) for k in keys)
        shown = {k: True for k in keys}
        order = sorted(range(len(keys)), key=lambda i: (self._rank(keys[i]), i), reverse=True)
        for key in (keys[i] for i in order):  # the least important, the rightmost first
            if used <= room:
                break
            shown[key] = False
            used -= _width(key)
        for key, show in shown.items():
            key.display = show

    def _rank(self, key: FooterKey) -> int:
        action = key.action.rsplit(".", 1)[-1]
        if action in self.importance:
            return self.importance.index(action)
        if action == PALETTE or key.has_class("-command-palette"):
            return len(self.importance) + 1
        return len(self.importance)


def _width(key: FooterKey) -> int:
    """The cells a key takes: its text with its key and description padding, plus its own
    padding, border and margin."""
    styles = key.styles
    return key.render().cell_len + styles.gutter.width + styles.margin.width
