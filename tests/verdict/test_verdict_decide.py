"""The decision table: local, hybrid (routine or capacity) or cloud, with reasons and numbers."""

from __future__ import annotations

import pytest
from verdict_builders import make_candidate, make_speed, make_workload

from advisor.probe.power.draw import PowerDraw
from advisor.verdict.cloud import cloud_costs
from advisor.verdict.decide import decide
from advisor.verdict.electricity import ElectricityRate
from advisor.verdict.local import HardwareCost
from advisor.verdict.options import check_option

RATE = ElectricityRate(0.2, "region", "us", "catalog default for us", "2026-04")
OWNED = HardwareCost(None, 36)


def verdict_for(workload, candidates, catalog, hardware=OWNED):
    cloud = cloud_costs(workload, catalog)
    options = [check_option(workload, c, cloud.frontier_index) for c in candidates]
    return decide(workload, options, cloud, RATE, hardware)


def test_local_when_everything_passes_and_it_is_cheaper(catalog) -> None:
    v = verdict_for(make_workload(), [make_candidate(40)], catalog)
    assert v.kind == "local"
    assert v.option.candidate.model_name == "Model"
    assert v.costs.local == pytest.approx(100 * 5 / 3600 * 0.5 * 0.2 * 365.25 / 12)
    assert v.costs.cheapest_api == pytest.approx(100 * (1000 * 0.1 + 200 * 0.4) / 1e6 * 365.25 / 12)
    assert v.summary.startswith("local: Model Q4_K_M")
    assert any("meets every requirement" in r for r in v.reasons)
    # Pennies either way: the verdict says cost does not decide it.
    assert any("under a dollar apart" in r for r in v.reasons)


def test_says_so_when_renting_costs_about_what_the_electricity_does(catalog) -> None:
    v = verdict_for(make_workload(requests_per_day=1000), [make_candidate(40)], catalog)
    # 4.2 USD of electricity against 5.5 USD for the hosted open model.
    assert v.kind == "local"
    assert any("about what this machine's electricity" in r for r in v.reasons)


def test_batch_work_runs_at_full_concurrency(catalog) -> None:
    w = make_workload(concurrency=4, max_time_to_first_token_s=None, min_decode_tokens_per_s=0)
    v = verdict_for(w, [make_candidate(40)], catalog)
    assert v.option.run.effective_streams == 4
    assert any("no minimum" in r for r in v.reasons)


def test_cloud_when_local_works_but_costs_more(catalog) -> None:
    v = verdict_for(make_workload(), [make_candidate(40)], catalog, HardwareCost(1800.0, 36))
    assert v.kind == "cloud"
    assert "would do the job" in v.summary
    assert v.costs.local_hardware == pytest.approx(50.0)
    assert v.break_even.payback_months is not None and v.break_even.payback_months > 36
    assert "longer than its lifetime" in v.break_even.text


def test_a_hardware_price_never_changes_the_model(catalog) -> None:
    """The price moves the cost, never the choice (issue 13, item 6)."""
    options = [make_candidate(35, name="Small"), make_candidate(45, name="Big")]
    owned = verdict_for(make_workload(requests_per_day=2000), options, catalog)
    bought = verdict_for(make_workload(requests_per_day=2000), options, catalog,
                         HardwareCost(5000.0, 36))  # fmt: skip
    assert owned.option.candidate.model_name == bought.option.candidate.model_name == "Big"


def test_a_hybrid_break_even_is_against_all_cloud(catalog) -> None:
    """Savings describe the hybrid chosen, not the all-local path it rejected (item 1)."""
    w = make_workload(quality_floor_pct=80, routine_share=0.6, routine_quality_floor_pct=50)
    v = verdict_for(w, [make_candidate(40)], catalog)
    assert v.kind == "hybrid" and v.break_even.path == "hybrid"
    best = v.cloud.best_usd_per_month
    running = v.hybrid.local.electricity_usd_per_month + v.hybrid.cloud_usd_per_month
    assert v.break_even.monthly_saving_usd == pytest.approx(best - running)
    assert v.break_even.local_wins_above_tokens_per_day is None
    assert v.break_even.text.startswith("the hybrid saves")
    assert "all-cloud" in v.break_even.text


def test_the_best_quality_option_is_chosen_among_those_that_pass(catalog) -> None:
    options = [make_candidate(35, name="Small"), make_candidate(45, name="Big"),
               make_candidate(59, name="Slow", speed=make_speed(decode=4))]  # fmt: skip
    v = verdict_for(make_workload(), options, catalog)
    assert v.kind == "local" and v.option.candidate.model_name == "Big"
    assert v.options_checked == 3


