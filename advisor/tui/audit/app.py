"""The audit view: the fleet summary on top; workloads, upgrades, models, machines, cost and
skipped reports in tabs. The audit is computed before the app opens; the app only shows it."""

from __future__ import annotations

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import (
    DataTable,
    Header,
    Input,
    Static,
    TabbedContent,
    TabPane,
    Tabs,
)

from advisor.audit.fleet import FleetAudit, MachineRow
from advisor.audit.render import present
from advisor.tui.audit import views
from advisor.tui.control_filter import PRINTABLE
from advisor.tui.format import plain
from advisor.tui.setup import DARK, LIGHT
from advisor.tui.widgets.key_footer import KeyFooter

TABS = ("workloads", "upgrades", "models", "machines", "cost", "problems")


class AuditApp(App[None]):
    """One fleet audit, read-only; `/` filters the machines, a row shows its verdicts."""

    CSS_PATH = "audit.tcss"
    TITLE = "advisor audit"
    BINDINGS = [
        *(
            Binding(str(i), f"show_tab('{tab}')", tab.title(), show=False)
            for i, tab in enumerate(TABS, start=1)
        ),
        Binding("slash", "filter", "Filter machines", key_display="/"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("d", "toggle_theme", "Light/dark"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, audit: FleetAudit, *, theme: str = DARK) -> None:
        super().__init__()
        self.audit = audit
        self.theme = theme
        self.shown: list[MachineRow] = list(audit.machines)
        self.selected: MachineRow | None = None  # the machine whose verdicts are shown

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(plain("\n".join(present.headline(self.audit))), id="summary")
        with TabbedContent(id="audit-tabs"):
            with TabPane("Workloads", id="workloads"):
                yield DataTable(id="workload-table", zebra_stripes=True)
            with TabPane("Upgrades", id="upgrades"):
                yield Static(views.upgrade_chart(self.audit), classes="chart")
                yield DataTable(id="upgrade-table", zebra_stripes=True)
            with TabPane("Models", id="models"):
                yield DataTable(id="model-table", zebra_stripes=True)
            with TabPane("Machines", id="machines"):
                yield Input(placeholder="filter: report, id, CPU, GPU, model…", id="machine-filter")
                yield DataTable(id="machine-table", zebra_stripes=True, cursor_type="row")
                yield Static("Select a machine to see its verdicts.", id="machine-detail")
            with TabPane("Cost", id="cost"):
                yield Static(views.cost_view(self.audit), classes="chart")
            with TabPane(f"Skipped ({len(self.audit.skipped)})", id="problems"):
                yield DataTable(id="problem-table", zebra_stripes=True)
        yield KeyFooter(("quit", "filter", "toggle_theme"))

    def on_mount(self) -> None:
        self.sub_title = present.count(len(self.audit.machines), "machine")
        self._fill(
            "workload-table",
            (
                "workload",
                "machines",
                "local share",
                "local",
                "hybrid",
                "cloud",
                "not viable",
                "with which model",
            ),
            views.workload_rows(self.audit),
        )
        self._fill(
            "upgrade-table",
            (
                "change",
                "workload made viable",
                "machines",
                "for",
                "price",
                "saving a month",
                "payback",
            ),  # fmt: skip
            views.suggestion_rows(self.audit),
        )
        self._fill(
            "model-table",
            ("model", "quants", "machines", "workloads", "decode tok/s", "prefill tok/s"),
            views.model_rows(self.audit),
        )
        self._fill("problem-table", ("report", "what happened"), views.problem_rows(self.audit))
        self._fill_machines()
        self.query_one("#workload-table", DataTable).focus()

    def _fill(self, table_id: str, columns: tuple[str, ...], rows: list) -> None:
        table = self.query_one(f"#{table_id}", DataTable)
        table.clear(columns=True)
        table.add_columns(*columns)
        # A str cell would be read as markup: report text goes in as Text.
        table.add_rows([[plain(c) if isinstance(c, str) else c for c in row] for row in rows])

    def _fill_machines(self) -> None:
        columns = ("report", "hardware", "local", "best option", "today", "with local")
        self._fill("machine-table", columns, views.machine_rows(self.shown))

    # --- actions ---------------------------------------------------------------------------
    def get_line_filters(self):
        return [*super().get_line_filters(), PRINTABLE]

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    @on(TabbedContent.TabActivated)
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        """Focus the tab's table (else its tab bar): the focus left behind in a hidden tab would
        pull that tab back, and its keys would not reach the new one."""
        if self.focused is not None and event.pane in self.focused.ancestors:
            return  # `/` has put it in the filter box already
        tables = event.pane.query(DataTable)
        target = tables.first() if tables else event.tabbed_content.query_one(Tabs)
        target.focus(scroll_visible=False)

    def action_filter(self) -> None:
        self.action_show_tab("machines")
        self.query_one("#machine-filter", Input).focus()

    def action_clear_filter(self) -> None:
        """Escape: in the filter box, clear it and give the keys back to the machine table (so
        q and 1-6 act again); elsewhere, clear the filter."""
        field = self.query_one("#machine-filter", Input)
        if field.value:
            field.value = ""
        if self.focused is field:
            self.query_one("#machine-table", DataTable).focus()

    @on(Input.Submitted, "#machine-filter")
    def _filter_done(self) -> None:
        self.query_one("#machine-table", DataTable).focus()

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK

    @on(Input.Changed, "#machine-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.shown = [m for m in self.audit.machines if views.matches(m, event.value.strip())]
        self._fill_machines()

    @on(DataTable.RowHighlighted, "#machine-table")
    def _machine_highlighted(self, event: DataTable.RowHighlighted) -> None:
        index = event.cursor_row
        if 0 <= index < len(self.shown):
            self.selected = self.shown[index]
            detail = views.machine_detail(self.selected)
            self.query_one("#machine-detail", Static).update(detail)


def make_audit_app(audit: FleetAudit, *, theme: str = DARK) -> AuditApp:
    """The audit view for the CLI and the tests."""
    return AuditApp(audit, theme=theme)
