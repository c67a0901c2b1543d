"""Deciding the verdict per workload: local, hybrid, cloud or not viable, and the checks behind it.

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

import dataclasses

from advisor.verdict import choice
from advisor.verdict.cloud import CloudCosts
from advisor.verdict.economics import (
    SMALL_USD,
    break_even,
    hybrid_break_even,
    no_break_even,
    rent_vs_electricity,
)
from advisor.verdict.electricity import ElectricityRate
from advisor.verdict.hybrid import HybridSplit, best_hybrid, option_name, running_split
from advisor.verdict.local import HardwareCost, local_cost
from advisor.verdict.options import LocalOption
from advisor.verdict.reasons import cost_sentence, misses, usd
from advisor.verdict.verdict import Verdict, VerdictKind, assemble
from advisor.workload import Workload

OWNED = HardwareCost(None, 36.0)  # running costs only: what a choice of model may depend on


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
    checked: int | None = None,
) -> Verdict:
    """The verdict on `workload` from its local `options` and the cloud; `checked`: the
    options checked, when the search checked files besides `options` (advisor.verdict.gather.
    Gathered), else len(options)."""
    verdict = _decided(workload, options, cloud, rate, hardware)
    if checked is not None and checked != verdict.options_checked:
        verdict = dataclasses.replace(verdict, options_checked=checked)
    return verdict


def _decided(
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
    reasons.append(cost_sentence(workload, option, cost, rate, hardware, cloud))
    honest = None if forbidden else rent_vs_electricity(cost, cloud, option.candidate.model_id)
    if honest:
        reasons.append(honest)
    if cheaper:
        summary = f"local: {option_name(option)} does the job for {usd(cost.usd_per_month)} a month"
        if forbidden:
            summary += " (the cloud is ruled out for this workload)"
        elif best is not None:
            summary += f" against {usd(best)} for {cloud.best_label}"
        kind: VerdictKind = "local"
    else:
        summary = (
            f"cloud: {option_name(option)} would do the job, but {cloud.best_label} costs less "
            f"({usd(best)} against {usd(cost.usd_per_month)} a month)"
        )
        kind = "cloud"
    ratio = None if forbidden or not best else cost.usd_per_month / best
    capacity = option.run.max_calls_per_day
    even = break_even(workload, cost, capacity, cloud, hardware)
    if forbidden:
        even = no_break_even(cloud, "no break-even: the cloud is ruled out for this workload")
    return assemble(workload, kind, summary, reasons, option, cost, None, options, cloud, rate,
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
        f"{hybrid.cloud_label}, for {usd(hybrid.usd_per_month)} a month"
    )
    if best is not None:
        summary += f" against {usd(best)} all-cloud"
    reasons = [hybrid.why, f"{option_name(option)} on this machine:"]
    reasons += [f"  {c.text}" for c in option.checks]
    reasons.append(
        f"local share: {usd(hybrid.local.electricity_usd_per_month)} electricity"
        + (f" + {usd(hardware.usd_per_month)} hardware" if hardware.usd_per_month else "")
        + f"; cloud share on {hybrid.cloud_label}: {usd(hybrid.cloud_usd_per_month)}"
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
    return assemble(workload, "hybrid", summary, reasons, option, full_cost, hybrid, options,
                    cloud, rate, ratio, even, rule)  # fmt: skip


def _cloud(
    workload: Workload,
    options: list[LocalOption],
    cloud: CloudCosts,
    rate: ElectricityRate,
    hardware: HardwareCost,
    split: tuple[LocalOption, HybridSplit] | None,
) -> Verdict:
    best, label = cloud.best_usd_per_month, cloud.best_label
    where = f"{label} at {usd(best)} a month" if best is not None else "no priced cloud path"
    why, reasons, shown = misses(workload, options)
    if split is not None:
        reasons.append(
            f"a hybrid split ({split[1].local_share:.0%} on {option_name(split[0])}) would cost "
            f"{usd(split[1].usd_per_month)} a month, not less than {usd(best)}"
        )
    summary = f"cloud: {where}; locally {why}"
    cost = None
    if shown is not None and shown.run is not None:
        cost = local_cost(workload, shown.run, shown.candidate.power, rate, hardware)
    even = no_break_even(
        cloud, "no saving claimed: no option here passes every check, so local runs nothing"
    )
    return assemble(workload, "cloud", summary, reasons, shown, cost, None, options, cloud,
                    rate, None, even, choice.rule_text(workload, False))  # fmt: skip


def _not_viable(
    workload: Workload,
    options: list[LocalOption],
    cloud: CloudCosts,
    rate: ElectricityRate,
    hardware: HardwareCost,
) -> Verdict:
    why, reasons, shown = misses(workload, options)
    summary = f"not viable here: the cloud is ruled out for this workload, and locally {why}"
    cost = None
    if shown is not None and shown.run is not None:
        cost = local_cost(workload, shown.run, shown.candidate.power, rate, hardware)
    even = no_break_even(cloud, "no break-even: the cloud is ruled out and nothing here passes")
    return assemble(workload, "not_viable", summary, reasons, shown, cost, None, options, cloud,
                    rate, None, even, choice.rule_text(workload, False))  # fmt: skip
