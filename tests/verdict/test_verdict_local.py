"""Local timings and costs: prefill, decode at depth, batching roofline, capacity, electricity."""

from __future__ import annotations

import pytest
from verdict_builders import POWER, make_speed, make_workload

from advisor.verdict.electricity import ElectricityRate
from advisor.verdict.local import HardwareCost, local_cost, local_run

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
    cost = local_cost(w, run, POWER, RATE, HardwareCost(1800.0, 36))
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
    full = local_cost(w, run, POWER, RATE, HardwareCost(1200.0, 24))
    half = local_cost(w, run, POWER, RATE, HardwareCost(1200.0, 24), share=0.5)
    assert half.electricity_usd_per_month == pytest.approx(full.electricity_usd_per_month / 2)
    assert half.hardware_usd_per_month == full.hardware_usd_per_month == 50.0


def test_owned_hardware_counts_electricity_only() -> None:
    w = make_workload()
    cost = local_cost(w, local_run(w, make_speed()), POWER, RATE, HardwareCost(None, 36))
    assert cost.hardware_usd_per_month is None
    assert cost.usd_per_month == cost.electricity_usd_per_month


def test_a_queue_grows_the_batches_until_the_day_fits_the_window() -> None:
    """Calls arriving faster than one stream serves them queue up: the busy hours are those of
    the larger batches, never more than the window while the machine keeps up."""
    speed = make_speed(decode=50, prefill=1000)
    # Alone a call takes 1 s + 4 s; 2,000 calls at one stream would need 2.8 h of a 2 h window.
    w = make_workload(requests_per_day=2000, hours_per_day=2, concurrency=4)
    run = local_run(w, speed)
    # Streams s with 2000 × (1 + 200 / (50 s)) = 7,200 s: s = 200 / (50 × 2.6) = 1.54.
    assert run.effective_streams == pytest.approx(200 / (50 * 2.6))
    assert run.busy_hours_per_day == pytest.approx(2.0)
    assert run.capacity_share == 1


def test_a_machine_that_cannot_keep_up_is_charged_for_the_window_only() -> None:
    speed = make_speed(decode=50, prefill=1000)
    w = make_workload(requests_per_day=10_000, hours_per_day=1, concurrency=2)
    run = local_run(w, speed)
    cost = local_cost(w, run, POWER, RATE, HardwareCost(None, 36))
    assert cost.share == pytest.approx(0.12)  # 1,200 of 10,000 calls
    assert cost.busy_hours_per_day == pytest.approx(1.0)
    assert cost.electricity_usd_per_month == pytest.approx(1.0 * 0.5 * 0.2 * w.days_per_month)


def test_idle_hours_of_the_window_are_charged_at_the_idle_draw() -> None:
    """A machine on for the workload alone (here: a program calls it) pays its idle draw for
    the rest of the window; a person's own machine, on anyway, pays only its busy hours."""
    from advisor.probe.power.draw import PowerDraw

    power = PowerDraw(500.0, "spec", "test", idle_watts=50.0, idle_source="test idle")
    mine = make_workload()
    own = local_cost(mine, local_run(mine, make_speed()), power, RATE, HardwareCost(None, 36))
    assert own.idle_hours_per_day == 0 and own.idle_kwh_per_month == 0
    bought = local_cost(mine, local_run(mine, make_speed()), power, RATE, HardwareCost(900.0, 36))
    assert bought.idle_hours_per_day == pytest.approx(8 - 100 * 5 / 3600)
    w = make_workload(access="programmatic")  # 100 calls of 5 s: 0.139 h busy in 8 h
    cost = local_cost(w, local_run(w, make_speed()), power, RATE, HardwareCost(None, 36))
    busy = 100 * 5 / 3600
    assert cost.idle_hours_per_day == pytest.approx(8 - busy)
    kwh_day = busy * 0.5 + (8 - busy) * 0.05
    assert cost.kwh_per_month == pytest.approx(kwh_day * w.days_per_month)
    assert cost.idle_kwh_per_month == pytest.approx((8 - busy) * 0.05 * w.days_per_month)
