"""The peak hour of a shared server as a queue: each parallel slot a server, batched speeds.

Requests arrive at random (Poisson) at the peak hour's rate. A request waits for a free slot
(first come, first served), then its prompt is prefilled: llama-server and vLLM give a new
prompt the whole step, so the other slots' decoding pauses meanwhile, and a second prompt
waits for the first. Then it decodes at the per-sequence rate the batched estimate gives for
the number of slots busy at that moment. Its first token comes from the prefill's last logits.

The model is a birth-death chain whose service rate depends on how many slots are busy
(an M/M/c queue with load-dependent rates: exponential times in a slot, which answers of
varying length resemble, and which errs long for answers of one fixed length), plus prefill
blocking: prompts are prefilled one at a time, a queue with fixed service times
(Pollaczek-Khinchine for M/D/1), whose time share also slows every decoding slot.

advisor.team.simulate runs the same server event by event; the tests hold the two together.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# The range the model is held to against advisor.team.simulate (tests/team/test_queue.py,
# benchmarks/team_queue.py): time to first token within 30% at the median and from 24% short
# to 40% long at p95; per-user decode within 8% (median) and 13% (p5). A plan judges its
# requirements with margins that cover the model's worst misses, and keeps inside the loads
# where they were measured: past them (a server near saturation, or prompts taking much of
# its time) the model turns optimistic.
TTFT_MARGIN = 1.3  # the p95 time to first token is judged × this
DECODE_MARGIN = 1.15  # the p5 decode per user is judged ÷ this
MAX_LOAD = 0.85  # peak arrivals over the rate at which the slots saturate
MAX_PREFILL_SHARE = 0.12  # of the server's time spent prefilling

# Per-sequence decode tokens/s with b sequences decoding at once, b >= 1.
DecodeCurve = Callable[[int], float]


@dataclass(frozen=True)
class Traffic:
    """What arrives at the peak hour."""

    arrivals_per_s: float
    prompt_tokens: float  # prefilled per call (the part no cache holds)
    output_tokens: float  # generated per call, on average


@dataclass(frozen=True)
class Server:
    """One server: its slots and speeds."""

    slots: int
    prefill_tokens_per_s: float  # one prompt alone
    decode: DecodeCurve  # per-sequence decode tokens/s with b sequences at once


@dataclass(frozen=True)
class PeakQueue:
    """The server at the peak hour, from the queue model."""

    slots: int
    stable: bool  # False: requests arrive faster than the server can ever serve them
    prefill_share: float  # of the server's time spent prefilling
    busy_share: float  # of the time at least one slot is busy
    wait_probability: float  # that a request finds every slot taken
    mean_busy_slots: float
    ttft_p50_s: float  # time to first token: waits plus its own prefill
    ttft_p95_s: float
    decode_p50_tokens_per_s: float  # per user, while its answer streams
    decode_p5_tokens_per_s: float  # 95% of requests decode at least this fast
    max_arrivals_per_s: float  # the rate at which the slots saturate
    arrivals_per_s: float = 0.0

    @property
    def load(self) -> float:
        """Peak arrivals over the rate at which the slots saturate."""
        return self.arrivals_per_s / self.max_arrivals_per_s if self.max_arrivals_per_s else 1.0

    @property
    def within_validated_range(self) -> bool:
        return self.stable and self.load <= MAX_LOAD and self.prefill_share <= MAX_PREFILL_SHARE


def peak_queue(server: Server, traffic: Traffic) -> PeakQueue:
    """The queue model's answer for `traffic` on `server` (see the module docstring)."""
    lam, c = traffic.arrivals_per_s, server.slots
    prefill_s = traffic.prompt_tokens / server.prefill_tokens_per_s
    rho_p = lam * prefill_s
    capacity = _capacity(server, traffic, prefill_s)
    if rho_p >= 1.0 or lam >= capacity:
        return _unstable(c, rho_p, capacity, lam)
    # With one slot nobody else's prompt is prefilled while an answer streams.
    pause = rho_p if c > 1 else 0.0
    service = [_slot_time(server, traffic, prefill_s, pause, b) for b in range(1, c + 1)]
    weights = _chain(lam, service)
    total = sum(weights[:c]) + weights[c] / (1.0 - lam * service[-1] / c)
    probs = [w / total for w in weights[:c]]
    p_wait = 1.0 - sum(probs)
    busy_share = 1.0 - probs[0]
    # Every slot busy: departures at c / slot time, so the wait is exponential past its atom.
    slot_wait = (p_wait, 1.0 / (c / service[-1] - lam))
    prefill_wait = _prefill_wait(rho_p, prefill_s, 1.0 - p_wait)
    slow = _decode_speeds(server, traffic, prefill_s, pause, _in_service(probs, p_wait, c))
    return PeakQueue(
        slots=c,
        stable=True,
        prefill_share=rho_p,
        busy_share=busy_share,
        wait_probability=p_wait,
        mean_busy_slots=sum(b * share for b, share in _busy(probs, p_wait, c)),
        ttft_p50_s=prefill_s + _quantile(slot_wait, prefill_wait, 0.50),
        ttft_p95_s=prefill_s + _quantile(slot_wait, prefill_wait, 0.95),
        decode_p50_tokens_per_s=_low_quantile(slow, 0.50),
        decode_p5_tokens_per_s=_low_quantile(slow, 0.05),
        max_arrivals_per_s=capacity,
        arrivals_per_s=lam,
    )


