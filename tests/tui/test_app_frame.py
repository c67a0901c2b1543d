"""The app frame: first paint before the slow parts, help, themes and the profile switcher."""

from __future__ import annotations

from textual.widgets import OptionList

from advisor.tui.screens.help import HelpScreen
from advisor.tui.screens.profiles import ProfileScreen
from advisor.tui.setup import DARK, LIGHT
from advisor.tui.widgets.machine_panel import MachinePanel
from advisor.tui.widgets.models_table import ModelsTable

SIZE = (120, 40)


async def test_first_paint_comes_before_every_slow_stage(build, settle) -> None:
    app = build(machine=None, profile="rtx-4090-desktop", catalog=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        paint = app.timings["first_paint"]
        for stage in ("machine", "catalog", "ranking", "scan", "advice"):
            assert app.timings[stage] > paint, stage
        assert app.query_one(MachinePanel).machine.name == "RTX 4090 desktop"
        assert app.sub_title == "RTX 4090 desktop"


async def test_help_opens_and_closes(build) -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)


async def test_theme_toggles_light_and_dark(build) -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == DARK
        await pilot.press("d")
        assert app.theme == LIGHT
        await pilot.press("d")
        assert app.theme == DARK


async def _open_profiles(app, pilot) -> ProfileScreen:
    await pilot.press("p")
    screen = app.screen
    assert isinstance(screen, ProfileScreen)
    await screen.workers.wait_for_complete()
    await pilot.pause()
    return screen


async def test_profile_switcher_loads_the_chosen_machine(build, settle) -> None:
    app = build(machine=None, profile="rtx-4090-desktop")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        before = app.query_one(ModelsTable).candidates
        screen = await _open_profiles(app, pilot)
        keys = [c.key for c in screen.choices]
        assert keys[0] == ""  # this computer comes first
        options = screen.query_one(OptionList)
        assert options.highlighted == keys.index("rtx-4090-desktop")
        options.highlighted = keys.index("office-laptop-8gb")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.machine.name == "Office laptop, 8 GB, CPU only"
        assert app.setup.profile == "office-laptop-8gb"
        after = app.query_one(ModelsTable).candidates
        # The same catalog ranked again for 8 GB of RAM and no GPU: fewer models fit.
        assert sum(c.fits for c in after) < sum(c.fits for c in before)
        assert not any(c.fits and c.estimate.placement.kind != "cpu" for c in after)


async def test_profile_switcher_escape_keeps_the_machine(build, reference_machine) -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await _open_profiles(app, pilot)
        await pilot.press("escape")
        assert not isinstance(app.screen, ProfileScreen)
        assert app.machine is reference_machine


async def test_unknown_profile_is_reported_not_crashed(build) -> None:
    app = build(machine=None, profile="no-such-machine")
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel = app.query_one(MachinePanel)
        assert panel.machine is None
        assert "no profile named 'no-such-machine'" in panel.failure
        assert any(n.title == "machine failed" for n in app._notifications)


async def test_a_broken_catalog_is_reported_and_nothing_waits_for_it(
    build, settle, tmp_path
) -> None:
    broken = tmp_path / "models.yaml"
    broken.write_text("schema_version: 1\nmodels: [\n")
    app = build(catalog=None, catalog_path=broken)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)  # every first-load stage ends, failed or not
        failures = [n for n in app._notifications if n.title == "catalog failed"]
        assert failures and str(broken) in failures[0].message
        assert "catalog failed" in str(app.query_one("#row-count").render())
        assert app.query_one(ModelsTable).candidates == ()
