"""Running the workload on this machine: per-call timings, hours busy a day, and what it costs.

Decode with several streams at once follows a roofline: a batched step reads the weights once
(the single-stream time) but must also compute one token per stream, at most at the prefill
(pp512) rate. So aggregate decode = min(streams × single-stream rate, prefill rate).

Interactive calls overlap only as often as their arrival rate makes them (spread evenly over
the workload's hours); unattended work (no time-to-first-token limit) is queued and runs at
its full concurrency.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.estimate.speed import Speed
from advisor.verdict.electricity import ElectricityRate
from advisor.verdict.power import PowerDraw
from advisor.verdict.workload import Workload

MTOK = 1_000_000


@dataclass(frozen=True)
class Hardware:
    """The machine's price and lifetime. Without a price the machine is taken as owned.

    `counted` says whether the monthly share enters the local cost (the user asked, with
    --hardware-price or the config) or only the break-even (a profile's list price).
    """

    price_usd: float | None
    lifetime_months: float
    counted: bool = True

    @property
    def share_usd_per_month(self) -> float | None:
        """The price spread over the lifetime, counted or not."""
        return None if self.price_usd is None else self.price_usd / self.lifetime_months

    @property
    def usd_per_month(self) -> float | None:
        """The share the local cost includes."""
        return self.share_usd_per_month if self.counted else None


@dataclass(frozen=True)
class LocalRun:
    """How the workload runs here, from the estimate's (or measurement's) speeds."""

    single_decode_tokens_per_s: float  # one stream at the workload's mean depth
    peak_decode_tokens_per_s: float  # per stream with `concurrency` streams at once
    time_to_first_token_s: float  # prefill of the new (uncached) input, plus one token
    # A session's first call: the whole input prefilled (nothing cached yet), plus one token.
    cold_time_to_first_token_s: float
    prefill_s_per_call: float
    effective_streams: float  # how many calls overlap on average in the busy window
    machine_s_per_call: float
    busy_hours_per_day: float  # for the whole workload
    capacity_share: float  # share of the calls the machine can serve in hours_per_day (<= 1)
    max_calls_per_day: float  # the most calls like these it serves in hours_per_day, batched


@dataclass(frozen=True)
class LocalCost:
    share: float  # of the workload's calls served locally
    busy_hours_per_day: float
    kwh_per_month: float
    electricity_usd_per_month: float
    hardware_usd_per_month: float | None
    usd_per_month: float
    electricity_usd_per_mtok: float  # blended over this workload's token mix


def _aggregate_decode(single: float, prefill: float, streams: float) -> float:
    return min(streams * single, prefill)


def _prefill_s(speed: Speed, new: float, cached: float) -> float:
    """Seconds to prefill `new` tokens after `cached` ones already in the KV cache."""
    return new / speed.prefill_tokens_per_s + (
        speed.prefill_s_per_token_per_depth * new * (cached + new / 2)
    )


def local_run(workload: Workload, speed: Speed) -> LocalRun:
    w = workload
    depth = w.input_tokens_per_request + w.output_tokens_per_request / 2
    single = speed.decode_tokens_per_s_at(int(depth))
    new = w.new_input_tokens_per_call
    cached = w.input_tokens_per_request - new
    prefill_s = _prefill_s(speed, new, cached)
    cold_prefill_s = _prefill_s(speed, float(w.input_tokens_per_request), 0.0)
    alone_s = prefill_s + w.output_tokens_per_request / single
    window_s = w.hours_per_day * 3600
    overlap = w.calls_per_day / window_s * alone_s
    streams = min(float(w.concurrency), max(1.0, overlap))
    if w.max_time_to_first_token_s is None:
        streams = float(w.concurrency)  # unattended work is queued and run in full batches
    out = w.output_tokens_per_request
    machine_s = prefill_s + out / _aggregate_decode(single, speed.prefill_tokens_per_s, streams)
    saturated_s = prefill_s + out / _aggregate_decode(
        single, speed.prefill_tokens_per_s, w.concurrency
    )
    busy_h = w.calls_per_day * machine_s / 3600
    max_calls = window_s / saturated_s
    capacity = min(1.0, max_calls / w.calls_per_day)
    peak = _aggregate_decode(single, speed.prefill_tokens_per_s, w.concurrency) / w.concurrency
    return LocalRun(
        single_decode_tokens_per_s=single,
        peak_decode_tokens_per_s=peak,
        time_to_first_token_s=prefill_s + 1.0 / single,
        cold_time_to_first_token_s=cold_prefill_s + 1.0 / single,
        prefill_s_per_call=prefill_s,
        effective_streams=streams,
        machine_s_per_call=machine_s,
        busy_hours_per_day=busy_h,
        capacity_share=capacity,
        max_calls_per_day=max_calls,
    )


def local_cost(
    workload: Workload,
    run: LocalRun,
    power: PowerDraw,
    rate: ElectricityRate,
    hardware: Hardware,
    share: float = 1.0,
) -> LocalCost:
    """Electricity for `share` of the calls, plus the hardware's monthly share if priced."""
    busy = run.busy_hours_per_day * share
    kwh_day = busy * power.watts / 1000
    electricity_day = kwh_day * rate.usd_per_kwh
    electricity = electricity_day * workload.days_per_month
    amortised = hardware.usd_per_month
    tokens_day = workload.tokens_per_day * share
    return LocalCost(
        share=share,
        busy_hours_per_day=busy,
        kwh_per_month=kwh_day * workload.days_per_month,
        electricity_usd_per_month=electricity,
        hardware_usd_per_month=amortised,
        usd_per_month=electricity + (amortised or 0.0),
        electricity_usd_per_mtok=electricity_day / tokens_day * MTOK if tokens_day else 0.0,
    )
