"""One model file served to a team from one server: its slots, and how it holds the peak hour.

A server runs `slots` sequences at once (llama-server -np, OLLAMA_NUM_PARALLEL, vLLM
--max-num-seqs), each with the workload's context. The batched estimate
(advisor.estimate.speed.batched) gives the per-step costs; the queue model (advisor.team.queue)
turns them into time to first token and per-user decode at the peak. When one server cannot
keep up, identical replicas share the arrivals evenly.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisor.team.demand import TeamDemand
from advisor.team.queue import (
    DECODE_MARGIN,
    MAX_LOAD,
    MAX_PREFILL_SHARE,
    TTFT_MARGIN,
    PeakQueue,
    Server,
    Traffic,
    peak_queue,
)

if TYPE_CHECKING:
    from advisor.catalog.model import Model
    from advisor.estimate.estimate import Estimate
    from advisor.probe.machine import Machine

MAX_SERVERS = 16  # beyond this the answer is "not this kind of server", not a count


@dataclass(frozen=True)
class Requirement:
    """One thing the peak hour must meet, and the margin it was met or missed by."""

    __pydantic_config__ = {"extra": "forbid"}  # read back from a report: no other keys

    name: str  # "time to first token (p95)", "decode per user (p5)", "queue model range"
    need: str  # in words: "at most 3 s"
    have: str  # in words: "1.2 s"
    passed: bool


@dataclass(frozen=True)
class ServerRun:
    """A model file on `servers` servers of `slots` slots each, judged at the peak hour."""

    model_id: str
    model_name: str
    quant: str
    quality_index: float  # the task's index × what the quant keeps
    quality_pct_of_frontier: float
    slots: int
    context_per_slot_tokens: int
    estimate: Estimate  # llama.cpp at slots × context per slot (one KV cache per slot)
    prompt_tokens: float  # prefilled per call
    decode_depth_tokens: float  # the mean depth answers are decoded at
    single_decode_tokens_per_s: float  # one sequence alone at that depth
    prefill_tokens_per_s: float  # one prompt alone
    servers: int
    queue: PeakQueue  # one server's peak hour (its share of the arrivals)
    requirements: tuple[Requirement, ...]
    average_busy_share: float  # of a working hour one server serves, at the day's average rate
    # What one server alone would meet at these slots (equal to `requirements` when
    # `servers` is 1): says why more servers are needed.
    one_server: tuple[Requirement, ...] = ()

    @property
    def meets(self) -> bool:
        return all(r.passed for r in self.requirements)


@dataclass(frozen=True)
class SpeedAt:
    """A batched model of one placed file: per-step seconds for any number of sequences."""

    decode_step_s: Callable[[int, float], float]  # (sequences, mean depth) -> s per step
    prefill_s: Callable[[int, int], float]  # (sequences, prompt tokens) -> s


BatchModelFor = Callable[["Machine", "Model", "Estimate"], SpeedAt]


def prompt_tokens(demand: TeamDemand, slots: int) -> float:
    """Tokens each call prefills. A slot keeps the last conversation it served, so a person's
    cached prefix survives only while there are at least as many slots as people; otherwise the
    whole input is prefilled (a conservative reading of llama-server's slot reuse)."""
    w = demand.workload
    if slots >= demand.users:
        return w.new_input_tokens_per_call
    return float(w.input_tokens_per_request)


def judge(
    demand: TeamDemand, server: Server, traffic: Traffic, servers: int
) -> tuple[PeakQueue, tuple[Requirement, ...]]:
    """One server's share of the peak (`servers` share it evenly) and what it meets."""
    share = Traffic(traffic.arrivals_per_s / servers, traffic.prompt_tokens, traffic.output_tokens)
    queue = peak_queue(server, share)
    return queue, requirements(demand, queue)


def requirements(demand: TeamDemand, queue: PeakQueue) -> tuple[Requirement, ...]:
    w = demand.workload
    found = []
    if w.max_time_to_first_token_s is not None:
        limit = w.max_time_to_first_token_s
        judged = queue.ttft_p95_s * TTFT_MARGIN
        found.append(
            Requirement(
                "time to first token at the peak (p95)",
                f"at most {limit:g} s, with the queue model's margin × {TTFT_MARGIN:g}",
                _seconds(queue.ttft_p95_s)
                if math.isinf(judged)
                else f"{_seconds(queue.ttft_p95_s)} (× {TTFT_MARGIN:g} = {_seconds(judged)})",
                judged <= limit,
            )
        )
    need = w.min_decode_tokens_per_s
    judged = queue.decode_p5_tokens_per_s / DECODE_MARGIN
    found.append(
        Requirement(
            "decode per user at the peak (p5)",
            f"at least {need:g} tokens/s, with the queue model's margin ÷ {DECODE_MARGIN:g}",
            f"{queue.decode_p5_tokens_per_s:.1f} tokens/s (÷ {DECODE_MARGIN:g} = {judged:.1f})",
            judged >= need,
        )
    )
    found.append(
        Requirement(
            "load inside the queue model's tested range",
            f"at most {MAX_LOAD:.0%} of the slots' capacity and {MAX_PREFILL_SHARE:.0%} of "
            "the time prefilling",
            f"{queue.load:.0%} of capacity, {queue.prefill_share:.0%} prefilling"
            if queue.stable
            else "more requests than it can ever serve",
            queue.within_validated_range,
        )
    )
    return tuple(found)


def _seconds(value: float) -> str:
    return "never: the queue grows without end" if math.isinf(value) else f"{value:.1f} s"


def run_on(
    machine: Machine,
    model: Model,
    quant: str,
    est: Estimate,
    demand: TeamDemand,
    slots: int,
    batch_model: BatchModelFor,
    quality: tuple[float, float],
) -> ServerRun:
    """The file at `slots` slots on as few servers as meet the peak; when even MAX_SERVERS do
    not, one server's figures and what it misses."""
    w = demand.workload
    speed = batch_model(machine, model, est)
    prompt = prompt_tokens(demand, slots)
    depth = w.input_tokens_per_request + w.output_tokens_per_request / 2.0
    prefill_rate = prompt / speed.prefill_s(1, max(1, round(prompt)))
    server = Server(slots, prefill_rate, lambda b: 1.0 / speed.decode_step_s(b, depth))
    traffic = Traffic(demand.peak_calls_per_s, prompt, float(w.output_tokens_per_request))
    servers, (queue, reqs) = 1, judge(demand, server, traffic, 1)
    alone = reqs
    for count in range(2, MAX_SERVERS + 1):
        if all(r.passed for r in reqs):
            break
        shared = judge(demand, server, traffic, count)
        if all(r.passed for r in shared[1]):
            servers, (queue, reqs) = count, shared
    return ServerRun(
        model_id=model.id,
        model_name=model.name,
        quant=quant,
        quality_index=quality[0],
        quality_pct_of_frontier=quality[1],
        slots=slots,
        context_per_slot_tokens=w.context_tokens,
        estimate=est,
        prompt_tokens=prompt,
        decode_depth_tokens=depth,
        single_decode_tokens_per_s=server.decode(1),
        prefill_tokens_per_s=prefill_rate,
        servers=servers,
        queue=queue,
        requirements=reqs,
        average_busy_share=_average_busy(server, traffic, demand, servers, queue),
        one_server=alone,
    )


def _average_busy(
    server: Server, peak: Traffic, demand: TeamDemand, servers: int, at_peak: PeakQueue
) -> float:
    rate = demand.average_calls_per_s / servers
    average = peak_queue(server, Traffic(rate, peak.prompt_tokens, peak.output_tokens))
    return average.busy_share if average.stable else at_peak.busy_share
