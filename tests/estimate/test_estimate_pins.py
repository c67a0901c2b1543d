"""Every estimate and verdict on the pinned machines is exactly what was recorded (pinned.py).

The estimator's fast paths must not change a result: every field of every Estimate (memory,
placement, longest context, speed and its basis, reasons) on every catalog file, and every
field of advise()'s verdicts, must match the digests in tests/estimate/data/estimate_pins.json.
"""

from __future__ import annotations

import json

import pytest
from pinned import PINS, PRESETS, compute

from advisor.catalog import load_catalog
from advisor.workload import load_workloads


@pytest.fixture(scope="module")
def pins() -> tuple[dict, dict]:
    recorded = json.loads(PINS.read_text())
    now = compute(load_catalog(overlay=False), load_workloads(list(PRESETS)))
    return recorded, now


@pytest.mark.parametrize("part", ["estimates", "advice"])
def test_results_match_the_pins(pins, part) -> None:
    recorded, now = pins
    assert now[part].keys() == recorded[part].keys()
    changed = [
        f"{machine}: {key}"
        for machine, digests in recorded[part].items()
        for key, value in digests.items()
        if now[part][machine].get(key) != value
    ]
    assert not changed, f"{len(changed)} results changed, e.g. {changed[:8]}"


def test_the_pins_cover_the_paths_that_matter(pins) -> None:
    recorded, _ = pins
    assert len(recorded["estimates"]) >= 25
    assert all(len(models) >= 100 for models in recorded["estimates"].values())
    assert "rtx-3090-desktop+measured" in recorded["advice"]
