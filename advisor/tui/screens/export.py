"""The export dialog: where to save the report, as JSON or markdown; it writes it in a thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet

from advisor.errors import AdvisorError
from advisor.tui import stages
from advisor.tui.format import plain

ReportFormat = Literal["json", "markdown"]
SUFFIXES: dict[str, str] = {"json": ".json", "markdown": ".md"}
DEFAULT_NAME = "advisor-report"


def format_for(path: Path, fallback: ReportFormat) -> ReportFormat:
    """The format a file name asks for: .md means markdown, .json JSON, else the choice made."""
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        return "markdown"
    return "json" if suffix == ".json" else fallback


class ExportScreen(ModalScreen[Path | None]):
    """Asks for a path and a format; a file that exists needs a second press to be replaced.

    `report_text(format)` builds the report text (in a worker thread); the dialog writes it
    atomically and dismisses with the path, or stays open and shows what went wrong.
    """

    BINDINGS = [Binding("escape", "dismiss", "Cancel")]

    @dataclass
    class _Written(Message):
        path: Path | None
        error: str | None = None

    def __init__(self, folder: Path, report_text: Callable[[ReportFormat], str]) -> None:
        super().__init__()
        self.folder = folder
        self.report_text = report_text
        self.confirmed_overwrite: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box", classes="dialog"):
            yield Label("Export the report", classes="dialog-title")
            yield Label(
                "Every workload's verdict, the machine, the candidates and the measurements. "
                "The file is written whole or not at all.",
                classes="dialog-text",
            )
            with RadioSet(id="export-format"):
                yield RadioButton("JSON (advisor --json, for audits and scripts)", value=True)
                yield RadioButton("Markdown (to read or share)")
            yield Input(str(self.folder / f"{DEFAULT_NAME}.json"), id="export-path")
            yield Label("", id="export-status")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="export-save", variant="primary")
                yield Button("Cancel", id="export-cancel")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @property
    def chosen_format(self) -> ReportFormat:
        return "json" if self.query_one(RadioSet).pressed_index == 0 else "markdown"

    @on(RadioSet.Changed)
    def _format_changed(self) -> None:
        """Keep the file name's suffix in step with the format."""
        field = self.query_one("#export-path", Input)
        path = Path(field.value.strip() or DEFAULT_NAME)
        if path.suffix.lower() in (".json", ".md", ".markdown", ""):
            field.value = str(path.with_suffix(SUFFIXES[self.chosen_format]))

    @on(Input.Changed, "#export-path")
    def _path_changed(self) -> None:
        """Typing another path takes back the go-ahead to replace the file."""
        if self.confirmed_overwrite != self._target():
            self.confirmed_overwrite = None
            self._status("")

    def _target(self) -> Path | None:
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            return None
        path = Path(text).expanduser()
        return path if path.is_absolute() else self.folder / path

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-save")
    def _save(self) -> None:
        path = self._target()
        if path is None:
            self._status("Type the path of the file to write.", problem=True)
            return
        if path.is_dir():
            self._status(f"{path} is a folder: add a file name.", problem=True)
            return
        if path.exists() and self.confirmed_overwrite != path:
            self.confirmed_overwrite = path
            self._status(f"{path.name} exists: press Save again to replace it.", problem=True)
            return
        self.query_one("#export-save", Button).disabled = True
        self._status(f"Writing {path.name}…")
        self.write(path, format_for(path, self.chosen_format))

    @work(thread=True, exclusive=True)
    def write(self, path: Path, fmt: ReportFormat) -> None:
        try:
            written = stages.write_report(path, self.report_text(fmt))
        except AdvisorError as exc:
            error = exc.message + (f" ({exc.hint})" if exc.hint else "")
            self.post_message(self._Written(None, error))
            return
        self.post_message(self._Written(written))

    @on(_Written)
    def _written(self, message: _Written) -> None:
        if message.path is not None:
            self.dismiss(message.path)
            return
        self.query_one("#export-save", Button).disabled = False
        self._status(message.error or "", problem=True)

    @on(Button.Pressed, "#export-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    def _status(self, text: str, problem: bool = False) -> None:
        label = self.query_one("#export-status", Label)
        label.update(plain(text))
        label.set_class(problem, "-problem")
