"""The reasoned scenarios of benchmarks/data/scenarios.yaml, one test each: advisor's verdict,
option and key figures must match the answer worked out by hand, within each figure's stated
tolerance. A scenario added to the file is a test here; `python benchmarks/scenarios.py`
prints the same comparison as a table.

Each runs `advisor report --json`'s own code (the argument parser and
advisor.commands.report.build) on a shipped profile, with this test's empty advisor home (no
config file, no stored throughput tests), so estimates only: no bench runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.scenarios import (
    DATA,
    Figure,
    argv_for,
    compare,
    load_scenarios,
    lookup,
    run_scenario,
)

SCENARIOS = load_scenarios(DATA)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_advisor_agrees_with_the_reasoned_answer(scenario, tmp_path: Path) -> None:
    doc = run_scenario(scenario, tmp_path)
    wrong = [o for o in compare(scenario, doc) if not o.ok]
    assert not wrong, "\n".join(
        f"{o.what}: expected {o.expected!r} ({o.tolerance}), advisor {o.actual!r}" for o in wrong
    )


def test_the_scenarios_cover_what_the_issue_asks_for() -> None:
    """At least 15, on every class of hardware, light and heavy use, privacy, owned and bought
    hardware, and a team."""
    assert len(SCENARIOS) >= 15
    profiles = {s.profile for s in SCENARIOS}
    for needed in ("office-laptop-8gb", "macbook-air-m2-16gb", "mac-studio-m3-ultra-512gb",
                   "rtx-3060-desktop", "rtx-4090-desktop", "rx-7900-xtx-desktop", "dgx-spark",
                   "strix-halo-128gb", "h100-server"):  # fmt: skip
        assert needed in profiles
    assert any(s.no_cloud and s.verdict == "not_viable" for s in SCENARIOS)
    assert any(s.no_cloud and s.verdict == "local" for s in SCENARIOS)
    assert any(s.hardware_price_usd is not None for s in SCENARIOS)
    assert any(s.team and s.seats for s in SCENARIOS)
    kinds = {s.verdict for s in SCENARIOS}
    assert kinds == {"local", "hybrid", "cloud", "not_viable"}
    assert all(s.arithmetic.strip() and s.figures for s in SCENARIOS)


def test_an_inline_workload_is_the_preset_with_the_keys_changed(tmp_path: Path) -> None:
    scenario = next(s for s in SCENARIOS if not isinstance(s.workload, str))
    argv = argv_for(scenario, tmp_path)
    path = Path(argv[argv.index("--workload") + 1])
    import yaml

    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, value in scenario.workload["set"].items():
        assert doc[key] == value
    assert path.stem == scenario.workload["name"]


def test_a_figure_outside_its_tolerance_disagrees() -> None:
    """The comparison can fail: the tolerance is a bound, null and text compare exactly."""
    assert Figure("x", "a", 10.0, rel=0.1).within(10.9)
    assert not Figure("x", "a", 10.0, rel=0.1).within(11.1)
    assert Figure("x", "a", 10.0, abs=2).within(11.9)
    assert not Figure("x", "a", 10.0).within(10.01)
    assert not Figure("x", "a", None).within(0.0)
    assert not Figure("x", "a", "hybrid").within("cloud")
    assert not Figure("x", "a", 1.0, rel=0.5).within(None)
    doc = {"verdicts": [{"a": {"b": [1, {"c": 2}]}}], "team": [{"servers": 3}]}
    assert lookup(doc, "a.b.1.c") == 2 and lookup(doc, "team.servers") == 3
    assert lookup(doc, "a.missing.c") is None
