"""What the app's keys do: switch the machine, test speed, export, help, theme and tabs.

A mixin of AdvisorApp (advisor.tui.app), which holds the state these read (`setup`, `machine`,
`presets`, ...) and the message handlers: Textual collects `@on` handlers only from its own
classes, so those stay in the app.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

from textual.actions import SkipAction
from textual.widget import Widget
from textual.widgets import Input, TabbedContent, Tabs

from advisor.console import printable
from advisor.tui import stages
from advisor.tui.screens.bench import BenchScreen
from advisor.tui.screens.export import ExportScreen
from advisor.tui.screens.help import HelpScreen
from advisor.tui.screens.profiles import ProfileScreen
from advisor.tui.setup import DARK, LIGHT
from advisor.tui.widgets.machine_panel import MachinePanel
from advisor.tui.widgets.models_table import ModelsTable


class AppActions:
    """The `action_*` methods of AdvisorApp (its BINDINGS name them)."""

    def action_switch_profile(self) -> None:
        current = stages.profile_key(self.machine) if self.machine else None
        self.push_screen(ProfileScreen(self.setup.profiles_dir, current), self._switch_to)

    def _switch_to(self, key: str | None) -> None:
        """Load the chosen machine ("" is this computer) and rank and advise again for it."""
        if key is None or self.machine is not None and key == stages.profile_key(self.machine):
            return
        self.setup = dataclasses.replace(self.setup, machine=None, profile=key)
        self.machine, self.machine_complete = None, False
        what = f"Loading profile {key}…" if key else "Probing this computer…"
        self.query_one(MachinePanel).wait_for(what)
        self.query_one(ModelsTable).set_note("ranking…")
        self._advise()  # no machine: the verdict pane says it is waiting
        self.load_machine(self.setup)

    def action_bench(self) -> None:
        profile = self.machine.name if self.machine and self.machine.origin != "probe" else None
        self.push_screen(
            BenchScreen(
                self.installed,
                profile_name=profile,
                budget_s=self.setup.bench_budget_s,
                catalog_path=self.setup.catalog_path,
            )
        )

    def action_export(self) -> None:
        pane = self._pane()
        if not (self.machine_complete and self.catalog and self.config and pane):
            self.notify("The report is not ready yet: wait for the models and workloads.")
            return
        # Every workload, with the one being edited as it stands in the form.
        edited = pane.workload
        workloads = [edited if w.name == edited.name else w for w in self.presets]
        render = functools.partial(stages.report, self._advice_inputs(), workloads)
        folder = self.setup.export_dir or Path.cwd()
        self.push_screen(ExportScreen(folder, render), self._exported)

    def _exported(self, path: Path | None) -> None:
        if path is not None:
            self.notify(printable(f"Saved {path}"), title="Report exported", markup=False)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_leave_field(self) -> None:
        """Escape in a text field (the model filter, a workload number) gives the keys back to
        the tab, so q, p, ? and 1 act again instead of being typed; where the tab's own widget
        is a text field (the team's), to the tab bar."""
        if not isinstance(self.focused, Input):
            raise SkipAction()
        tabs = self.query_one(TabbedContent)
        target = self._tab_widget(tabs.active)
        if target is None or isinstance(target, Input):
            target = tabs.query_one(Tabs)
        target.focus(scroll_visible=False)

    def _tab_widget(self, tab: str | None) -> Widget | None:
        targets = {"models": "#models-table", "team": "#team-people"}
        found = self.query(targets.get(tab or "", "#workload-form Select"))
        return found.first() if found else None
