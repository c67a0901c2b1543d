"""The shared server event by event: the check on advisor.team.queue's model.

It runs the server the queue model describes, without its approximations: Poisson arrivals,
first come first served for the slots, one prompt prefilled at a time while decoding pauses,
and every busy slot decoding at the batched per-sequence rate for the number busy at that
moment. Seeded and bounded, so tests get the same figures on any machine.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass

from advisor.team.queue import Server, Traffic


@dataclass(frozen=True)
class Simulated:
    """Per-request figures after the warm-up requests are dropped."""

    ttft_s: tuple[float, ...]
    decode_tokens_per_s: tuple[float, ...]  # each request's tokens over its decode time
    busy_share: float  # of the simulated time with at least one slot busy

    def ttft_quantile(self, q: float) -> float:
        return _quantile(self.ttft_s, q)

    def decode_quantile(self, q: float) -> float:
        return _quantile(self.decode_tokens_per_s, q)


def _quantile(values: tuple[float, ...], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class _Active:
    left: float  # tokens still to generate
    tokens: float
    first_token_at: float


def simulate(
    server: Server,
    traffic: Traffic,
    *,
    requests: int,
    seed: int,
    fixed_outputs: bool = False,
    warmup: int | None = None,
) -> Simulated:
    """Run `requests` arrivals; answers are exponential in length around the mean, or all of
    the mean's length with `fixed_outputs`."""
    rng = random.Random(seed)
    warmup = requests // 10 if warmup is None else warmup
    prefill_s = traffic.prompt_tokens / server.prefill_tokens_per_s
    arrivals = _arrivals(rng, traffic, requests, fixed_outputs)
    queue: deque[tuple[float, float]] = deque()  # (arrival time, output tokens)
    active: list[_Active] = []
    ttft: list[float] = []
    speeds: list[float] = []
    now, busy, index = 0.0, 0.0, 0
    while index < len(arrivals) or queue or active:
        if queue and len(active) < server.slots:
            arrived, tokens = queue.popleft()
            end = now + prefill_s  # decoding pauses; arrivals meanwhile only queue up
            while index < len(arrivals) and arrivals[index][0] <= end:
                queue.append(arrivals[index])
                index += 1
            busy += prefill_s
            now = end
            ttft.append(now - arrived)
            active.append(_Active(tokens, tokens, now))
            continue
        next_arrival = arrivals[index][0] if index < len(arrivals) else float("inf")
        if not active:
            now = next_arrival
            queue.append(arrivals[index])
            index += 1
            continue
        rate = server.decode(len(active))
        step = min(min(a.left for a in active) / rate, next_arrival - now)
        busy += step
        now += step
        for a in active:
            a.left -= rate * step
        for a in [a for a in active if a.left <= 1e-9]:
            active.remove(a)
            speeds.append(a.tokens / (now - a.first_token_at))
        if now >= next_arrival:
            queue.append(arrivals[index])
            index += 1
    return Simulated(tuple(ttft[warmup:]), tuple(speeds[warmup:]), busy / now if now else 0.0)


def _arrivals(
    rng: random.Random, traffic: Traffic, count: int, fixed: bool
) -> list[tuple[float, float]]:
    times, now = [], 0.0
    for _ in range(count):
        now += rng.expovariate(traffic.arrivals_per_s)
        tokens = traffic.output_tokens
        if not fixed:
            tokens = max(1.0, rng.expovariate(1.0 / traffic.output_tokens))
        times.append((now, tokens))
    return times