def _slot_time(server: Server, traffic: Traffic, prefill_s: float, rho_p: float, b: int) -> float:
    """Seconds a request holds its slot with b slots busy: its prefill, then its answer at the
    per-sequence rate, slowed by the share of time others' prefills take."""
    return prefill_s + traffic.output_tokens / (server.decode(b) * (1.0 - rho_p))


def _capacity(server: Server, traffic: Traffic, prefill_s: float) -> float:
    """The arrival rate λ at which every slot stays busy: λ = c / slot time at that λ.

    Solved by bisection, since the slot time grows with λ through the prefill share."""
    c = server.slots
    low, high = 0.0, 1.0 / prefill_s
    for _ in range(80):
        mid = (low + high) / 2
        pause = mid * prefill_s if c > 1 else 0.0
        if mid * _slot_time(server, traffic, prefill_s, pause, c) < c:
            low = mid
        else:
            high = mid
    return low


def _chain(lam: float, service: Sequence[float]) -> list[float]:
    """Unnormalised stationary weights of states 0..c of the birth-death chain."""
    weights = [1.0]
    for b, slot_s in enumerate(service, start=1):
        weights.append(weights[-1] * lam * slot_s / b)
    return weights


def _prefill_wait(rho_p: float, prefill_s: float, free: float) -> tuple[float, float]:
    """(probability, conditional mean) of waiting for other prompts' prefill, as in an M/D/1
    queue of prompts (Pollaczek-Khinchine). Only a request that finds a slot free waits so: one
    that waited for a slot takes it when an answer ends, while the others decode."""
    if rho_p <= 0:
        return 0.0, 0.0
    mean = rho_p * prefill_s / (2.0 * (1.0 - rho_p))
    return rho_p * free, mean / rho_p


def _tail(a: tuple[float, float], b: tuple[float, float], t: float) -> float:
    """P(A + B > t) for two independent waits, each 0 or else exponential."""
    (pa, ma), (pb, mb) = a, b
    ea = math.exp(-t / ma) if pa > 0 and ma > 0 else 0.0
    eb = math.exp(-t / mb) if pb > 0 and mb > 0 else 0.0
    both = 0.0
    if pa > 0 and pb > 0 and ma > 0 and mb > 0:
        if abs(ma - mb) < 1e-12 * max(ma, mb):
            both = (1 + t / ma) * ea
        else:
            both = (ma * ea - mb * eb) / (ma - mb)
    return pa * (1 - pb) * ea + pb * (1 - pa) * eb + pa * pb * both


def _quantile(a: tuple[float, float], b: tuple[float, float], q: float) -> float:
    if _tail(a, b, 0.0) <= 1.0 - q:
        return 0.0
    high = max(a[1], b[1], 1e-9)
    while _tail(a, b, high) > 1.0 - q:
        high *= 2
    low = 0.0
    for _ in range(60):
        mid = (low + high) / 2
        if _tail(a, b, mid) > 1.0 - q:
            low = mid
        else:
            high = mid
    return high


def _busy(probs: Sequence[float], p_wait: float, c: int) -> list[tuple[int, float]]:
    """(busy slots, time share): states 0..c-1, and every state from c up."""
    return [*enumerate(probs), (c, p_wait)]


def _in_service(probs: Sequence[float], p_wait: float, c: int) -> list[tuple[int, float]]:
    """(slots busy, share of requests in service that see it): a request decoding sees b busy
    slots, itself included, with weight proportional to b × the time share of b."""
    pairs = [(b, b * share) for b, share in _busy(probs, p_wait, c) if b > 0]
    total = sum(w for _, w in pairs)
    return [(b, w / total) for b, w in pairs]


def _decode_speeds(
    server: Server,
    traffic: Traffic,
    prefill_s: float,
    rho_p: float,
    in_service: Sequence[tuple[int, float]],
) -> list[tuple[float, float]]:
    """(tokens/s a user sees over an answer of the mean length, share of requests): b slots
    busy, and K prompts of later arrivals prefilled meanwhile (Poisson, at the arrival rate
    over the answer's time), each pausing the answer for one prefill."""
    speeds = []
    for b, share in in_service:
        decode_s = traffic.output_tokens / server.decode(b)
        mean = traffic.arrivals_per_s * decode_s / (1.0 - rho_p) if rho_p > 0 else 0.0
        for k, p_k in _poisson(mean):
            speeds.append((traffic.output_tokens / (decode_s + k * prefill_s), share * p_k))
    return speeds


def _poisson(mean: float) -> list[tuple[int, float]]:
    """(k, P(K = k)) over all but a negligible tail."""
    top = int(mean + 10 * math.sqrt(mean) + 10)
    p = math.exp(-mean)
    pairs = []
    for k in range(top + 1):
        pairs.append((k, p))
        p *= mean / (k + 1)
    return pairs


def _low_quantile(values: Sequence[tuple[float, float]], q: float) -> float:
    """The speed that a share q of the weight falls at or below."""
    running = 0.0
    ordered = sorted(values)
    for value, share in ordered:
        running += share
        if running >= q - 1e-12:
            return value
    return ordered[-1][0]


def _unstable(c: int, rho_p: float, capacity: float, lam: float) -> PeakQueue:
    return PeakQueue(
        slots=c,
        stable=False,
        prefill_share=min(rho_p, 1.0),
        busy_share=1.0,
        wait_probability=1.0,
        mean_busy_slots=float(c),
        ttft_p50_s=math.inf,
        ttft_p95_s=math.inf,
        decode_p50_tokens_per_s=0.0,
        decode_p5_tokens_per_s=0.0,
        max_arrivals_per_s=capacity,
        arrivals_per_s=lam,
    )
