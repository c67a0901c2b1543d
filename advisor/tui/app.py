"""The advisor app and `make_app`, the one factory the CLI, the tests and the benchmarks use."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Label, TabbedContent, TabPane

from advisor.console import printable
from advisor.errors import AdvisorError
from advisor.probe.machine import Machine
from advisor.tui import stages
from advisor.tui.app_actions import AppActions
from advisor.tui.control_filter import PRINTABLE
from advisor.tui.messages import (
    AdviceReady,
    CatalogReady,
    MachineReady,
    RankingReady,
    ScanReady,
    StageFailed,
    WorkloadsReady,
)
from advisor.tui.screens.bench import BenchScreen
from advisor.tui.setup import DARK, Setup
from advisor.tui.stages import AdviceInputs
from advisor.tui.widgets.key_footer import KeyFooter
from advisor.tui.widgets.machine_panel import MachinePanel
from advisor.tui.widgets.models_table import ModelsTable
from advisor.tui.widgets.models_view import ModelsView
from advisor.tui.widgets.team_view import TeamView
from advisor.tui.widgets.verdict_view import VerdictView
from advisor.tui.widgets.workload_pane import WorkloadPane

if TYPE_CHECKING:
    from advisor.catalog.model import Catalog
    from advisor.catalog.scan.installed import InstalledModel
    from advisor.config import Config
    from advisor.workload import Workload

FIRST_LOAD = frozenset({"machine", "ranking", "scan", "advice"})
# The first-load stages a failure puts an end to: without a catalog nothing is ranked,
# scanned or advised; without a machine nothing is ranked or advised.
FAILED_STAGE_ENDS = {
    "bandwidth": ("machine",),
    "machine": ("machine", "ranking", "advice"),
    "catalog": ("ranking", "scan", "advice"),
    "config": ("advice",),
    "workloads": ("advice",),
}
T = TypeVar("T")
# The footer's keys, most important first: on a narrow terminal the last ones are left out.
FOOTER_IMPORTANCE = (
    "quit", "help", "focus_search", "next_task", "switch_profile", "bench", "export",
    "next_context", "next_fit", "next_sort", "toggle_theme",
)  # fmt: skip


class AdvisorApp(AppActions, App[None]):
    """Machine on top; models and workload verdicts in tabs; everything slow runs in workers."""

    CSS_PATH = "app.tcss"
    TITLE = "advisor"
    AUTO_FOCUS = "#models-table"  # the table's keys work from the start
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help", key_display="?"),
        Binding("p", "switch_profile", "Profile"),
        Binding("b", "bench", "Test speed"),
        Binding("e", "export", "Export"),
        Binding("d", "toggle_theme", "Light/dark"),
        Binding("1", "show_tab('models')", "Models", show=False),
        Binding("2", "show_tab('workload')", "Workload", show=False),
        Binding("3", "show_tab('team')", "Team", show=False),
        Binding("q", "quit", "Quit"),
        Binding("escape", "leave_field", "Leave the field", show=False),
    ]

    def __init__(self, setup: Setup) -> None:
        super().__init__()
        self.setup = setup
        self.theme = setup.theme
        self.machine: Machine | None = None
        self.machine_complete = False
        self.catalog: Catalog | None = None
        self.config: Config | None = setup.config
        self.presets: tuple[Workload, ...] = ()
        self.installed: tuple[InstalledModel, ...] | None = setup.installed
        self.rows: tuple = ()
        self.ranked_machine: Machine | None = None  # the machine the rows were ranked for
        self.measurements = 0  # throughput tests finished here: each one recalibrates
        # perf_counter stamps of the first frame and of each stage landing (benchmarks read them)
        self.timings: dict[str, float] = {}
        self.loaded = asyncio.Event()  # set once every first-load stage has landed or failed
        self._pending = set(FIRST_LOAD)

    def compose(self) -> ComposeResult:
        yield Header()
        yield MachinePanel(id="machine")
        with TabbedContent(id="tabs"):
            with TabPane("Models", id="models"):
                yield ModelsView(id="models-view")
            with TabPane("Workload", id="workload"):
                yield Label("Loading workloads…", id="workload-loading")
            with TabPane("Team", id="team"):
                yield Label("Loading workloads…", id="team-loading")
        yield KeyFooter(FOOTER_IMPORTANCE)

    def on_ready(self) -> None:
        """The first frame is on screen: only now start the slow parts."""
        self._stamp("first_paint")
        self._start_machine()
        self.load_data()

    def _stamp(self, name: str) -> None:
        self.timings.setdefault(name, time.perf_counter())

    def _landed(self, *stages_done: str) -> None:
        for stage in stages_done:
            self._stamp(stage)
            self._pending.discard(stage)
        if not self._pending:
            self.loaded.set()

    def _guard(self, stage: str, call: Callable[[], T]) -> T | None:
        """Run a stage in a worker; an AdvisorError becomes a StageFailed message, not a crash."""
        try:
            return call()
        except AdvisorError as exc:
            self.post_message(StageFailed(stage, exc.message, exc.hint))
            return None

    @on(StageFailed)
    def _stage_failed(self, message: StageFailed) -> None:
        text = message.message + (f"\n{message.hint}" if message.hint else "")
        self.notify(
            printable(text), title=f"{message.stage} failed", severity="error", timeout=15,
            markup=False,
        )  # fmt: skip
        if message.stage == "machine" and self.machine is None:
            self.query_one(MachinePanel).fail(message.message)
        if message.stage in ("catalog", "ranking", "machine"):
            self.query_one(ModelsTable).set_note(f"{message.stage} failed")
        if message.stage == "ranking":
            self.ranked_machine = self.machine  # the verdict need not wait any longer
            self._advise()
        if message.stage in ("catalog", "workloads", "machine") and self._pane():
            self._pane().query_one(VerdictView).say(f"No verdict: {message.message}", problem=True)
        self._landed(*FAILED_STAGE_ENDS.get(message.stage, (message.stage,)))

    # --- the machine -----------------------------------------------------------------------
    def _start_machine(self) -> None:
        if self.setup.machine is not None:
            self.post_message(MachineReady(self.setup.machine))
        else:
            self.load_machine(self.setup)

    @work(thread=True, exclusive=True, group="machine")
    def load_machine(self, setup: Setup) -> None:
        default = None
        if setup.profile is None:
            config = self.config or self._guard("config", stages.config)
            default = config.defaults.profile if config else None
        quick = self._guard("machine", lambda: stages.first_machine(setup, default))
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
        self.machine_complete = message.complete
        self.query_one(MachinePanel).show(message.machine, bandwidth_pending=not message.complete)
        self.sub_title = printable(message.machine.name)
        if message.complete:
            self._landed("machine")
            self._rank()

    # --- catalog, workloads, scan ----------------------------------------------------------
    @work(thread=True, exclusive=True, group="data")
    def load_data(self) -> None:
        setup = self.setup
        config = self.config or self._guard("config", stages.config)
        catalog = setup.catalog or self._guard("catalog", lambda: stages.catalog(setup, config))
        if catalog is not None:
            self.post_message(CatalogReady(catalog))
        if config is None:
            return
        presets = setup.workloads or self._guard("workloads", lambda: stages.workloads(config))
        if presets:
            self.post_message(WorkloadsReady(tuple(presets), config))
        if catalog is not None and self.installed is None:
            found = self._guard("scan", lambda: stages.scan(catalog))
            self.post_message(ScanReady(found or ()))
        elif self.installed is not None:
            self.post_message(ScanReady(self.installed))

    @on(CatalogReady)
    def _catalog_ready(self, message: CatalogReady) -> None:
        from advisor.catalog.fields import TASKS

        self.catalog = message.catalog
        self._stamp("catalog")
        self.query_one(ModelsTable).set_tasks(TASKS)
        self._rank()

    @on(WorkloadsReady)
    async def _workloads_ready(self, message: WorkloadsReady) -> None:
        self.config = message.config
        self.presets = message.workloads
        pane = self.query_one("#workload", TabPane)
        await pane.query("#workload-loading").remove()
        await pane.mount(WorkloadPane(message.workloads, id="workload-pane"))
        team = self.query_one("#team", TabPane)
        await team.query("#team-loading").remove()
        await team.mount(TeamView(message.workloads, id="team-view"))
        self._stamp("workloads")
        self._advise()

    @on(ScanReady)
    def _scan_ready(self, message: ScanReady) -> None:
        self.installed = message.installed
        self._landed("scan")
        if self.rows:
            self._show_rows(self.rows)

    # --- models ----------------------------------------------------------------------------
    def _rank(self) -> None:
        if self.machine_complete and self.catalog is not None:
            table = self.query_one(ModelsTable)
            self.rank(self.machine, self.catalog, table.view.task, table.context_tokens)

    @work(thread=True, exclusive=True, group="rank")
    def rank(self, machine: Machine, catalog: Catalog, task: str, context_tokens: int) -> None:
        def run() -> list:
            return stages.ranked(
                machine,
                catalog,
                self.installed or (),
                task=task,
                context_tokens=context_tokens,
            )

        rows = self._guard("ranking", run)
        if rows is not None:
            self.post_message(RankingReady(tuple(rows), machine, task, context_tokens))

    @on(RankingReady)
    def _ranking_ready(self, message: RankingReady) -> None:
        if message.machine is not self.machine:
            return  # ranked for a machine the user has since switched away from
        self._show_rows(message.rows)
        self._landed("ranking")
        if self.ranked_machine is not message.machine:
            self.ranked_machine = message.machine
            self._advise()

    def _show_rows(self, rows: tuple) -> None:
        self.rows = stages.with_installed(rows, self.installed or ())
        self.query_one(ModelsTable).set_candidates(self.rows)

    @on(ModelsTable.RankingWanted)
    def _ranking_wanted(self) -> None:
        self._rank()

    # --- workload and verdict --------------------------------------------------------------
    def _pane(self) -> WorkloadPane | None:
        found = self.query(WorkloadPane)
        return found.first() if found else None

    def _advise(self) -> None:
        """Hand the workload pane what a verdict needs, once all of it is here.

        It waits for the table's first ranking on this machine: both are CPU-bound, and the
        table is what the user sees first.
        """
        pane = self._pane()
        if pane is None:
            return
        ranked = self.ranked_machine is self.machine
        ready = ranked and self.machine_complete and self.catalog and self.config is not None
        inputs = None
        if ready:
            inputs = self._advice_inputs()
        pane.set_inputs(inputs)
        for team in self.query(TeamView):
            team.set_inputs(inputs)

    def _advice_inputs(self) -> AdviceInputs:
        return AdviceInputs(self.machine, self.catalog, self.config, self.measurements)

    @on(AdviceReady)
    def _advice_ready(self) -> None:
        self._landed("advice")

    # --- what the keys open (their actions: advisor.tui.app_actions) --------------------------
    @on(BenchScreen.Finished)
    def _bench_finished(self) -> None:
        """A new measurement: rank again (calibration reloads) and redo the verdict."""
        self.measurements += 1
        self.query_one(ModelsTable).set_note("recalibrating…")
        self._rank()
        self._advise()

    def get_line_filters(self):
        return [*super().get_line_filters(), PRINTABLE]

    @on(TabbedContent.TabActivated)
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        """Focus the tab's main widget, so its keys work without a click."""
        target = self._tab_widget(event.pane.id)
        if target is not None:
            target.focus(scroll_visible=False)  # it is at the top already


