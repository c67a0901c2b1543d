"""The audit view (`advisor audit --tui`), driven with Textual's Pilot on the test fleet."""

from __future__ import annotations

import io

from rich.console import Console
from textual.widgets import DataTable, Input, Static, TabbedContent

from advisor.tui.audit.app import make_audit_app
from advisor.tui.audit.views import machine_detail


def _cells(app, table_id: str) -> list[list[str]]:
    table = app.query_one(f"#{table_id}", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_tabs_show_the_audit(fleet_audit) -> None:
    app = make_audit_app(fleet_audit)
    async with app.run_test(size=(140, 42)) as pilot:
        summary = str(app.query_one("#summary", Static).render())
        assert "8 machines from 8 reports" in summary
        workloads = _cells(app, "workload-table")
        assert [row[0] for row in workloads] == [w.title for w in fleet_audit.workloads]
        assert "%" in workloads[0][2]  # the local-share bar ends with the share
        await pilot.press("2")
        assert app.query_one(TabbedContent).active == "upgrades"
        upgrades = _cells(app, "upgrade-table")
        assert [row[0] for row in upgrades] == [s.change.label for s in fleet_audit.suggestions]
        await pilot.press("3")
        models = _cells(app, "model-table")
        assert {row[0] for row in models} == {m.model_name for m in fleet_audit.models}


async def test_machines_filter_and_detail(fleet_audit) -> None:
    app = make_audit_app(fleet_audit)
    async with app.run_test(size=(140, 42)) as pilot:
        await pilot.press("4")
        assert len(_cells(app, "machine-table")) == 8
        await pilot.press("slash")
        assert app.focused is app.query_one("#machine-filter", Input)
        await pilot.press(*"4090")
        await pilot.pause()
        rows = _cells(app, "machine-table")
        assert len(rows) == 2 and all("4090" in row[1] for row in rows)
        app.query_one("#machine-table", DataTable).focus()
        await pilot.press("down", "up")
        await pilot.pause()
        assert app.selected is not None and "rtx-4090-desktop" in app.selected.origin
        console = Console(file=io.StringIO(), width=120)
        console.print(machine_detail(app.selected))
        shown = console.file.getvalue()
        for outcome in app.selected.outcomes:
            assert outcome.workload in shown
        await pilot.press("escape")
        await pilot.press("q")


async def test_cost_and_skipped_tabs(fleet_audit) -> None:
    app = make_audit_app(fleet_audit)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("5")
        assert app.query_one(TabbedContent).active == "cost"
        await pilot.press("6")
        assert app.query_one(TabbedContent).active == "problems"
        assert _cells(app, "problem-table") == []
        await pilot.press("d")
        assert app.theme == "textual-light"


async def test_escape_leaves_the_machine_filter_and_quit_shows_at_80_columns(fleet_audit) -> None:
    from textual.widgets._footer import FooterKey

    app = make_audit_app(fleet_audit)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", *"q1")
        field = app.query_one("#machine-filter", Input)
        assert app.focused is field and field.value == "q1"  # typed: it is a filter
        await pilot.press("escape")
        assert app.focused is app.query_one("#machine-table", DataTable) and field.value == ""
        await pilot.press("1")
        assert app.query_one(TabbedContent).active == "workloads"
        await pilot.press("slash", *"4090", "enter")  # enter keeps the filter
        assert app.focused is app.query_one("#machine-table", DataTable)
        assert len(_cells(app, "machine-table")) == 2
        await pilot.pause()
        keys = {k.action.rsplit(".", 1)[-1]: k for k in app.screen.query(FooterKey) if k.display}
        assert "quit" in keys and all(k.region.right <= 80 for k in keys.values())
        assert app.sub_title == "8 machines"
