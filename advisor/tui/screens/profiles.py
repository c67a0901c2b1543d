"""The profile switcher: "what if I had this machine?" — pick a reference machine or this one."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from advisor.tui.stages import THIS_COMPUTER, ProfileChoice


class ProfileScreen(ModalScreen[str | None]):
    """Lists the choices; dismisses with the chosen key, or None when cancelled."""

    BINDINGS = [Binding("escape", "dismiss", "Cancel")]

    def __init__(self, choices: Sequence[ProfileChoice], current: str | None) -> None:
        super().__init__()
        self.choices = tuple(choices)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="profiles-box", classes="dialog"):
            yield Label("What if I had this machine?", classes="dialog-title")
            yield OptionList(*(self._option(c) for c in self.choices), id="profiles")

    def _option(self, choice: ProfileChoice) -> Option:
        mark = "● " if choice.key == (self.current or THIS_COMPUTER) else "  "
        prompt = f"{mark}{choice.title}"
        if choice.summary:
            prompt += f"\n    [dim]{choice.summary}[/dim]"
        return Option(prompt, id=choice.key or "-this-computer")

    def on_mount(self) -> None:
        keys = [c.key for c in self.choices]
        current = self.current or THIS_COMPUTER
        if current in keys:
            self.query_one(OptionList).highlighted = keys.index(current)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[event.option_index].key)
