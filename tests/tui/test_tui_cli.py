"""Bare `advisor` opens the app, and says what to do instead when there is no terminal."""

from __future__ import annotations

import subprocess
import sys

from advisor.config import Config, Defaults
from advisor.errors import ExitCode
from advisor.tui.widgets.machine_panel import MachinePanel


def test_no_terminal_is_a_usage_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "advisor", "--profile", "rtx-4090-desktop"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,  # a hang guard; a busy machine may start slowly
    )
    assert done.returncode == ExitCode.USAGE
    assert done.stdout == ""
    assert "error: the interactive app needs a terminal" in done.stderr
    assert "advisor --json" in done.stderr


async def test_the_config_default_profile_applies(build, settle) -> None:
    config = Config(defaults=Defaults(profile="macbook-air-m2-16gb"))
    app = build(machine=None, profile=None, config=config)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.query_one(MachinePanel).machine.name == "MacBook Air M2, 16 GB"
