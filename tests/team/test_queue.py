"""The peak-hour queue model against the event-by-event simulation of the same server."""

from __future__ import annotations

import math

import pytest

from advisor.team.queue import DECODE_MARGIN, TTFT_MARGIN, Server, Traffic, peak_queue
from advisor.team.simulate import simulate


def falling(single: float, exponent: float):
    """A per-sequence decode curve that falls as more sequences share each step."""
    return lambda b: single * b**-exponent


# (slots, prefill tokens/s, decode curve, arrivals/s, prompt tokens, output tokens)
LOADS = {
    "light, 4 slots": (4, 2000.0, falling(40, 0.3), 0.05, 1500, 450),
    "heavy, 4 slots": (4, 2000.0, falling(40, 0.3), 0.15, 1500, 450),
    "busy, 8 slots": (8, 3000.0, falling(60, 0.4), 0.24, 1500, 300),
    "busy, 2 slots": (2, 1000.0, falling(30, 0.2), 0.08, 800, 300),
    "one slot": (1, 1000.0, falling(30, 0.0), 0.05, 800, 300),
    "16 slots, long prompts": (16, 8000.0, falling(80, 0.5), 0.15, 6000, 400),
}


def _run(case, *, fixed=False, requests=20_000):
    slots, pp, curve, rate, prompt, out = case
    server, traffic = Server(slots, pp, curve), Traffic(rate, prompt, out)
    return peak_queue(server, traffic), simulate(
        server, traffic, requests=requests, seed=7, fixed_outputs=fixed
    )


def test_every_case_is_inside_the_range_the_model_is_held_to():
    for case in LOADS.values():
        model = peak_queue(Server(*case[:3]), Traffic(*case[3:]))
        assert model.within_validated_range, case


@pytest.mark.parametrize("name", LOADS)
def test_waits_follow_the_simulation_for_answers_of_varying_length(name):
    # The tails of a busy queue settle slowly: 60,000 requests keep seeds within a few %.
    model, sim = _run(LOADS[name], requests=60_000)
    assert model.stable
    assert model.busy_share == pytest.approx(sim.busy_share, abs=0.03)
    # Where about half the requests wait (the heavy loads), the median sits on the edge.
    assert model.ttft_p50_s == pytest.approx(sim.ttft_quantile(0.50), rel=0.3, abs=0.05)
    p95 = sim.ttft_quantile(0.95)
    assert 0.76 * p95 <= model.ttft_p95_s <= 1.4 * p95 + 0.1
    assert model.ttft_p95_s * TTFT_MARGIN >= p95  # judged with its margin, a plan is safe


@pytest.mark.parametrize("name", LOADS)
def test_answers_of_the_mean_length_stream_as_the_model_says(name):
    # The decode figures are for an answer of the mean length, so the simulation's answers
    # are all of that length here.
    model, sim = _run(LOADS[name], fixed=True)
    assert model.decode_p50_tokens_per_s == pytest.approx(sim.decode_quantile(0.50), rel=0.08)
    assert model.decode_p5_tokens_per_s == pytest.approx(sim.decode_quantile(0.05), rel=0.13)
    assert model.decode_p5_tokens_per_s / DECODE_MARGIN <= sim.decode_quantile(0.05)


def test_near_saturation_the_model_says_it_is_outside_its_range():
    case = LOADS["heavy, 4 slots"]
    near = peak_queue(Server(*case[:3]), Traffic(0.18, *case[4:]))
    assert near.stable and not near.within_validated_range


def test_one_slot_without_prefill_is_the_textbook_m_m_1_queue():
    curve = falling(20, 0.0)  # 200 tokens at 20/s: 10 s of service
    server = Server(1, 1e9, curve)
    model = peak_queue(server, Traffic(0.06, 1, 200))
    rho = 0.06 * 10.0
    assert model.wait_probability == pytest.approx(rho, rel=1e-6)
    # P(W > t) = rho e^{-(mu - lambda) t}: the 95th percentile in closed form.
    assert model.ttft_p95_s == pytest.approx(math.log(rho / 0.05) / (0.1 - 0.06), rel=1e-4)
    assert model.max_arrivals_per_s == pytest.approx(0.1, rel=1e-6)


def test_beyond_capacity_the_queue_never_settles():
    case = (4, 2000.0, falling(40, 0.3), 0.30, 1500, 450)
    model = peak_queue(Server(*case[:3]), Traffic(*case[3:]))
    assert not model.stable and model.max_arrivals_per_s < 0.30
    assert math.isinf(model.ttft_p95_s)
    sim = simulate(Server(*case[:3]), Traffic(*case[3:]), requests=4000, seed=3, warmup=0)
    waits = sim.ttft_s
    assert sum(waits[-300:]) / 300 > 10 * sum(waits[:300]) / 300  # it only grows


def test_more_slots_never_make_the_wait_longer_and_share_the_speed():
    curve = falling(40, 0.3)
    traffic = Traffic(0.12, 1500, 450)
    answers = [peak_queue(Server(c, 2000.0, curve), traffic) for c in (3, 4, 6, 8)]
    waits = [a.ttft_p95_s for a in answers]
    assert waits == sorted(waits, reverse=True)
    speeds = [a.decode_p50_tokens_per_s for a in answers]
    assert speeds == sorted(speeds, reverse=True)


def test_the_simulation_is_seeded():
    case = LOADS["busy, 8 slots"]
    server, traffic = Server(*case[:3]), Traffic(*case[3:])
    first = simulate(server, traffic, requests=2000, seed=11)
    assert simulate(server, traffic, requests=2000, seed=11) == first
    assert simulate(server, traffic, requests=2000, seed=12) != first
