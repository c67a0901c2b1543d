"""The verdict per workload: local, hybrid, cloud or not viable, with reasons, costs and confidence.

- local: a model fits, meets the speed, time-to-first-token and quality floor, keeps up with the
  volume, and costs less than the cheapest cloud path that meets the floor (or the workload
  rules the cloud out).
- hybrid: a local model handles a share of the requests (the routine ones it is good enough for,
  or as many as it can keep up with) and the cloud the rest, for less than all-cloud.
- cloud: otherwise; the reasons say which requirement failed, by how much.
- not_viable: the cloud is ruled out (`cloud: forbidden`, --no-cloud) and nothing here passes
  every check; advise() adds what would make it viable.

The option shown follows advisor.verdict.choice, whose rule the verdict states. Savings and
break-even describe the path chosen: all-local against all-cloud, hybrid against all-cloud, and
nothing for a verdict that runs nothing here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from advisor.verdict import choice
from advisor.verdict.cloud import CloudCosts
from advisor.verdict.confidence import Confidence, confidence
from advisor.verdict.economics import (
    SMALL_USD,
    BreakEven,
    break_even,
    hybrid_break_even,
    no_break_even,
    rent_vs_electricity,
)
from advisor.verdict.electricity import ElectricityRate
from advisor.verdict.hybrid import HybridSplit, best_hybrid, option_name, running_split
from advisor.verdict.local import HardwareCost, LocalCost, local_cost
from advisor.verdict.options import LocalOption
from advisor.verdict.remedy import Remedy
from advisor.workload import Workload

VerdictKind = Literal["local", "hybrid", "cloud", "not_viable"]
OWNED = HardwareCost(None, 36.0)  # running costs only: what a choice of model may depend on


@dataclass(frozen=True)
class QualityGap:
    __pydantic_config__ = {"extra": "forbid"}  # read back from a report: no other keys

    index: str  # "intelligence_index" or "coding_index"
    frontier: str
    frontier_index: float
    local_index: float
    points: float
    pct: float  # points as a percentage of the frontier's index


@dataclass(frozen=True)
class MonthlyCosts:
    """USD per month of each path; None where the path is not available."""

    __pydantic_config__ = {"extra": "forbid"}  # read back from a report: no other keys

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
    local_cost: LocalCost | None  # that option running what it can of the workload
    hybrid: HybridSplit | None
    cloud: CloudCosts
    costs: MonthlyCosts
    quality_gap: QualityGap | None
    break_even: BreakEven
    confidence: Confidence
    options_checked: int
    rule: str = ""  # how the option shown was picked, in words
    remedy: Remedy | None = None  # what would make local work, for cloud and not-viable verdicts


def quality_key(option: LocalOption) -> tuple[float, float]:
    run = option.run
    return (option.quality_pct or -1.0, run.peak_decode_tokens_per_s if run else 0.0)


def _running(workload, option, rate) -> float:
    """What the option costs to run the whole workload here, without any hardware price."""
    assert option.run is not None
    return local_cost(workload, option.run, option.candidate.power, rate, OWNED).usd_per_month


def cloud_forbidden(workload: Workload) -> bool:
    return workload.cloud == "forbidden"


def acceptable(
    workload: Workload,
    option: LocalOption,
    cloud: CloudCosts,
    rate: ElectricityRate,
    hardware: HardwareCost | None = None,
) -> bool:
    """True for an option a local verdict could rest on: every check met and, unless the cloud
    is ruled out, cheaper to run than the cloud. `hardware` is not read: a price moves the
    cost, never the model (the argument stays for callers that pass it)."""
    if not option.passed():
        return False
    best = cloud.best_usd_per_month
    if cloud_forbidden(workload) or best is None:
        return True
    return _running(workload, option, rate) < best


def settles(
    workload: Workload,
    option: LocalOption,
    cloud: CloudCosts,
    rate: ElectricityRate,
    hardware: HardwareCost | None = None,
) -> bool:
    """True for an option that runs (fits, fast enough, keeps up) and ends the search of its
    model's files (advisor.verdict.gather): one a local verdict could rest on (`acceptable`),
    or one below the quality floor unless it could carry a routine hybrid split that costs
    more than all-cloud: a lower-quality file of the same model, cheaper to run, may then make
    the hybrid pay (a 4B model at BF16 split with the CPU, where its Q8_0 runs on the GPU)."""
    if option.passed("quality"):
        return acceptable(workload, option, cloud, rate, hardware)
    best = cloud.best_usd_per_month
    if cloud_forbidden(workload) or best is None:
        return True
    split = running_split(workload, option, cloud, rate)
    return split is None or split.usd_per_month < best


def _choose(workload, full, cloud, rate) -> LocalOption:
    """The best quality among options cheaper to run than the cloud; else the cheapest."""
    cheaper = [o for o in full if acceptable(workload, o, cloud, rate)]
    if cheaper:
        return max(cheaper, key=quality_key)
    return min(full, key=lambda o: (_running(workload, o, rate), -quality_key(o)[0]))


def decide(
    workload: Workload,
    options: list[LocalOption],
    cloud: CloudCosts,
    rate: ElectricityRate,
    hardware: HardwareCost,
) -> Verdict:
    full = [o for o in options if o.passed()]
    if full:
        chosen = _choose(workload, full, cloud, rate)
        return _with_local(workload, chosen, options, cloud, rate, hardware)
    if cloud_forbidden(workload):
        return _not_viable(workload, options, cloud, rate, hardware)
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
    hardware: HardwareCost,
) -> Verdict:
    assert option.run is not None
    cost = local_cost(workload, option.run, option.candidate.power, rate, hardware)
    best = cloud.best_usd_per_month
    forbidden = cloud_forbidden(workload)
    cheaper = forbidden or best is None or cost.usd_per_month < best
    reasons = [f"{option_name(option)} meets every requirement:"]
    reasons += [f"  {c.text}" for c in option.checks]
    reasons.append(_cost_sentence(workload, option, cost, rate, hardware, cloud))
    honest = None if forbidden else rent_vs_electricity(cost, cloud, option.candidate.model_id)
    if honest:
        reasons.append(honest)
    if cheaper:
        summary = (
            f"local: {option_name(option)} does the job for {_usd(cost.usd_per_month)} a month"
        )
        if forbidden:
            summary += " (the cloud is ruled out for this workload)"
        elif best is not None:
            summary += f" against {_usd(best)} for {cloud.best_label}"
        kind: VerdictKind = "local"
    else:
        summary = (
            f"cloud: {option_name(option)} would do the job, but {cloud.best_label} costs less "
            f"({_usd(best)} against {_usd(cost.usd_per_month)} a month)"
        )
        kind = "cloud"
    ratio = None if forbidden or not best else cost.usd_per_month / best
    capacity = option.run.max_calls_per_day
    even = break_even(workload, cost, capacity, cloud, hardware)
    if forbidden:
        even = no_break_even(cloud, "no break-even: the cloud is ruled out for this workload")
    return _verdict(workload, kind, summary, reasons, option, cost, None, options, cloud, rate,
                    ratio, even, choice.rule_text(workload, True))  # fmt: skip


def _hybrid(
    workload: Workload,
    split: tuple[LocalOption, HybridSplit],
    options: list[LocalOption],
    cloud: CloudCosts,
    rate: ElectricityRate,
    hardware: HardwareCost,
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
    running = hybrid.local.electricity_usd_per_month + hybrid.cloud_usd_per_month
    even = hybrid_break_even(running, cloud, hardware)
    rule = (
        "shown: the hybrid split that runs the largest share here for less than all-cloud, on "
        "the best-quality model for it"
    )
    return _verdict(workload, "hybrid", summary, reasons, option, full_cost, hybrid, options,
                    cloud, rate, ratio, even, rule)  # fmt: skip


def _misses(
    workload: Workload, options: list[LocalOption]
) -> tuple[str, list[str], LocalOption | None]:
    """(why in a few words, reasons, the option shown) for a verdict with no local path."""
    shown = choice.closest(workload, options)
    if shown is None:
        context = workload.context_tokens * workload.concurrency
        reasons = [
            f"no model checked fits in this machine's memory at {context:,} tokens of context "
            "(checked: the models above the quality floor and the best ones below it)"
        ]
        return "nothing checked fits in memory", reasons, None
    why = ", ".join(c.shortfall() for c in shown.failed) or "it costs more"
    if shown.run is not None and not choice.within_reach(workload, shown):
        floor = workload.quality_floor_pct * choice.SHOWN_FLOOR_SHARE
        reasons = [
            f"no local model comes close: none that fits reaches {floor:g}% of the frontier "
            f"(half the quality floor); the best quality that fits, {option_name(shown)}, "
            "misses:"
        ]
    else:
        reasons = [f"the option closest to passing every check here, {option_name(shown)}, misses:"]
    reasons += [f"  {c.text}" for c in shown.failed]
    best = choice.best_quality_fitting(options)
    if best is not None and best is not shown and shown.run is not None:
        reasons.append(
            f"the best-quality model that fits, {option_name(best)}, misses: "
            + ", ".join(c.shortfall() for c in best.failed)
        )
    for near in choice.one_check_away(workload, options, exclude=(shown, best)):
        reasons.append(
            f"one check away: {option_name(near)} misses only {near.failed[0].shortfall()}"
        )
    unjudged = choice.unjudged(options)
    if unjudged is not None:
        model_id = unjudged.candidate.model_id
        reasons.append(
            f"quality unknown: {option_name(unjudged)} passes every other check here, but has "
            f"no published score; give --min-quality 0 (any quality will do) or --quality "
            f"{model_id}=SCORE (your estimate on the index) to judge it"
        )
    return why, reasons, shown


def _cloud(
    workload: Workload,
    options: list[LocalOption],
    cloud: CloudCosts,
    rate: ElectricityRate,
    hardware: HardwareCost,
    split: tuple[LocalOption, HybridSplit] | None,
) -> Verdict:
    best, label = cloud.best_usd_per_month, cloud.best_label
    where = f"{label} at {_usd(best)} a month" if best is not None else "no priced cloud path"
    why, reasons, shown = _misses(workload, options)
    if split is not None:
        reasons.append(
            f"a hybrid split ({split[1].local_share:.0%} on {option_name(split[0])}) would cost "
            f"{_usd(split[1].usd_per_month)} a month, not less than {_usd(best)}"
        )
    summary = f"cloud: {where}; locally {why}"
    cost = None
    if shown is not None and shown.run is not None:
        cost = local_cost(workload, shown.run, shown.candidate.power, rate, hardware)
    even = no_break_even(
        cloud, "no saving claimed: no option here passes every check, so local runs nothing"
    )
    return _verdict(workload, "cloud", summary, reasons, shown, cost, None, options, cloud,
                    rate, None, even, choice.rule_text(workload, False))  # fmt: skip


def _not_viable(
    workload: Workload,
    options: list[LocalOption],
    cloud: CloudCosts,
    rate: ElectricityRate,
    hardware: HardwareCost,
) -> Verdict:
    why, reasons, shown = _misses(workload, options)
    summary = f"not viable here: the cloud is ruled out for this workload, and locally {why}"
    cost = None
    if shown is not None and shown.run is not None:
        cost = local_cost(workload, shown.run, shown.candidate.power, rate, hardware)
    even = no_break_even(cloud, "no break-even: the cloud is ruled out and nothing here passes")
    return _verdict(workload, "not_viable", summary, reasons, shown, cost, None, options, cloud,
                    rate, None, even, choice.rule_text(workload, False))  # fmt: skip


def _cost_sentence(
    workload: Workload,
    option: LocalOption,
    cost: LocalCost,
    rate: ElectricityRate,
    hardware: HardwareCost,
    cloud: CloudCosts,
) -> str:
    power = option.candidate.power
    hours = f"{cost.busy_hours_per_day:.2f} h/day busy × {power.watts:.0f} W"
    if cost.idle_hours_per_day > 0 and power.idle_watts is not None:
        hours = f"({hours} + {cost.idle_hours_per_day:.2f} h idle × {power.idle_watts:.0f} W)"
    text = (
        f"local electricity {_usd(cost.electricity_usd_per_month)} a month = {hours} × "
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
    cost_ratio: float | None,
    even: BreakEven,
    rule: str,
) -> Verdict:
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
        break_even=even,
        confidence=confidence(
            option, cloud, rate, cost_ratio=cost_ratio, workload_origin=workload.origin
        ),
        options_checked=len(options),
        rule=rule,
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
