"""The Team tab: people, seats and peak factor in, the plan for the machine on top out."""

from __future__ import annotations

from textual.widgets import Input, Static

from advisor.probe import load_profile
from advisor.tui.widgets.team_view import TeamView

SIZE = (120, 40)


async def _plan(app, pilot, settle, **fields) -> TeamView:
    await settle(app, pilot)
    await pilot.press("3")
    await pilot.pause()
    view = app.query_one(TeamView)
    for name, value in fields.items():
        view.query_one(f"#team-{name}", Input).value = value
    await pilot.click("#team-plan")
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    return view


async def test_the_team_tab_plans_a_shared_server_with_its_commands(build, settle) -> None:
    app = build(machine=load_profile("h100-server"))
    async with app.run_test(size=SIZE) as pilot:
        view = await _plan(app, pilot, settle, people="25", seats="chatgpt-business=25")
        advice = view.advice
        assert advice is not None and advice.demand.users == 25
        assert advice.plan.choice is not None and advice.plan.choice.servers == 1
        assert [p.plan_id for p in advice.comparison.replaced] == ["chatgpt-business"]
        text = str(view.query_one("#team-result", Static).render())
        assert "Shared server for 25 people" in text and "llama-server " in text


async def test_bad_team_input_is_named_and_nothing_is_planned(build, settle) -> None:
    app = build(machine=load_profile("h100-server"))
    async with app.run_test(size=SIZE) as pilot:
        view = await _plan(app, pilot, settle, people="-3")
        assert view.advice is None
        assert "Fix the form: --team takes the number of people" in str(
            view.query_one("#team-result", Static).render()
        )
        view = await _plan(app, pilot, settle, people="4", peak="0.5")
        assert "--peak-factor must be at least 1" in str(
            view.query_one("#team-result", Static).render()
        )
