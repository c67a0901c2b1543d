"""Issue 13's reproducible cases, on the shipped profiles, presets and catalog.

Each test failed on the code before the fix it pins (the issue names the case).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.advise import AdviceOptions, advise
from advisor.catalog import load_catalog
from advisor.probe import load_profile
from advisor.verdict.workload import load_workloads

PROFILES = sorted(p.stem for p in (Path(__file__).parents[2] / "profiles").glob("*.yaml"))


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(overlay=False)


def verdict(catalog, profile: str, workload: str, **options):
    machine = load_profile(profile)
    advice = advise(machine, catalog, load_workloads([workload]),
                    AdviceOptions(cache=False, **options))  # fmt: skip
    return advice.verdicts[0]


def test_a_hybrid_break_even_describes_the_hybrid(catalog) -> None:
    """Item 1: rtx-4090-desktop × coding-agent is hybrid at 11.56 against 16.38 all-cloud; the
    break-even said 'saves 12.04 ... up to 434 USD', the all-local path that fails the floor."""
    v = verdict(catalog, "rtx-4090-desktop", "coding-agent")
    assert v.kind == "hybrid"
    even = v.break_even
    assert even.path == "hybrid"
    running = v.hybrid.local.electricity_usd_per_month + v.hybrid.cloud_usd_per_month
    assert even.monthly_saving_usd == pytest.approx(v.cloud.best_usd_per_month - running)
    assert even.monthly_saving_usd == pytest.approx(16.38 - 11.56, abs=0.02)
    assert even.max_hardware_usd == pytest.approx(even.monthly_saving_usd * 36)
    assert "434" not in even.text and even.text.startswith("the hybrid saves 4.8")


def test_a_cloud_verdict_claims_no_saving_and_says_what_would_make_local_work(catalog) -> None:
    """Item 1: office-laptop-8gb × coding-agent is cloud, yet said 'saves 9.13 USD a month ...
    local is cheaper at any volume' for an option failing all four checks."""
    v = verdict(catalog, "office-laptop-8gb", "coding-agent")
    assert v.kind == "cloud" and not v.option.passed()
    even = v.break_even
    assert even.path is None and even.monthly_saving_usd is None
    assert even.local_wins_above_tokens_per_day is None and even.max_hardware_usd is None
    assert "saves" not in even.text and "any volume" not in even.text
    # No catalog model reaches the coding floor on any hardware: the remedy says so.
    assert v.remedy is not None and v.remedy.kind == "none"
    assert "no model in the catalog reaches the 70% floor" in v.remedy.text
    assert v.remedy.text in v.reasons


def test_the_cheapest_change_names_a_priced_gpu(catalog) -> None:
    """Item 1: on a 12 GB desktop the summarisation workload needs a larger card; the remedy
    names the cheapest one that makes it local, with the spec table's list price."""
    v = verdict(catalog, "rtx-3060-desktop", "rag-summarisation")
    assert v.kind == "cloud"
    remedy = v.remedy
    assert remedy.kind == "gpu" and remedy.price_usd == 450 and "RTX 5060 Ti" in remedy.change
    assert remedy.price_source and "huggingface.co/hardware" in remedy.price_source
    assert remedy.option and "passes every check" in remedy.text


def test_a_ram_change_says_its_price_is_unknown(catalog) -> None:
    v = verdict(catalog, "office-laptop-8gb", "document-batch")
    assert v.kind == "cloud" and v.remedy.kind == "ram"
    assert v.remedy.price_usd is None and "price unknown" in v.remedy.text


@pytest.mark.parametrize("profile", PROFILES)
def test_capacity_is_a_check_and_hours_never_exceed_the_window(catalog, profile) -> None:
    """Item 3: 'busy 9.9 h of the 9 h window' passed the capacity check (macbook-pro-m3-pro-36gb
    × rag-summarisation), and electricity was charged for 72.5 h a day (rtx-3090 × coding)."""
    machine = load_profile(profile)
    advice = advise(machine, catalog, load_workloads(),
                    AdviceOptions(cache=False, remedies=False))  # fmt: skip
    for v in advice.verdicts:
        window = v.workload.hours_per_day
        if v.option is not None and v.option.run is not None:
            capacity = next(c for c in v.option.checks if c.name == "capacity")
            assert capacity.passed == (capacity.actual <= window + 0.01), (profile, v.workload.name)
        for cost in (v.local_cost, v.hybrid and v.hybrid.local):
            if cost is not None:
                assert cost.busy_hours_per_day <= window + 1e-9, (profile, v.workload.name)
                assert cost.busy_hours_per_day + cost.idle_hours_per_day <= window + 1e-9


def test_a_slow_option_is_charged_only_for_the_hours_it_runs(catalog) -> None:
    """Item 3: rtx-3090-desktop × coding-agent with a bought machine showed Qwen3.6 27B BF16
    at 1.3 tokens/s busy 72.5 h a day and 125 USD of electricity."""
    v = verdict(catalog, "rtx-3090-desktop", "coding-agent", hardware_price_usd=1800)
    assert v.local_cost.busy_hours_per_day <= 8
    assert v.local_cost.electricity_usd_per_month < 10
    # Item 2: the option shown is the one closest to passing (Q5_K_M misses only the floor).
    assert (v.option.candidate.model_name, v.option.candidate.quant) == ("Qwen3.6 27B", "Q5_K_M")
    assert [c.name for c in v.option.failed] == ["quality"]
    assert "than this machine's electricity" not in v.break_even.text