def test_hybrid_for_routine_requests(catalog) -> None:
    w = make_workload(quality_floor_pct=80, routine_share=0.6, routine_quality_floor_pct=50)
    v = verdict_for(w, [make_candidate(40)], catalog)
    assert v.kind == "hybrid"
    assert v.hybrid.reason == "routine" and v.hybrid.local_share == pytest.approx(0.6)
    assert "FRONTIER" in v.hybrid.cloud_label
    frontier = v.costs.frontier_api
    assert v.hybrid.cloud_usd_per_month == pytest.approx(frontier * 0.4)
    assert v.costs.hybrid < frontier
    assert "67% of the frontier" in v.hybrid.why and "60% of requests are routine" in v.hybrid.why


def test_hybrid_when_the_machine_cannot_keep_up(catalog) -> None:
    w = make_workload(requests_per_day=10_000, hours_per_day=1)
    v = verdict_for(w, [make_candidate(40)], catalog)
    assert v.kind == "hybrid" and v.hybrid.reason == "capacity"
    assert v.hybrid.local_share == pytest.approx(0.072)
    assert "overflow" in v.hybrid.why
    # Electricity only for the hours it runs: the 1 h window, not the 13.9 h the day needs.
    assert v.hybrid.local.busy_hours_per_day == pytest.approx(1.0)
    assert v.local_cost.busy_hours_per_day == pytest.approx(1.0)
    capacity = next(c for c in v.option.checks if c.name == "capacity")
    assert not capacity.passed and capacity.margin < 0


def test_cloud_when_too_slow_says_by_how_much(catalog) -> None:
    v = verdict_for(make_workload(), [make_candidate(40, make_speed(decode=5))], catalog)
    assert v.kind == "cloud"
    assert "too slow (5.0 of 10 tokens/s, 50% short)" in v.summary
    assert any("decodes about 5.0 tokens/s" in r and "needs 10: 50% short" in r for r in v.reasons)
    # Nothing here passes every check: no saving is claimed for the option that fails.
    assert v.break_even.path is None and v.break_even.monthly_saving_usd is None
    assert v.break_even.max_hardware_usd is None
    assert v.break_even.text.startswith("no saving claimed: no option here passes every check")


def test_cloud_when_nothing_fits(catalog) -> None:
    v = verdict_for(make_workload(), [make_candidate(40, fits=False)], catalog)
    assert v.kind == "cloud" and "does not fit in memory" in v.summary
    assert v.local_cost is None and v.costs.local is None
    empty = verdict_for(make_workload(), [], catalog)
    assert empty.kind == "cloud" and empty.option is None
    assert "no model checked fits" in empty.reasons[0] and "8,192 tokens" in empty.reasons[0]


def test_cloud_shows_the_option_closest_to_passing_and_names_the_best_quality_one(
    catalog,
) -> None:
    good_but_slow = make_candidate(45, make_speed(decode=4), name="Big")
    fast_but_weak = make_candidate(20, name="Small")
    v = verdict_for(make_workload(), [good_but_slow, fast_but_weak], catalog)
    # Interactive work: speed before quality, so the fast one is closest to passing.
    assert v.kind == "cloud" and v.option.candidate.model_name == "Small"
    assert "speed (decode, first token, capacity) comes before quality" in v.rule
    assert any(
        r.startswith("the best-quality model that fits, Big Q4_K_M, misses: too slow (4.0 of 10")
        for r in v.reasons
    )


def test_unattended_work_counts_every_check_alike(catalog) -> None:
    w = make_workload(max_time_to_first_token_s=None, min_decode_tokens_per_s=10,
                      quality_floor_pct=80)  # fmt: skip
    slow = make_candidate(45, make_speed(decode=9), name="Slow")  # decode and quality fail
    weak = make_candidate(44, name="Weak")  # quality fails, by a little more
    v = verdict_for(w, [slow, weak], catalog)
    assert v.kind == "cloud" and v.option.candidate.model_name == "Weak"
    assert "fewest failed checks" in v.rule and "speed" not in v.rule


