"""The local option a cloud verdict shows comes within reach of the quality floor (at least half
of it), or the report says no local model comes close (choice.SHOWN_FLOOR_SHARE).

Before, the closest-to-passing rule showed the fastest model whatever its quality: Gemma 3 270M
(6% of the frontier) for the coding agent on a 16 GB laptop, hiding Gemma 4 26B-A4B (42%).
"""

from __future__ import annotations

import pytest

from advisor.advice_options import AdviceOptions
from advisor.advise import advise, judge
from advisor.catalog import load_catalog
from advisor.probe import load_profile
from advisor.verdict import choice
from advisor.workload import load_workloads


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(overlay=False)


def _verdicts(catalog, profile: str, workload: str):
    machine, workloads = load_profile(profile), load_workloads([workload])
    [full] = advise(machine, catalog, workloads, AdviceOptions(cache=False)).verdicts
    [lean] = judge(machine, catalog, workloads, AdviceOptions(cache=False))
    return full, lean


def test_a_16gb_laptop_shows_a_coding_model_near_the_floor(catalog) -> None:
    v, lean = _verdicts(catalog, "office-laptop-16gb", "coding-agent")
    assert v.kind == "cloud"
    shown = v.option
    assert shown.candidate.model_name == "Gemma 4 26B-A4B IT"
    assert shown.quality_pct >= choice.SHOWN_FLOOR_SHARE * v.workload.quality_floor_pct == 35
    assert v.reasons[0].startswith("the option closest to passing every check here, Gemma 4")
    assert "reach at least 50% of the quality floor (35% of the frontier)" in v.rule
    # The audit's lean search shows the same option.
    assert (lean.kind, lean.option.candidate.quant) == ("cloud", shown.candidate.quant)


def test_when_nothing_comes_close_the_report_says_so(catalog) -> None:
    v, lean = _verdicts(catalog, "raspberry-pi-5-8gb", "coding-agent")
    assert v.kind == "cloud"
    assert v.reasons[0].startswith(
        "no local model comes close: none that fits reaches 35% of the frontier (half the "
        "quality floor); the best quality that fits, "
    )
    # The best quality that fits (Qwen3.5 4B, 26%), not the fastest (Gemma 3 270M, 6%).
    assert v.option.candidate.model_name == "Qwen3.5 4B"
    assert 20 < v.option.quality_pct < 35
    assert "no local model comes close, and the best quality that fits is shown" in v.rule
    assert lean.option.candidate.model_name == v.option.candidate.model_name


def test_a_tiny_model_is_never_shown_while_a_better_one_fits(catalog) -> None:
    """Every cloud verdict of the small machines shows an option within reach of the floor,
    or says that no local model comes close."""
    for profile in ("office-laptop-8gb", "office-laptop-16gb", "raspberry-pi-5-8gb"):
        for workload in ("chat-assistant", "support-bot", "rag-summarisation"):
            v, _ = _verdicts(catalog, profile, workload)
            assert v.kind == "cloud", (profile, workload)
            near = choice.within_reach(v.workload, v.option)
            assert near != v.reasons[0].startswith("no local model comes close"), (
                profile,
                workload,
            )
            assert v.option.quality_pct >= 15, (profile, workload)  # Qwen3.5 4B or better
