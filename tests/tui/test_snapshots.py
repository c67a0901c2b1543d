"""Snapshots of the key screens on the RTX 4090 desktop profile, at fixed terminal sizes.

They pin the whole picture: layout, words and numbers. The numbers come from models.yaml,
the estimator's fitted constants, the workload presets and the cloud prices, so a change to
any of those changes a snapshot: review the new SVG, then `pytest tests/tui --snapshot-update`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

WIDE = (120, 40)
SMALL = (80, 24)
EXPORT_DIR = Path("/reports")  # shown in the export dialog, never written
# The report's clock: the verdict lists the prices and scores older than 120 days on it, with
# their age in days, so the picture must not move with the calendar.
REPORT_CLOCK = "2026-12-06T12:00:00Z"


@pytest.fixture
def shot(build, settle, snap_compare, monkeypatch):
    """snap_compare on a fully loaded app, after pressing `keys`."""
    from advisor import advise

    monkeypatch.setattr(advise, "now_utc", lambda: REPORT_CLOCK)

    def compare(size=WIDE, keys=(), until=None, **overrides) -> bool:
        """`until(app)`: a state to wait for (at most 5 s) once the keys have been handled."""
        app = build(export_dir=EXPORT_DIR, **overrides)

        async def run_before(pilot) -> None:
            await settle(app, pilot)
            for key in keys:
                await pilot.press(key)
            await app.workers.wait_for_complete()
            for screen in app.screen_stack:
                await screen.workers.wait_for_complete()
            await pilot.pause()
            for _ in range(100):
                if until is None or until(app):
                    break
                await pilot.pause(0.05)
            assert until is None or until(app), "the screen never reached the state to pin"

        return snap_compare(app, terminal_size=size, run_before=run_before)

    return compare


class TestModels:
    def test_models_wide(self, shot) -> None:
        assert shot()

    def test_models_80x24(self, shot) -> None:
        assert shot(SMALL)

    def test_detail_80x24(self, shot) -> None:
        assert shot(SMALL, keys=("down", "enter"))

    def test_coding_task_fits_on_gpu(self, shot) -> None:
        assert shot(keys=("t", "f", "f"))


class TestWorkload:
    def test_workload_wide(self, shot) -> None:
        assert shot(keys=("2",))

    def test_workload_light_80x24(self, shot) -> None:
        assert shot(SMALL, keys=("2", "d"))


class TestMachine:
    def test_unknowns_say_why(self, shot, reference_machine) -> None:
        gpu = dataclasses.replace(reference_machine.gpus[0], memory_bandwidth_gbs=None)
        memory = dataclasses.replace(reference_machine.memory, bandwidth_theoretical_gbs=None)
        machine = dataclasses.replace(
            reference_machine,
            gpus=(gpu,),
            memory=memory,
            unknown={
                "gpus[0].memory_bandwidth_gbs": "NVML gave no memory clock and no spec row",
                "memory.bandwidth_measured_gbs": "the copy test could not allocate 256 MiB",
            },
        )
        assert shot(machine=machine)


class TestDialogs:
    def test_help(self, shot) -> None:
        assert shot(keys=("question_mark",))

    def test_profiles(self, shot) -> None:
        assert shot(keys=("p",))

    def test_throughput_test(self, shot) -> None:
        assert shot(keys=("b",))

    def test_export(self, shot) -> None:
        assert shot(keys=("e",))
