"""The workload tab: presets, edits that change the verdict, and edits that are refused."""

from __future__ import annotations

from textual.widgets import Input, Label, Select

from advisor.tui.widgets.verdict_view import VerdictView, cost_rows
from advisor.tui.widgets.workload_pane import WorkloadPane

SIZE = (120, 40)


async def _workload_tab(app, pilot, settle) -> WorkloadPane:
    await settle(app, pilot)
    await pilot.press("2")
    await pilot.pause()
    return app.query_one(WorkloadPane)


async def _verdict(app, pilot):
    """The verdict on screen once the advice worker has answered."""
    await pilot.pause()  # the edit reaches the pane, which starts its worker
    await app.workers.wait_for_complete()
    await pilot.pause()
    return app.query_one(VerdictView).verdict


async def test_the_first_preset_gets_a_verdict(build, settle, presets) -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        pane = await _workload_tab(app, pilot, settle)
        verdict = await _verdict(app, pilot)
        assert pane.workload is presets[0]
        assert verdict.workload is presets[0]
        assert verdict.kind in ("local", "hybrid", "cloud") and verdict.reasons
        labels = [row.label for row in cost_rows(verdict)]
        assert labels[0] == "local" and "API frontier" in labels and "subscription" in labels


async def test_picking_a_preset_redoes_the_verdict(build, settle, presets) -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        pane = await _workload_tab(app, pilot, settle)
        pane.query_one("#preset", Select).value = presets[1].name
        verdict = await _verdict(app, pilot)
        assert verdict.workload is presets[1]
        task = pane.query_one("#task", Select).value
        requests = pane.query_one("#field-requests_per_day", Input).value
        assert task == presets[1].task
        assert float(requests) == presets[1].requests_per_day


async def test_editing_a_field_updates_the_verdict_live(build, settle, presets) -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        pane = await _workload_tab(app, pilot, settle)
        before = await _verdict(app, pilot)
        field = pane.query_one("#field-requests_per_day", Input)
        field.value = str(presets[0].requests_per_day * 100)
        after = await _verdict(app, pilot)
        assert after.workload.requests_per_day == presets[0].requests_per_day * 100
        assert after.workload.origin == "edited"
        # A hundred times the requests cost a hundred times as much through the frontier API.
        ratio = after.costs.frontier_api / before.costs.frontier_api
        assert abs(ratio - 100) < 1e-6


async def test_an_invalid_edit_is_refused_with_the_reason(build, settle) -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        pane = await _workload_tab(app, pilot, settle)
        shown = await _verdict(app, pilot)
        pane.query_one("#field-context_tokens", Input).value = "100"
        await pilot.pause()
        error = str(pane.query_one("#form-error", Label).render())
        assert "context_tokens" in error and "smaller than one call's input plus output" in error
        assert app.query_one(VerdictView).verdict is shown  # nothing new was worked out
        assert "Fix the form" in app.query_one(VerdictView).message
        pane.query_one("#field-context_tokens", Input).value = "abc"
        await pilot.pause()
        assert "is not a whole number" in str(pane.query_one("#form-error", Label).render())
