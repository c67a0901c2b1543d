"""The Verdict: one workload's answer (local, hybrid, cloud or not viable) with its reasons,
monthly costs, quality gap, break-even and confidence, and how one is assembled.

advisor.verdict.decide picks the kind and writes the reasons (advisor.verdict.reasons).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from advisor.verdict.cloud import CloudCosts
from advisor.verdict.confidence import Confidence, confidence
from advisor.verdict.economics import BreakEven
from advisor.verdict.electricity import ElectricityRate
from advisor.verdict.hybrid import HybridSplit
from advisor.verdict.local import LocalCost
from advisor.verdict.options import LocalOption
from advisor.verdict.remedy import Remedy
from advisor.workload import Workload

VerdictKind = Literal["local", "hybrid", "cloud", "not_viable"]


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
    """The answer for one workload: local, hybrid or cloud, the option it is about, the costs and
    the reasons."""

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


def assemble(
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
    """The Verdict of a decided `kind`, with its monthly costs, quality gap and confidence."""
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
