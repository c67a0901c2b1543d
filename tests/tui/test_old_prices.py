"""The app says which prices and scores behind a verdict or a team plan are older than 120
days, with their date, age and source, as `advisor report` warns of them."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.widgets import Input, Static

from advisor import advise
from advisor.probe import load_profile
from advisor.tui.widgets.team_view import TeamView
from advisor.tui.widgets.verdict_view import VerdictView

SIZE = (120, 40)


def _text(renderable) -> str:
    """A renderable as plain text, wide enough that nothing wraps."""
    console = Console(width=400, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


async def _settled(app, pilot, settle, tab: str) -> None:
    await settle(app, pilot)
    await pilot.press(tab)
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_verdict_lists_its_old_prices_and_scores(
    build, settle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(advise, "now_utc", lambda: "2030-01-01T00:00:00Z")  # all of it is old
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await _settled(app, pilot, settle, "2")
        view = app.query_one(VerdictView)
        verdict = view.verdict
        assert verdict is not None and view.stale
        shown = _text(view.query_one("#verdict-body", Static).content)
        assert "Old prices and scores" in shown
        frontier = verdict.cloud.frontier
        assert f"the API price of {frontier.name} is dated {frontier.price_date}" in shown
        assert "days before this report (source" in shown
        for fact in view.stale:
            assert fact.age_days > 120 and fact.message() in shown


async def test_fresh_prices_and_scores_add_no_section(
    build, settle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(advise, "now_utc", lambda: "2020-01-01T00:00:00Z")  # before them all
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await _settled(app, pilot, settle, "2")
        view = app.query_one(VerdictView)
        assert view.verdict is not None and view.stale == ()
        assert "Old prices and scores" not in _text(view.query_one("#verdict-body", Static).content)


async def test_the_team_plan_lists_its_old_prices_and_scores(
    build, settle, catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(advise, "now_utc", lambda: "2030-01-01T00:00:00Z")
    app = build(machine=load_profile("h100-server"))
    async with app.run_test(size=SIZE) as pilot:
        await _settled(app, pilot, settle, "3")
        view = app.query_one(TeamView)
        view.query_one("#team-people", Input).value = "25"
        view.query_one("#team-seats", Input).value = "chatgpt-business=25"
        await pilot.click("#team-plan")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert view.advice is not None
        shown = str(view.query_one("#team-result", Static).render())
        assert "Shared server for 25 people" in shown and "Old prices and scores" in shown
        seat = next(s for s in catalog.cloud.subscriptions if s.id == "chatgpt-business")
        assert f"the price of {seat.vendor} {seat.plan} is dated {seat.date}" in shown
        assert f"(source {seat.source})" in shown