def test_a_failed_checks_margin_is_a_share_of_the_requirement(catalog) -> None:
    v = verdict_for(make_workload(), [make_candidate(40, make_speed(decode=5, prefill=200))],
                    catalog)  # fmt: skip
    checks = {c.name: c for c in v.option.checks}
    assert checks["decode"].margin == pytest.approx(-0.5)
    ttft = 1000 / 200 + 1 / 5  # 5.2 s against a 3 s limit
    assert checks["ttft"].margin == pytest.approx(1 - ttft / 3)
    assert checks["quality"].margin == pytest.approx(40 / 60 * 100 / 50 - 1)


def test_a_figure_over_a_limit_reads_over_and_an_8_h_window_takes_an(catalog) -> None:
    """A time to first token or a day's work past its limit is "over" it, not "short"."""
    w = make_workload(requests_per_day=10_000, hours_per_day=8)
    v = verdict_for(w, [make_candidate(40, make_speed(decode=5, prefill=200))], catalog)
    checks = {c.name: c for c in v.option.checks}
    ttft, capacity = checks["ttft"], checks["capacity"]
    assert ttft.text.endswith(f"limit 3 s: {-ttft.margin:.0%} over")
    assert capacity.text.endswith(f"{-capacity.margin:.0%} over")
    assert "in an 8 h window" in capacity.text and "in a 8 h" not in capacity.text
    assert "decodes about 5.0 tokens/s" in checks["decode"].text
    assert checks["decode"].text.endswith("50% short")
    for check in (ttft, capacity):
        assert f"{-check.margin:.0%} over)" in check.shortfall()
        assert "short" not in check.shortfall()
    assert "in an 8 h window" in capacity.shortfall()


def test_quality_gap_in_points_and_percent(catalog) -> None:
    v = verdict_for(make_workload(), [make_candidate(45)], catalog)
    assert v.quality_gap.points == pytest.approx(15)
    assert v.quality_gap.pct == pytest.approx(25)
    assert v.quality_gap.frontier == "FRONTIER"


def test_break_even_tokens_a_day_by_hand(catalog) -> None:
    w = make_workload()
    v = verdict_for(w, [make_candidate(40)], catalog, HardwareCost(1800.0, 36))
    api_per_tok = (1000 * 0.1 + 200 * 0.4) / 1200 / 1e6
    local_per_tok = 5 / 3600 * 0.5 * 0.2 / 1200
    expected = 50.0 / ((api_per_tok - local_per_tok) * w.days_per_month)
    assert v.break_even.local_wins_above_tokens_per_day == pytest.approx(expected)
    # 8 h of 5-second calls: 5,760 calls of 1,200 tokens a day at most.
    assert v.break_even.local_capacity_tokens_per_day == pytest.approx(5760 * 1200)
    owned = verdict_for(w, [make_candidate(40)], catalog)
    assert owned.break_even.local_wins_above_tokens_per_day == 0
    assert "at any volume" in owned.break_even.text
    assert owned.break_even.max_hardware_usd == pytest.approx(
        owned.break_even.monthly_saving_usd * 36
    )


@pytest.mark.parametrize(
    ("status", "power", "decode", "level"),
    [
        ("measured", "measured", 50, "high"),
        ("calibrated", "given", 50, "high"),
        ("estimated", "spec", 50, "medium"),
        ("estimated", "assumed", 50, "low"),
        ("measured", "measured", 11, "low"),  # 10 tokens/s needed lies in 8.8-13.2
    ],
)
def test_confidence_levels(catalog, status, power, decode, level) -> None:
    cand = make_candidate(40, make_speed(decode=decode), status=status,
                          power=PowerDraw(500.0, power, "x"))  # fmt: skip
    w = make_workload(quality_floor_pct=80, routine_share=0.6, routine_quality_floor_pct=50)
    v = verdict_for(w, [cand], catalog)
    assert v.confidence.level == level
    assert "decode and prefill speed" in (v.confidence.measured + v.confidence.estimated)
    statuses = {i.input: i.status for i in v.confidence.inputs}
    assert statuses["workload"] == "assumed" or v.workload.origin != "preset"
    assert statuses["electricity price"] == "published"


def test_a_hybrid_pennies_away_from_cloud_says_cost_does_not_decide(catalog) -> None:
    w = make_workload(requests_per_day=5, quality_floor_pct=80, routine_share=0.6,
                      routine_quality_floor_pct=50)  # fmt: skip
    v = verdict_for(w, [make_candidate(40)], catalog)
    assert v.kind == "hybrid"
    assert any("under a dollar a month apart" in r for r in v.reasons)
