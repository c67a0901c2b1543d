"""The app frame: first paint before the slow parts, help, themes and the profile switcher."""

from __future__ import annotations

from textual.widgets import OptionList

from advisor.tui.app import DARK, LIGHT, make_app
from advisor.tui.screens.help import HelpScreen
from advisor.tui.screens.profiles import ProfileScreen
from advisor.tui.widgets.machine_panel import MachinePanel

REFERENCE_PROFILE = "rtx-4090-desktop"
SIZE = (120, 40)


async def test_first_paint_comes_before_the_machine() -> None:
    app = make_app(profile=REFERENCE_PROFILE)
    async with app.run_test(size=SIZE):
        await app.loaded.wait()
        assert app.timings["first_paint"] < app.timings["machine_complete"]
        assert app.query_one(MachinePanel).machine.name == "RTX 4090 desktop"
        assert app.sub_title == "RTX 4090 desktop"


async def test_help_opens_and_closes(reference_machine) -> None:
    app = make_app(machine=reference_machine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)


async def test_theme_toggles_light_and_dark(reference_machine) -> None:
    app = make_app(machine=reference_machine)
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == DARK
        await pilot.press("d")
        assert app.theme == LIGHT
        await pilot.press("d")
        assert app.theme == DARK


async def test_profile_switcher_loads_the_chosen_machine() -> None:
    app = make_app(profile=REFERENCE_PROFILE)
    async with app.run_test(size=SIZE) as pilot:
        await app.loaded.wait()
        await pilot.press("p")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ProfileScreen)
        options = app.screen.query_one(OptionList)
        keys = [c.key for c in app.screen.choices]
        assert keys[0] == ""  # this computer comes first
        assert options.highlighted == keys.index(REFERENCE_PROFILE)
        options.highlighted = keys.index("office-laptop-8gb")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.machine.name == "Office laptop, 8 GB, CPU only"
        assert app.setup.profile == "office-laptop-8gb"


async def test_profile_switcher_escape_keeps_the_machine(reference_machine) -> None:
    app = make_app(machine=reference_machine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("escape")
        assert app.machine is reference_machine


async def test_unknown_profile_is_reported_not_crashed() -> None:
    app = make_app(profile="no-such-machine")
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel = app.query_one(MachinePanel)
        assert panel.machine is None
        assert "no profile named 'no-such-machine'" in panel.failure
        assert any(n.title == "machine failed" for n in app._notifications)
