"""Hybrid splits: a local model takes a share of the requests and the cloud the rest.

The share is either the routine requests (the workload says what share of them a weaker model
handles, and above which quality floor) or the calls the machine keeps up with in its window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from advisor.verdict.cloud import CloudCosts, api_label
from advisor.verdict.electricity import ElectricityRate
from advisor.verdict.local import HardwareCost, LocalCost, local_cost
from advisor.verdict.options import LocalOption
from advisor.workload import Workload

HybridReason = Literal["routine", "capacity"]
MIN_HYBRID_SHARE = 0.05  # below this the local share is not worth running a second path


def option_name(option: LocalOption) -> str:
    return f"{option.candidate.model_name} {option.candidate.quant}"


@dataclass(frozen=True)
class HybridSplit:
    """A workload served partly here and partly in the cloud: the local share, why, and the
    month's costs."""

    local_share: float  # of the requests
    reason: HybridReason
    why: str
    local: LocalCost
    cloud_usd_per_month: float
    cloud_label: str
    usd_per_month: float


def best_hybrid(
    workload: Workload,
    options: list[LocalOption],
    cloud: CloudCosts,
    rate: ElectricityRate,
    hardware: HardwareCost,
) -> tuple[LocalOption, HybridSplit] | None:
    """The split a hybrid verdict would rest on, priced with `hardware`. It is picked on
    running costs alone (electricity and the cloud share): a hardware price moves the cost,
    never the model."""
    owned = HardwareCost(None, hardware.lifetime_months)
    splits = []
    for option in options:
        split = _split_for(workload, option, cloud, rate, owned)
        if split is not None:
            splits.append((option, split))
    if not splits:
        return None
    best = cloud.best_usd_per_month
    cheaper = [s for s in splits if best is None or s[1].usd_per_month < best]
    if not cheaper:  # none beats all-cloud: the cheapest shows by how much
        option, _ = min(splits, key=lambda s: s[1].usd_per_month)
    else:  # of the splits that save money: as much as possible locally, on the best model
        option, _ = max(cheaper, key=lambda s: (s[1].local_share, s[0].quality_pct or 0.0))
    priced = _split_for(workload, option, cloud, rate, hardware)
    assert priced is not None
    return option, priced


def running_split(
    workload: Workload, option: LocalOption, cloud: CloudCosts, rate: ElectricityRate
) -> HybridSplit | None:
    """The split `option` could carry, priced on running costs alone (owned hardware)."""
    return _split_for(workload, option, cloud, rate, HardwareCost(None, 36.0))


def _split_for(
    workload: Workload,
    option: LocalOption,
    cloud: CloudCosts,
    rate: ElectricityRate,
    hardware: HardwareCost,
) -> HybridSplit | None:
    run = option.run
    if run is None or not option.passed("fits", "decode", "ttft"):
        return None
    pct = option.quality_pct
    if option.passed("quality"):
        share, reason = run.capacity_share, "capacity"
        why = (
            f"{option_name(option)} is good enough but can serve only {share:.0%} of the calls in "
            f"the {workload.hours_per_day:g} h window; the cloud takes the overflow"
        )
    elif (
        pct is not None
        and workload.routine_share > 0
        and (pct >= (workload.routine_quality_floor_pct or 100))
    ):
        share, reason = min(workload.routine_share, run.capacity_share), "routine"
        why = (
            f"{option_name(option)} reaches {pct:.0f}% of the frontier: below the "
            f"{workload.quality_floor_pct:g}% floor, above the "
            f"{workload.routine_quality_floor_pct:g}% floor for routine requests; "
            f"the workload says {workload.routine_share:.0%} of requests are routine"
        )
    else:
        return None
    if share < MIN_HYBRID_SHARE:
        return None
    remote = _cloud_share(workload, cloud, 1 - share)
    if remote is None:
        return None
    local = local_cost(workload, run, option.candidate.power, rate, hardware, share)
    return HybridSplit(
        local_share=share,
        reason=reason,  # type: ignore[arg-type]
        why=why,
        local=local,
        cloud_usd_per_month=remote[0],
        cloud_label=remote[1],
        usd_per_month=local.usd_per_month + remote[0],
    )


def _cloud_share(workload: Workload, cloud: CloudCosts, share: float) -> tuple[float, str] | None:
    """The cheapest way to pay for `share` of the requests: API by the token, or a whole plan."""
    paths = []
    if cloud.cheapest_api is not None:
        api = cloud.cheapest_api
        paths.append((api.usd_per_month * share, api_label(api)))
    if cloud.subscription is not None:
        sub = cloud.subscription
        paths.append((sub.usd_per_month, f"{sub.product} {sub.plan} × {sub.seats}"))
    return min(paths) if paths else None
