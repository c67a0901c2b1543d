"""Local timings and costs: prefill, decode at depth, batching roofline, capacity, electricity."""

from __future__ import annotations

import pytest
from verdict_builders import POWER, make_speed, make_workload

from advisor.verdict.electricity import ElectricityRate
from advisor.verdict.local import Hardware, local_cost, local_run

RATE = ElectricityRate(0.2, "flag", None, "--electricity-price", None)


def test_single_stream_timings_by_hand() -> None:
    run = local_run(make_workload(), make_speed(decode=50, prefill=1000))
    assert run.prefill_s_per_call == pytest.approx(1.0)  # 1000 tokens at 1000/s
    assert run.time_to_first_token_s == pytest.approx(1.02)  # plus one token at 50/s
    assert run.machine_s_per_call == pytest.approx(5.0)  # plus 200 tokens at 50/s
    assert run.busy_hours_per_day == pytest.approx(100 * 5 / 3600)
    assert run.effective_streams == 1 and run.capacity_share == 1
    assert run.peak_decode_tokens_per_s == pytest.approx(50)


def test_cached_prefix_is_not_prefilled_again() -> None:
    run = local_run(make_workload(cached_input_share=0.9), make_speed(decode=50, prefill=1000))
    assert run.prefill_s_per_call == pytest.approx(0.1)


def test_decode_slows_with_depth() -> None:
    speed = make_speed(decode=50, prefill=1000, depth_decode=1e-5)
    run = local_run(make_workload(), speed)
    # mean depth 1000 + 200/2: 1/50 + 1100e-5 s per token
    assert run.single_decode_tokens_per_s == pytest.approx(1 / (0.02 + 0.011))


def test_prefill_attention_term_counts_the_cached_prefix() -> None:
    speed = make_speed(decode=50, prefill=1000, depth_prefill=1e-6)
    run = local_run(make_workload(cached_input_share=0.5), speed)
    # 500 new tokens after 500 cached: 0.5 s + 1e-6 × 500 × (500 + 250)
    assert run.prefill_s_per_call == pytest.approx(0.5 + 1e-6 * 500 * 750)


def test_concurrent_streams_share_compute_on_a_roofline() -> None:
    speed = make_speed(decode=50, prefill=100)
    run = local_run(make_workload(concurrency=4, max_time_to_first_token_s=None), speed)
    # four streams want 200 tokens/s but compute caps a batch at the prefill rate: 100/4 each.
    assert run.peak_decode_tokens_per_s == pytest.approx(25)


def test_busy_traffic_batches_and_saturation_limits_capacity() -> None:
    speed = make_speed(decode=50, prefill=1000)
    w = make_workload(requests_per_day=10_000, hours_per_day=1, concurrency=2)
    run = local_run(w, speed)
    assert run.effective_streams == 2
    # 1 s prefill + 200 tokens at 100 tokens/s aggregate = 3 s per call; 1200 calls fit an hour.
    assert run.machine_s_per_call == pytest.approx(3.0)
    assert run.capacity_share == pytest.approx(1200 / 10_000)
    assert run.max_calls_per_day == pytest.approx(1200)


def test_electricity_and_hardware_by_hand() -> None:
    w = make_workload(days_per_week=7)
    run = local_run(w, make_speed(decode=50, prefill=1000))
    cost = local_cost(w, run, POWER, RATE, Hardware(1800.0, 36))
    kwh_day = 100 * 5 / 3600 * 0.5
    assert cost.kwh_per_month == pytest.approx(kwh_day * w.days_per_month)
    assert cost.electricity_usd_per_month == pytest.approx(kwh_day * 0.2 * w.days_per_month)
    assert cost.hardware_usd_per_month == pytest.approx(50.0)
    assert cost.usd_per_month == pytest.approx(cost.electricity_usd_per_month + 50.0)
    per_mtok = kwh_day * 0.2 / w.tokens_per_day * 1e6
    assert cost.electricity_usd_per_mtok == pytest.approx(per_mtok)


def test_a_share_scales_electricity_but_not_hardware() -> None:
    w = make_workload()
    run = local_run(w, make_speed())
    full = local_cost(w, run, POWER, RATE, Hardware(1200.0, 24))
    half = local_cost(w, run, POWER, RATE, Hardware(1200.0, 24), share=0.5)
    assert half.electricity_usd_per_month == pytest.approx(full.electricity_usd_per_month / 2)
    assert half.hardware_usd_per_month == full.hardware_usd_per_month == 50.0


def test_owned_hardware_counts_electricity_only() -> None:
    w = make_workload()
    cost = local_cost(w, local_run(w, make_speed()), POWER, RATE, Hardware(None, 36))
    assert cost.hardware_usd_per_month is None
    assert cost.usd_per_month == cost.electricity_usd_per_month
