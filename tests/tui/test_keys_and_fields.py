"""Escape leaves a text field, so the app's keys (q, p, ?, 1) work again instead of being typed
into it; the help can be read whole; the footer keeps "q Quit" on an 80-column terminal."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.widgets import DataTable, Input

from advisor.tui.screens.help import HelpScreen
from advisor.tui.screens.profiles import ProfileScreen

WIDE = (120, 40)
SMALL = (80, 24)


async def test_escape_leaves_the_model_filter(build, settle) -> None:
    app = build()
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        search = app.query_one("#search", Input)
        await pilot.press("slash", *"qwen")
        assert app.focused is search and search.value == "qwen"  # q is typed: it is a filter
        await pilot.press("escape")
        assert isinstance(app.focused, DataTable) and app.focused.id == "models-table"
        assert search.value == "qwen"  # the filter stays
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("p")
        assert isinstance(app.screen, ProfileScreen)
        await pilot.press("escape")
        await pilot.press("2")
        assert app.query_one("#tabs").active == "workload"


async def test_escape_leaves_a_workload_number_field(build, settle) -> None:
    app = build()
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("2")
        await pilot.pause()
        field = app.query_one("#field-requests_per_day", Input)
        field.focus()
        await pilot.press("1")
        assert app.focused is field and field.value.endswith("1")
        await pilot.press("escape")
        assert not isinstance(app.focused, Input)
        await pilot.press("1")
        assert app.query_one("#tabs").active == "models"
        await pilot.press("q")
        await pilot.pause()
        assert app._exit_renderables is not None or not app.is_running


async def test_the_help_reads_whole_and_scrolls_without_tab(build, settle) -> None:
    app = build()
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        body = app.screen.query_one("#help-body", VerticalScroll)
        assert body.max_scroll_y == 0  # all of it fits at 120x40
    app = build()
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        body = app.screen.query_one("#help-body", VerticalScroll)
        assert body.max_scroll_y > 0 and app.focused is body  # the keys scroll it at once
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > 0


async def test_the_footer_keeps_quit_at_80_columns(build, settle) -> None:
    from textual.widgets._footer import FooterKey

    app = build()
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        for tab in ("1", "2"):
            await pilot.press(tab)
            await pilot.pause()
            keys = {k.action: k for k in app.screen.query(FooterKey)}
            assert {"quit", "help"} <= keys.keys()
            assert all(k.region.right <= SMALL[0] for k in keys.values())
            assert keys["quit"].region.width >= len(" q Quit")
