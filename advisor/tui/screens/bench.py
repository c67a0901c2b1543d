"""The throughput test dialog: choose a model file, confirm, watch it run, stop it if you like."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, ProgressBar
from textual.widgets.option_list import Option

from advisor.errors import AdvisorError
from advisor.tui.bench_process import DEFAULT_BUDGET_S, BenchRequest, run_bench_process
from advisor.tui.format import gib, plain, rate

if TYPE_CHECKING:
    from advisor.bench.measurement import Measurement, Throughput
    from advisor.catalog.scan.installed import InstalledModel

INTRO = (
    "Runs the model with llama.cpp on this computer: a 512-token prompt and 128 generated "
    "tokens (llama-bench's pp512 and tg128), repeated for up to {budget:g} s. The result is "
    "stored and calibrates every estimate for this computer."
)


def installed_label(item: InstalledModel) -> str:
    name = f"{item.model_id} {item.quant}" if item.model_id else item.path.name
    return f"{name} · {gib(item.size_bytes)} · {item.where}"


def throughput_text(name: str, result: Throughput | None) -> str:
    if result is None:
        return f"{name} not measured"
    spread = result.stdev_tokens_per_s / result.mean_tokens_per_s * 100
    return f"{name} {rate(result.mean_tokens_per_s)} tok/s ±{spread:.0f}% ({result.runs} runs)"


def result_text(measurement: Measurement) -> str:
    parts = [
        throughput_text("prefill", measurement.prefill),
        throughput_text("decode", measurement.decode),
    ]
    text = " · ".join(parts)
    if measurement.interrupted:
        text += " · stopped early: the finished runs were kept"
    return text


class BenchScreen(ModalScreen[None]):
    """Posts Finished to the app with the measurement, which then recalibrates the table."""

    BINDINGS = [Binding("escape", "stop_or_close", "Stop / close")]

    @dataclass
    class Finished(Message):
        measurement: Measurement

    @dataclass
    class _Tick(Message):
        elapsed_s: float

    @dataclass
    class _Done(Message):
        measurement: Measurement | None
        error: str | None = None

    def __init__(
        self,
        installed: Sequence[InstalledModel] | None,
        *,
        profile_name: str | None = None,
        budget_s: float = DEFAULT_BUDGET_S,
        catalog_path: Path | None = None,
    ) -> None:
        super().__init__()
        self.installed = tuple(i for i in installed or () if i.complete)
        self.scanned = installed is not None
        self.profile_name = profile_name
        self.budget_s = budget_s
        self.catalog_path = catalog_path
        self.stop = threading.Event()
        self.running = False

    def compose(self) -> ComposeResult:
        with Vertical(id="bench-box", classes="dialog"):
            yield Label("Throughput test", classes="dialog-title")
            yield Label(INTRO.format(budget=self.budget_s), classes="dialog-text")
            if self.profile_name:
                yield Label(
                    plain(
                        f"You are looking at the profile {self.profile_name}; the test "
                        "measures this computer, whose estimates it calibrates."
                    ),
                    classes="dialog-warning",
                )
            yield Label(self._installed_heading(), classes="dialog-text")
            options = [
                Option(plain(installed_label(i)), id=str(n)) for n, i in enumerate(self.installed)
            ]
            yield OptionList(*options, id="bench-installed")
            yield Input(placeholder="or the path of a .gguf file", id="bench-path")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Run test", id="bench-run", variant="primary")
                yield Button("Close", id="bench-close")
            yield ProgressBar(total=self.budget_s, show_eta=False, id="bench-progress")
            yield Label("", id="bench-status")

    def _installed_heading(self) -> str:
        if not self.scanned:
            return "Installed models: still scanning; type a path below."
        if not self.installed:
            return "Installed models: advisor scan found none; type a path below."
        return "Installed models (advisor scan):"

    def on_mount(self) -> None:
        self.query_one("#bench-installed", OptionList).display = bool(self.installed)
        self.query_one("#bench-progress").display = False
        (self.query_one("#bench-installed") if self.installed else self.query_one(Input)).focus()

    @on(OptionList.OptionHighlighted, "#bench-installed")
    def _picked(self, event: OptionList.OptionHighlighted) -> None:
        self.query_one("#bench-path", Input).value = str(self.installed[event.option_index].path)

    @on(OptionList.OptionSelected, "#bench-installed")
    @on(Input.Submitted, "#bench-path")
    @on(Button.Pressed, "#bench-run")
    def _confirmed(self) -> None:
        if self.running:
            return
        request = self._request()
        if request is not None:
            self._start(request)

    def _request(self) -> BenchRequest | None:
        text = self.query_one("#bench-path", Input).value.strip()
        if not text:
            self._status("Choose an installed model or type the path of a .gguf file.", True)
            return None
        path = Path(text).expanduser()
        if not path.is_file():
            self._status(f"{path}: no such file", True)
            return None
        known = next((i for i in self.installed if i.path == path), None)
        return BenchRequest(
            path,
            model_id=known.model_id if known and known.in_catalog else None,
            quant=known.quant if known and known.in_catalog else None,
            budget_s=self.budget_s,
            catalog_path=self.catalog_path,
        )

    def _start(self, request: BenchRequest) -> None:
        self.running = True
        self.stop.clear()
        self.query_one("#bench-run", Button).disabled = True
        self.query_one("#bench-close", Button).label = "Stop"
        progress = self.query_one("#bench-progress", ProgressBar)
        progress.display = True
        progress.update(progress=0)
        self._status(f"Testing {request.path.name}…", False)
        self.run_test(request)

    @work(thread=True, exclusive=True, group="bench")
    def run_test(self, request: BenchRequest) -> None:
        def tick(elapsed_s: float) -> None:
            self.post_message(self._Tick(elapsed_s))

        try:
            measurement = run_bench_process(request, self.stop, tick)
        except AdvisorError as exc:
            error = exc.message + (f" ({exc.hint})" if exc.hint else "")
            self.post_message(self._Done(None, error))
            return
        self.post_message(self._Done(measurement))

    @on(_Tick)
    def _ticked(self, message: _Tick) -> None:
        self.query_one("#bench-progress", ProgressBar).update(
            progress=min(message.elapsed_s, self.budget_s)
        )

    @on(_Done)
    def _done(self, message: _Done) -> None:
        self.running = False
        self.query_one("#bench-run", Button).disabled = False
        self.query_one("#bench-close", Button).label = "Close"
        self.query_one("#bench-progress", ProgressBar).update(progress=self.budget_s)
        if message.error:
            self._status(message.error, True)
        elif message.measurement is None:
            self._status("Stopped before any run finished; nothing was stored.", True)
        else:
            self._status(result_text(message.measurement) + " · stored", False)
            self.app.post_message(self.Finished(message.measurement))

    def _status(self, text: str, problem: bool) -> None:
        label = self.query_one("#bench-status", Label)
        label.update(plain(text))
        label.set_class(problem, "-problem")

    @on(Button.Pressed, "#bench-close")
    def action_stop_or_close(self) -> None:
        if self.running:
            self.stop.set()
            self._status("Stopping after the repetition in hand…", False)
        else:
            self.dismiss(None)

    def on_unmount(self) -> None:
        self.stop.set()  # leaving the app mid-test stops the child after its repetition