def make_app(
    *,
    machine: Machine | None = None,
    profile: str | None = None,
    profiles_dir: str | Path | None = None,
    ram_gb: float | None = None,
    vram_gb: float | None = None,
    catalog: Catalog | None = None,
    catalog_path: str | Path | None = None,
    workloads: Sequence[Workload] | None = None,
    config: Config | None = None,
    installed: Sequence[InstalledModel] | None = None,
    measure_bandwidth: bool = True,
    bench_budget_s: float = 30.0,
    export_dir: str | Path | None = None,
    theme: str = DARK,
) -> AdvisorApp:
    """Build the app. Everything not given is found in the background after the first frame:
    the machine (probe or `profile`), the catalog, the workloads, the config and the scan."""
    setup = Setup(
        machine=machine,
        profile=profile,
        profiles_dir=Path(profiles_dir) if profiles_dir else None,
        ram_gb=ram_gb,
        vram_gb=vram_gb,
        catalog=catalog,
        catalog_path=Path(catalog_path) if catalog_path else None,
        workloads=tuple(workloads) if workloads is not None else None,
        config=config,
        installed=tuple(installed) if installed is not None else None,
        measure_bandwidth=measure_bandwidth,
        bench_budget_s=bench_budget_s,
        export_dir=Path(export_dir) if export_dir else None,
        theme=theme,
    )
    return AdvisorApp(setup)


__all__ = ["AdvisorApp", "Setup", "make_app"]
