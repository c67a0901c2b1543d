"""Running the workload on this machine: per-call timings, hours busy a day, and what it costs.

Decode with several streams at once follows a roofline: a batched step reads the weights once
(the single-stream time) but must also compute one token per stream, at most at the prefill
(pp512) rate. So aggregate decode = min(streams × single-stream rate, prefill rate).

Interactive calls overlap only as often as their arrival rate makes them (spread evenly over
the workload's hours); unattended work (no time-to-first-token limit) is queued and runs at
its full concurrency. When the day's calls would not fit the window at that overlap, they
queue, and batches grow (up to the concurrency) until they do: the busy hours never exceed the
window while the machine keeps up, and when it cannot keep up even at full concurrency it
serves the share of the calls that fits (capacity_share) and the rest is not run here.

Electricity is charged for the hours actually run here (never more than the window), plus the
machine's idle draw for the rest of the window when it stays on for this workload: it was
bought for it (a price is counted), or a program calls the workload (a server waits for it).
A person's own machine, on for their other work anyway, is charged only its busy hours.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.estimate.speed.figures import Speed
from advisor.probe.power.draw import PowerDraw
from advisor.verdict.electricity import ElectricityRate
from advisor.workload import Workload

MTOK = 1_000_000


@dataclass(frozen=True)
class HardwareCost:
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

    __pydantic_config__ = {"extra": "forbid"}  # read back from a report: no other keys

    single_decode_tokens_per_s: float  # one stream at the workload's mean depth
    peak_decode_tokens_per_s: float  # per stream with `concurrency` streams at once
    time_to_first_token_s: float  # prefill of the new (uncached) input, plus one token
    # A session's first call: the whole input prefilled (nothing cached yet), plus one token.
    cold_time_to_first_token_s: float
    prefill_s_per_call: float
    effective_streams: float  # how many calls overlap on average in the busy window
    machine_s_per_call: float
    # Hours of machine time the whole workload needs a day at effective_streams; above the
    # window only when it cannot keep up even at full concurrency (capacity_share < 1).
    busy_hours_per_day: float
    capacity_share: float  # share of the calls the machine can serve in hours_per_day (<= 1)
    max_calls_per_day: float  # the most calls like these it serves in hours_per_day, batched

    @property
    def served_hours_per_day(self) -> float:
        """Hours a day it actually runs the calls it can serve: at most the window."""
        return self.busy_hours_per_day * self.capacity_share


@dataclass(frozen=True)
class LocalCost:
    __pydantic_config__ = {"extra": "forbid"}  # read back from a report: no other keys

    share: float  # of the workload's calls served locally (at most what it keeps up with)
    busy_hours_per_day: float  # hours actually run here: never more than the window
    idle_hours_per_day: float  # the rest of the window, on and idle with the model loaded
    kwh_per_month: float  # busy and idle together
    idle_kwh_per_month: float
    electricity_usd_per_month: float  # busy and idle together
    hardware_usd_per_month: float | None
    usd_per_month: float
    # The busy hours' electricity per million tokens served (idle is a fixed cost, not per token)
    electricity_usd_per_mtok: float


def _aggregate_decode(single: float, prefill: float, streams: float) -> float:
    return min(streams * single, prefill)


def _prefill_s(speed: Speed, new: float, cached: float) -> float:
    """Seconds to prefill `new` tokens after `cached` ones already in the KV cache."""
    return new / speed.prefill_tokens_per_s + (
        speed.prefill_s_per_token_per_depth * new * (cached + new / 2)
    )


def _machine_s(prefill_s: float, out: int, single: float, prefill: float, streams: float) -> float:
    return prefill_s + out / _aggregate_decode(single, prefill, streams)


def _queued_streams(w: Workload, prefill_s: float, single: float, low: float) -> float:
    """The batch size at which the day's calls just fill the window (from `low` up to the
    concurrency): calls × (prefill + out / (streams × single)) = window, solved for streams."""
    per_call = w.hours_per_day * 3600 / w.calls_per_day - prefill_s
    if per_call <= 0:
        return float(w.concurrency)
    needed = w.output_tokens_per_request / (single * per_call)
    return min(float(w.concurrency), max(low, needed))


def local_run(workload: Workload, speed: Speed) -> LocalRun:
    w = workload
    depth = w.input_tokens_per_request + w.output_tokens_per_request / 2
    single = speed.decode_tokens_per_s_at(int(depth))
    prefill = speed.prefill_tokens_per_s
    new = w.new_input_tokens_per_call
    cached = w.input_tokens_per_request - new
    prefill_s = _prefill_s(speed, new, cached)
    cold_prefill_s = _prefill_s(speed, float(w.input_tokens_per_request), 0.0)
    out = w.output_tokens_per_request
    alone_s = prefill_s + out / single
    window_s = w.hours_per_day * 3600
    overlap = w.calls_per_day / window_s * alone_s
    streams = min(float(w.concurrency), max(1.0, overlap))
    if w.max_time_to_first_token_s is None:
        streams = float(w.concurrency)  # unattended work is queued and run in full batches
    if w.calls_per_day * _machine_s(prefill_s, out, single, prefill, streams) > window_s:
        streams = _queued_streams(w, prefill_s, single, streams)  # the queue grows the batches
    machine_s = _machine_s(prefill_s, out, single, prefill, streams)
    saturated_s = _machine_s(prefill_s, out, single, prefill, w.concurrency)
    max_calls = window_s / saturated_s
    capacity = min(1.0, max_calls / w.calls_per_day)
    busy_h = w.calls_per_day * machine_s / 3600
    if capacity >= 1:
        busy_h = min(busy_h, w.hours_per_day)  # rounding: a full window is still the window
    peak = _aggregate_decode(single, prefill, w.concurrency) / w.concurrency
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


def stays_on_for(workload: Workload, hardware: HardwareCost) -> bool:
    """Whether the machine stays on for this workload alone, so its idle hours count: bought
    for it, or waiting for a program's calls (see the module docstring)."""
    return hardware.usd_per_month is not None or workload.access == "programmatic"


def local_cost(
    workload: Workload,
    run: LocalRun,
    power: PowerDraw,
    rate: ElectricityRate,
    hardware: HardwareCost,
    share: float = 1.0,
) -> LocalCost:
    """Electricity for `share` of the calls (at most the share it keeps up with) and the idle
    rest of the window, plus the hardware's monthly share if priced."""
    share = min(share, run.capacity_share)
    busy = min(run.busy_hours_per_day * share, workload.hours_per_day)
    idle = 0.0
    if power.idle_watts is not None and stays_on_for(workload, hardware):
        idle = max(0.0, workload.hours_per_day - busy)
    busy_kwh_day = busy * power.watts / 1000
    idle_kwh_day = idle * (power.idle_watts or 0.0) / 1000
    days = workload.days_per_month
    electricity = (busy_kwh_day + idle_kwh_day) * rate.usd_per_kwh * days
    amortised = hardware.usd_per_month
    tokens_day = workload.tokens_per_day * share
    busy_usd_day = busy_kwh_day * rate.usd_per_kwh
    return LocalCost(
        share=share,
        busy_hours_per_day=busy,
        idle_hours_per_day=idle,
        kwh_per_month=(busy_kwh_day + idle_kwh_day) * days,
        idle_kwh_per_month=idle_kwh_day * days,
        electricity_usd_per_month=electricity,
        hardware_usd_per_month=amortised,
        usd_per_month=electricity + (amortised or 0.0),
        electricity_usd_per_mtok=busy_usd_day / tokens_day * MTOK if tokens_day else 0.0,
    )
