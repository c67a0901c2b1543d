"""Text from profiles and workload files is shown as text in the app: a `[/]` is not read as
markup (it raised MarkupError), and control characters never reach the terminal."""

from __future__ import annotations

import dataclasses

ESCAPES = "\x1b]0;pwned\x07\x1b]52;c;aGk=\x07\x9b2J"


async def test_hostile_names_are_drawn_as_text(build, settle, reference_machine, presets) -> None:
    cpu = dataclasses.replace(reference_machine.cpu, name=f"AMD [/] Ryzen {ESCAPES}")
    machine = dataclasses.replace(
        reference_machine, name=f"desk [link=https://evil.example]x[/link] {ESCAPES}", cpu=cpu
    )
    workloads = [dataclasses.replace(presets[0], title=f"Chat [/] {ESCAPES}"), *presets[1:]]
    app = build(machine=machine, workloads=workloads)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        for key in ("2", "3", "1"):
            await pilot.press(key)
            await pilot.pause()
            shot = app.export_screenshot()
            assert "\x1b" not in shot and "\x07" not in shot and "\x9b" not in shot
        shot = app.export_screenshot().replace("&#160;", " ")
        assert "AMD [/] Ryzen ]0;pwned]52;c;aGk=2J" in shot


async def test_escape_leaves_the_team_fields(build, settle) -> None:
    from textual.widgets import Input

    app = build()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("3")
        await pilot.pause()
        assert isinstance(app.focused, Input)  # the team tab starts in its people field
        await pilot.press("escape")
        assert not isinstance(app.focused, Input)
        await pilot.press("1")
        assert app.query_one("#tabs").active == "models"
