"""The verdict per workload: local, hybrid or cloud, with reasons, costs and confidence.

- local: a model fits, meets the speed, time-to-first-token and quality floor, keeps up with the
  volume, and costs less than the cheapest cloud path that meets the floor.
- hybrid: a local model handles a share of the requests (the routine ones it is good enough for,
  or as many as it can keep up with) and the cloud the rest, for less than all-cloud.
- cloud: otherwise; the reasons say which requirement failed, by how much.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from advisor.verdict.cloud import CloudCosts
from advisor.verdict.confidence import Confidence, confidence
from advisor.verdict.economics import SMALL_USD, BreakEven, break_even, rent_vs_electricity
from advisor.verdict.electricity import ElectricityRate
from advisor.verdict.hybrid import HybridSplit, best_hybrid, option_name
from advisor.verdict.local import Hardware, LocalCost, local_cost
from advisor.verdict.options import LocalOption
from advisor.verdict.workload import Workload

VerdictKind = Literal["local", "hybrid", "cloud"]


@dataclass(frozen=True)
class QualityGap:
    index: str  # "intelligence_index" or "coding_index"
    frontier: str
    frontier_index: float
    local_index: float
    points: float
    pct: float  # points as a percentage of the frontier's index


@dataclass(frozen=True)
class MonthlyCosts:
    """USD per month of each path; None where the path is not available."""

    local: float | None
    local_electricity: float | None
    local_hardware: float | None
    hybrid: float | None
    subscription: float | None
    frontier_api: float | None
    cheapest_api: float | None


@dataclass(frozen=True)
class Verdict:
    workload: Workload
    kind: VerdictKind
    summary: str
    reasons: tuple[str, ...]
    option: LocalOption | None  # the local option it is about: chosen, or the closest miss
    local_cost: LocalCost | None  # that option running the whole workload
    hybrid: HybridSplit | None
    cloud: CloudCosts
    costs: MonthlyCosts
    quality_gap: QualityGap | None
    break_even: BreakEven
    confidence: Confidence
    options_checked: int


def quality_key(option: LocalOption) -> tuple[float, float]:
    run = option.run
    return (option.quality_pct or -1.0, run.peak_decode_tokens_per_s if run else 0.0)


def _cost(workload, option, rate, hardware) -> float:
    assert option.run is not None
    return local_cost(workload, option.run, option.candidate.power, rate, hardware).usd_per_month


def acceptable(
    workload: Workload,
    option: LocalOption,
    cloud: CloudCosts,
    rate: ElectricityRate,
    hardware: Hardware,
) -> bool:
    """True for an option a local verdict could rest on: every check met, cheaper than cloud."""
    if not option.passed():
        return False
    best = cloud.best_usd_per_month
    return best is None or _cost(workload, option, rate, hardware) < best


def _choose(workload, full, cloud, rate, hardware) -> LocalOption:
    """The best quality among options cheaper than the cloud; else the cheapest that works."""
    cheaper = [o for o in full if acceptable(workload, o, cloud, rate, hardware)]
    if cheaper:
        return max(cheaper, key=quality_key)
    return min(full, key=lambda o: (_cost(workload, o, rate, hardware), -quality_key(o)[0]))


def decide(
    workload: Workload,
    options: list[LocalOption],
    cloud: CloudCosts,
    rate: ElectricityRate,
    hardware: Hardware,
) -> Verdict:
    full = [o for o in options if o.passed()]
    if full:
        chosen = _choose(workload, full, cloud, rate, hardware)
        return _with_local(workload, chosen, options, cloud, rate, hardware)
    split = best_hybrid(workload, options, cloud, rate, hardware)
    best = cloud.best_usd_per_month
    if split is not None and (best is None or split[1].usd_per_month < best):
        return _hybrid(workload, split, options, cloud, rate, hardware)
    return _cloud(workload, options, cloud, rate, hardware, split)


def _with_local(
    workload: Workload,
    option: LocalOption,
    options: list[LocalOption],
    cloud: CloudCosts,
    rate: ElectricityRate,
    hardware: Hardware,
) -> Verdict:
    assert option.run is not None
    cost = local_cost(workload, option.run, option.candidate.power, rate, hardware)
    best = cloud.best_usd_per_month
    cheaper = best is None or cost.usd_per_month < best
    reasons = [f"{option_name(option)} meets every requirement:"]
    reasons += [f"  {c.text}" for c in option.checks]
    reasons.append(_cost_sentence(workload, option, cost, rate, hardware, cloud))
    honest = rent_vs_electricity(cost, cloud, option.candidate.model_id)
    if honest:
        reasons.append(honest)
    if cheaper:
        summary = (
            f"local: {option_name(option)} does the job for {_usd(cost.usd_per_month)} a month"
        )
        if best is not None:
            summary += f" against {_usd(best)} for {cloud.best_label}"
        kind: VerdictKind = "local"
    else:
        summary = (
            f"cloud: {option_name(option)} would do the job, but {cloud.best_label} costs less "
            f"({_usd(best)} against {_usd(cost.usd_per_month)} a month)"
        )
        kind = "cloud"
    ratio = cost.usd_per_month / best if best else None
    return _verdict(workload, kind, summary, reasons, option, cost, None, options, cloud, rate,
                    hardware, ratio)  # fmt: skip


def _hybrid(
    workload: Workload,
    split: tuple[LocalOption, HybridSplit],
    options: list[LocalOption],
    cloud: CloudCosts,
    rate: ElectricityRate,
    hardware: Hardware,
) -> Verdict:
    option, hybrid = split
    assert option.run is not None
    full_cost = local_cost(workload, option.run, option.candidate.power, rate, hardware)
    best = cloud.best_usd_per_month
    summary = (
        f"hybrid: {hybrid.local_share:.0%} of requests on {option_name(option)} here, the rest on "
        f"{hybrid.cloud_label}, for {_usd(hybrid.usd_per_month)} a month"
    )
    if best is not None:
        summary += f" against {_usd(best)} all-cloud"
    reasons = [hybrid.why, f"{option_name(option)} on this machine:"]
    reasons += [f"  {c.text}" for c in option.checks]
    reasons.append(
        f"local share: {_usd(hybrid.local.electricity_usd_per_month)} electricity"
        + (f" + {_usd(hardware.usd_per_month)} hardware" if hardware.usd_per_month else "")
        + f"; cloud share on {hybrid.cloud_label}: {_usd(hybrid.cloud_usd_per_month)}"
    )
    if best is not None and abs(best - hybrid.usd_per_month) < SMALL_USD:
        reasons.append(
            "hybrid and all-cloud are under a dollar a month apart: cost does not decide this; "
            "privacy, offline use or convenience will"
        )
    ratio = hybrid.usd_per_month / best if best else None
    return _verdict(workload, "hybrid", summary, reasons, option, full_cost, hybrid, options,
                    cloud, rate, hardware, ratio)  # fmt: skip


def _cloud(
    workload: Workload,
    options: list[LocalOption],
    cloud: CloudCosts,
    rate: ElectricityRate,
    hardware: Hardware,
    split: tuple[LocalOption, HybridSplit] | None,
) -> Verdict:
    closest = _closest(options)
    best, label = cloud.best_usd_per_month, cloud.best_label
    where = f"{label} at {_usd(best)} a month" if best is not None else "no priced cloud path"
    reasons: list[str] = []
    if closest is None:
        context = workload.context_tokens * workload.concurrency
        why = "nothing checked fits in memory"
        reasons.append(
            f"no model checked fits in this machine's memory at {context:,} tokens of context "
            "(checked: the models above the quality floor and the best ones below it)"
        )
    else:
        why = ", ".join(c.shortfall() for c in closest.failed) or "it costs more"
        reasons.append(f"the best model that fits here, {option_name(closest)}, misses:")
        reasons += [f"  {c.text}" for c in closest.failed]
        fast = _fast_enough(options)
        if fast is not None and fast is not closest:
            reasons.append(
                f"the best model fast enough here, {option_name(fast)}, falls short: "
                + ", ".join(c.shortfall() for c in fast.failed)
            )
    if split is not None:
        reasons.append(
            f"a hybrid split ({split[1].local_share:.0%} on {option_name(split[0])}) would cost "
            f"{_usd(split[1].usd_per_month)} a month, not less than {_usd(best)}"
        )
    summary = f"cloud: {where}; locally {why}"
    cost = None
    if closest is not None and closest.run is not None:
        cost = local_cost(workload, closest.run, closest.candidate.power, rate, hardware)
    return _verdict(workload, "cloud", summary, reasons, closest, cost, None, options, cloud,
                    rate, hardware, None)  # fmt: skip


def _fast_enough(options: list[LocalOption]) -> LocalOption | None:
    """The best-quality option that fits, is fast enough and keeps up, whatever it lacks."""
    fast = [o for o in options if o.passed("fits", "decode", "ttft", "capacity")]
    return max(fast, key=quality_key) if fast else None


def _closest(options: list[LocalOption]) -> LocalOption | None:
    """The best model that fits: what the user would run if speed and volume allowed."""
    return max(options, key=quality_key) if options else None


def _cost_sentence(
    workload: Workload,
    option: LocalOption,
    cost: LocalCost,
    rate: ElectricityRate,
    hardware: Hardware,
    cloud: CloudCosts,
) -> str:
    power = option.candidate.power
    text = (
        f"local electricity {_usd(cost.electricity_usd_per_month)} a month = "
        f"{cost.busy_hours_per_day:.2f} h/day busy × {power.watts:.0f} W × "
        f"{rate.usd_per_kwh:.4g} USD/kWh × {workload.days_per_month:.1f} days"
    )
    if hardware.usd_per_month is not None:
        text += (
            f", plus {_usd(hardware.usd_per_month)} hardware ({hardware.price_usd:,.0f} USD over "
            f"{hardware.lifetime_months:g} months)"
        )
    best = cloud.best_usd_per_month
    if best is not None:
        text += f"; the cheapest cloud path meeting the floor is {cloud.best_label} at {_usd(best)}"
    return text


def _verdict(
    workload: Workload,
    kind: VerdictKind,
    summary: str,
    reasons: list[str],
    option: LocalOption | None,
    cost: LocalCost | None,
    hybrid: HybridSplit | None,
    options: list[LocalOption],
    cloud: CloudCosts,
    rate: ElectricityRate,
    hardware: Hardware,
    cost_ratio: float | None,
) -> Verdict:
    capacity = option.run.max_calls_per_day if option and option.run else None
    return Verdict(
        workload=workload,
        kind=kind,
        summary=summary,
        reasons=tuple(reasons),
        option=option,
        local_cost=cost,
        hybrid=hybrid,
        cloud=cloud,
        costs=_monthly(cost, hybrid, cloud),
        quality_gap=_gap(workload, option, cloud),
        break_even=break_even(workload, cost, capacity, cloud, hardware),
        confidence=confidence(
            option, cloud, rate, cost_ratio=cost_ratio, workload_origin=workload.origin
        ),
        options_checked=len(options),
    )


def _monthly(cost: LocalCost | None, hybrid: HybridSplit | None, cloud: CloudCosts) -> MonthlyCosts:
    return MonthlyCosts(
        local=cost.usd_per_month if cost else None,
        local_electricity=cost.electricity_usd_per_month if cost else None,
        local_hardware=cost.hardware_usd_per_month if cost else None,
        hybrid=hybrid.usd_per_month if hybrid else None,
        subscription=cloud.subscription.usd_per_month if cloud.subscription else None,
        frontier_api=cloud.frontier.usd_per_month if cloud.frontier else None,
        cheapest_api=cloud.cheapest_api.usd_per_month if cloud.cheapest_api else None,
    )


def _gap(workload: Workload, option: LocalOption | None, cloud: CloudCosts) -> QualityGap | None:
    if option is None or option.candidate.quality_index is None:
        return None
    if cloud.frontier is None or not cloud.frontier_index:
        return None
    points = cloud.frontier_index - option.candidate.quality_index
    return QualityGap(
        index=workload.quality_index,
        frontier=cloud.frontier.name,
        frontier_index=cloud.frontier_index,
        local_index=option.candidate.quality_index,
        points=points,
        pct=points / cloud.frontier_index * 100,
    )


def _usd(amount: float | None) -> str:
    return "unknown" if amount is None else f"{amount:,.2f} USD"
