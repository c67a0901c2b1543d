"""The advisor app and `make_app`, the one factory the CLI, the tests and the benchmarks use."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Label, TabbedContent, TabPane

from advisor.errors import AdvisorError
from advisor.probe.machine import Machine
from advisor.tui import stages
from advisor.tui.messages import MachineReady, ProfilesListed, StageFailed
from advisor.tui.screens.help import HelpScreen
from advisor.tui.screens.profiles import ProfileScreen
from advisor.tui.widgets.machine_panel import MachinePanel
from advisor.tui.widgets.model_detail import ModelDetail
from advisor.tui.widgets.models_table import ModelsTable

DARK, LIGHT = "textual-dark", "textual-light"
T = TypeVar("T")


@dataclass(frozen=True)
class Setup:
    """What the app was asked to show. None means "find it out": probe, load, scan."""

    machine: Machine | None = None
    profile: str | None = None
    profiles_dir: Path | None = None
    ram_gb: float | None = None
    vram_gb: float | None = None
    catalog: Any = None  # advisor.catalog.model.Catalog
    catalog_path: Path | None = None
    workloads: tuple[Any, ...] | None = None
    store: Any = None  # the throughput-test store; None: the user's own
    installed: tuple[Any, ...] | None = None  # scan results; None: scan in the background
    measure_bandwidth: bool = True
    theme: str = DARK


class AdvisorApp(App[None]):
    """Machine on top; models and workload verdicts in tabs; everything slow runs in workers."""

    CSS_PATH = "app.tcss"
    TITLE = "advisor"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help", key_display="?"),
        Binding("p", "switch_profile", "Profile"),
        Binding("b", "bench", "Test speed"),
        Binding("e", "export", "Export"),
        Binding("d", "toggle_theme", "Light/dark"),
        Binding("enter", "toggle_detail", "Detail", show=False),
        Binding("1", "show_tab('models')", "Models", show=False),
        Binding("2", "show_tab('workload')", "Workload", show=False),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, setup: Setup) -> None:
        super().__init__()
        self.setup = setup
        self.machine: Machine | None = setup.machine
        self.theme = setup.theme
        # perf_counter stamps of the first frame and of each stage landing (benchmarks read them)
        self.timings: dict[str, float] = {}
        self.loaded = asyncio.Event()  # set once every first-load stage has landed

    def compose(self) -> ComposeResult:
        yield Header()
        yield MachinePanel(id="machine")
        with TabbedContent(id="tabs"):
            with TabPane("Models", id="models"):
                yield ModelsTable(id="models-box")
                yield ModelDetail(id="detail")
            with TabPane("Workload", id="workload"):
                yield Label("Loading workloads…", id="workload-loading")
        yield Footer()

    def on_ready(self) -> None:
        """The first frame is on screen: only now start the slow parts."""
        self._stamp("first_paint")
        self._start_machine()

    def _stamp(self, name: str) -> None:
        self.timings.setdefault(name, time.perf_counter())
        if "machine_complete" in self.timings:
            self.loaded.set()

    def _guard(self, stage: str, call: Callable[[], T]) -> T | None:
        """Run a stage in a worker; an AdvisorError becomes a StageFailed message, not a crash."""
        try:
            return call()
        except AdvisorError as exc:
            self.post_message(StageFailed(stage, exc.message, exc.hint))
            return None

    # --- the machine -----------------------------------------------------------------------
    def _start_machine(self) -> None:
        if self.setup.machine is not None:
            self.post_message(MachineReady(self.setup.machine))
        else:
            self.load_machine(self.setup)

    @work(thread=True, exclusive=True, group="machine")
    def load_machine(self, setup: Setup) -> None:
        quick = self._guard("machine", lambda: stages.first_machine(setup))
        if quick is None:
            return
        pending = stages.needs_bandwidth(setup, quick)
        self.post_message(MachineReady(quick, complete=not pending))
        if pending:
            measured = self._guard("bandwidth", lambda: stages.with_bandwidth(quick))
            self.post_message(MachineReady(measured or quick))

    @on(MachineReady)
    def _machine_ready(self, message: MachineReady) -> None:
        self.machine = message.machine
        panel = self.query_one(MachinePanel)
        panel.machine = message.machine
        panel.bandwidth_pending = not message.complete
        self.sub_title = message.machine.name
        self._stamp("machine" if not message.complete else "machine_complete")

    @on(StageFailed)
    def _stage_failed(self, message: StageFailed) -> None:
        text = message.message + (f"\n{message.hint}" if message.hint else "")
        self.notify(text, title=f"{message.stage} failed", severity="error", timeout=15)
        if message.stage == "machine" and self.machine is None:
            self.query_one(MachinePanel).failure = message.message

    # --- the profile switcher --------------------------------------------------------------
    def action_switch_profile(self) -> None:
        self.list_profiles()

    @work(thread=True, exclusive=True, group="profiles")
    def list_profiles(self) -> None:
        choices = self._guard("profiles", lambda: stages.profile_choices(self.setup.profiles_dir))
        if choices is not None:
            self.post_message(ProfilesListed(tuple(choices)))

    @on(ProfilesListed)
    def _profiles_listed(self, message: ProfilesListed) -> None:
        current = self.setup.profile if self.setup.machine is None else None
        self.push_screen(ProfileScreen(message.choices, current), self._switch_to)

    def _switch_to(self, key: str | None) -> None:
        if key is None or (key or None) == self.setup.profile and self.setup.machine is None:
            return
        self.setup = dataclasses.replace(self.setup, machine=None, profile=key or None)
        self.machine = None
        panel = self.query_one(MachinePanel)
        panel.machine = None
        panel.loading_what = f"Loading profile {key}…" if key else "Probing this computer…"
        self.load_machine(self.setup)

    # --- models ----------------------------------------------------------------------------
    @on(ModelsTable.Highlighted)
    def _highlighted(self, message: ModelsTable.Highlighted) -> None:
        self.query_one(ModelDetail).candidate = message.candidate

    def action_toggle_detail(self) -> None:
        """On short terminals the detail takes the table's place; enter flips between them."""
        self.query_one("#models", TabPane).toggle_class("-detail-open")

    # --- the rest --------------------------------------------------------------------------
    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab


def make_app(
    *,
    machine: Machine | None = None,
    profile: str | None = None,
    profiles_dir: str | Path | None = None,
    ram_gb: float | None = None,
    vram_gb: float | None = None,
    catalog: Any = None,
    catalog_path: str | Path | None = None,
    workloads: Sequence[Any] | None = None,
    store: Any = None,
    installed: Sequence[Any] | None = None,
    measure_bandwidth: bool = True,
    theme: str = DARK,
) -> AdvisorApp:
    """Build the app. Pass `machine` and `catalog` to skip the probe and the catalog load."""
    setup = Setup(
        machine=machine,
        profile=profile,
        profiles_dir=Path(profiles_dir) if profiles_dir else None,
        ram_gb=ram_gb,
        vram_gb=vram_gb,
        catalog=catalog,
        catalog_path=Path(catalog_path) if catalog_path else None,
        workloads=tuple(workloads) if workloads is not None else None,
        store=store,
        installed=tuple(installed) if installed is not None else None,
        measure_bandwidth=measure_bandwidth,
        theme=theme,
    )
    return AdvisorApp(setup)


__all__ = ["AdvisorApp", "Setup", "make_app"]
