"""The profile switcher: "what if I had this machine?" — pick a reference machine or this one."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from advisor.errors import AdvisorError
from advisor.tui import stages
from advisor.tui.format import plain
from advisor.tui.messages import ProfilesListed
from advisor.tui.stages import THIS_COMPUTER, ProfileChoice


class ProfileScreen(ModalScreen[str | None]):
    """Lists this computer and every profile; dismisses with the chosen key, or None."""

    BINDINGS = [Binding("escape", "dismiss", "Cancel")]

    def __init__(self, profiles_dir: Path | None, current: str | None) -> None:
        super().__init__()
        self.profiles_dir = profiles_dir
        self.current = current if current is not None else THIS_COMPUTER
        self.choices: tuple[ProfileChoice, ...] = ()

    def compose(self) -> ComposeResult:
        with Vertical(id="profiles-box", classes="dialog"):
            yield Label("What if I had this machine?", classes="dialog-title")
            yield Label("Reading the profiles…", id="profiles-status", classes="dialog-text")
            yield OptionList(id="profiles")

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        try:
            choices = stages.profile_choices(self.profiles_dir)
        except AdvisorError as exc:
            self.app.call_from_thread(self._say, exc.message)
            return
        self.post_message(ProfilesListed(tuple(choices)))

    def _say(self, text: str) -> None:
        self.query_one("#profiles-status", Label).update(plain(text))

    @on(ProfilesListed)
    def _listed(self, message: ProfilesListed) -> None:
        self.choices = message.choices
        options = self.query_one(OptionList)
        options.add_options([self._option(c) for c in self.choices])
        keys = [c.key for c in self.choices]
        if self.current in keys:
            options.highlighted = keys.index(self.current)
        self.query_one("#profiles-status").display = False
        options.focus()
        # The list has no size until it is laid out: bring the current machine into view then.
        self.call_after_refresh(options.scroll_to_highlight)

    def _option(self, choice: ProfileChoice) -> Option:
        mark = "● " if choice.key == self.current else "  "
        prompt = Text(f"{mark}{choice.title}", no_wrap=True, overflow="ellipsis")
        if choice.summary:
            prompt.append(f"  {choice.summary}", style="dim")
        return Option(prompt, id=choice.key or "-this-computer")

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[event.option_index].key)
