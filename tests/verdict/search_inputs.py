"""What the tests comparing a verdict search with its shortcuts against the search without
them judge: the reference profiles, the machines an audit judges for some of them (their RAM
and GPU upgrades), and the preset workloads made harder or easier."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

from advisor.probe import load_profile
from advisor.probe.machine import Machine
from advisor.probe.specs.upgrades import apply_change, gpu_changes, ram_changes
from advisor.workload import Workload, with_user_floor

PROFILES = sorted(p.stem for p in (Path(__file__).parents[2] / "profiles").glob("*.yaml"))
# profiles whose upgraded machines (as an audit tries them) are judged too
UPGRADED = ("office-laptop-16gb", "rtx-3060-desktop", "rtx-4060-laptop", "arc-b580-desktop")


def strict(presets) -> list[Workload]:
    """Each preset with a floor no model reaches: every model is below it, and the closest
    miss is all a search looks for."""
    return [dataclasses.replace(w, name=f"{w.name}-strict", quality_floor_pct=99.0,
                                routine_share=0.0, routine_quality_floor_pct=None)
            for w in presets]  # fmt: skip


def any_quality(presets) -> list[Workload]:
    """The first two presets with a user's floor of 0: the unscored models are judged too."""
    return [dataclasses.replace(with_user_floor(w, 0.0, "--min-quality"), name=f"{w.name}-any")
            for w in presets[:2]]  # fmt: skip


def routine_variants(presets) -> tuple[Workload, ...]:
    """Each preset with a routine floor below half its quality floor (the routine floor then
    sets the quality cut), and with no routine share (half the floor sets it)."""
    low = [dataclasses.replace(w, name=f"{w.name}-routine", quality_floor_pct=60.0,
                               routine_share=0.5, routine_quality_floor_pct=20.0)
           for w in presets]  # fmt: skip
    none = [dataclasses.replace(w, name=f"{w.name}-no-routine", quality_floor_pct=45.0,
                                routine_share=0.0, routine_quality_floor_pct=None)
            for w in presets]  # fmt: skip
    return (*low, *none)


def machines(profile: str) -> Iterator[Machine]:
    """The profile's machine, and for those in UPGRADED each upgrade an audit tries."""
    machine = load_profile(profile)
    yield machine
    if profile in UPGRADED:
        for change in (*ram_changes(machine, 3.0), *gpu_changes(machine)):
            yield apply_change(machine, change)
