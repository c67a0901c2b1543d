"""Confidence: which inputs of a verdict were measured, which looked up, which assumed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from advisor.verdict.cloud import CloudCosts
from advisor.verdict.electricity import ElectricityRate
from advisor.verdict.options import UNSCORED, LocalCandidate, LocalOption

InputStatus = Literal[
    "measured", "calibrated", "given", "published", "spec", "estimated", "assumed"
]
Level = Literal["high", "medium", "low"]


@dataclass(frozen=True)
class InputBasis:
    __pydantic_config__ = {"extra": "forbid"}  # read back from a report: no other keys

    input: str  # "decode speed", "power draw", "electricity price", ...
    status: InputStatus
    detail: str


@dataclass(frozen=True)
class Confidence:
    """How far a verdict can be trusted, and which of its inputs are measured, calibrated or
    assumed."""

    level: Level
    why: str
    inputs: tuple[InputBasis, ...]

    @property
    def measured(self) -> tuple[str, ...]:
        return tuple(i.input for i in self.inputs if i.status in ("measured", "calibrated"))

    @property
    def estimated(self) -> tuple[str, ...]:
        return tuple(i.input for i in self.inputs if i.status in ("estimated", "assumed"))


def confidence(
    option: LocalOption | None,
    cloud: CloudCosts,
    rate: ElectricityRate,
    *,
    cost_ratio: float | None,
    workload_origin: str,
) -> Confidence:
    """`cost_ratio` is local over cloud monthly cost where cost decided the verdict."""
    inputs = list(_local_inputs(option)) + _price_inputs(cloud, rate)
    inputs.append(
        InputBasis(
            "workload",
            "assumed" if workload_origin == "preset" else "given",
            "a preset's stated assumptions; adjust with your own file"
            if workload_origin == "preset"
            else f"from {workload_origin}",
        )
    )
    level, why = _level(option, cost_ratio)
    return Confidence(level, why, tuple(inputs))


def _local_inputs(option: LocalOption | None) -> tuple[InputBasis, ...]:
    if option is None:
        return ()
    cand = option.candidate
    speed_words = {
        "measured": "a throughput test of this file on this machine",
        "calibrated": "the estimator, scaled by this machine's own throughput tests",
        "estimated": "the estimator (bandwidth and compute over fitted constants), not measured",
    }[cand.speed_status]
    return (
        InputBasis("decode and prefill speed", cand.speed_status, speed_words),
        InputBasis("power draw", cand.power.status, cand.power.source),
        _quality_input(cand),
    )


def _quality_input(cand: LocalCandidate) -> InputBasis:
    """The quality index's basis: published, the publisher's estimate, the user's own score
    (--quality: given), or none at all (assumed: judged only against the user's floor)."""
    if cand.quality_index is None:
        return InputBasis("quality index", "assumed", "unknown: " + UNSCORED)
    if cand.quality_assumed_by is not None:
        return InputBasis("quality index", "given", cand.quality_note)
    status: InputStatus = "estimated" if cand.quality_estimated else "published"
    return InputBasis("quality index", status, cand.quality_note)


def _price_inputs(cloud: CloudCosts, rate: ElectricityRate) -> list[InputBasis]:
    given = rate.basis in ("flag", "config")
    dated = f" ({rate.date})" if rate.date else ""
    out = [
        InputBasis(
            "electricity price",
            "given" if given else "published",
            f"{rate.usd_per_kwh:.4g} USD/kWh from {rate.source}{dated}",
        )
    ]
    for label, api in (("frontier API price", cloud.frontier), ("API price", cloud.cheapest_api)):
        if api is not None:
            detail = f"{api.name}: catalog price dated {api.price_date}"
            out.append(InputBasis(label, "published", detail))
    sub = cloud.subscription
    if sub is not None:
        if sub.requests_per_day_per_seat is not None:
            reading = f"{sub.requests_per_day_per_seat:g} requests a day"
        else:
            reading = f"{sub.included_usage_usd_per_month:g} USD of API usage a month"
        detail = f"{sub.product} {sub.plan}: '{sub.limits}' read as {reading}"
        detail += f" ({sub.limits_basis or 'our reading'}; {sub.price_date})"
        out.append(InputBasis("subscription limits", "estimated", detail))
    return out


_WORDS = {"ttft": "time-to-first-token"}


def _level(option: LocalOption | None, cost_ratio: float | None) -> tuple[Level, str]:
    if option is None:
        return "medium", "no local option fits; the cloud prices are published figures"
    borderline = [_WORDS.get(c.name, c.name) for c in option.checks if c.borderline]
    if borderline:
        if len(borderline) == 1:
            one = borderline[0]
            return "low", f"borderline: the {one} requirement lies inside the estimate's range"
        names = ", ".join(borderline[:-1]) + " and " + borderline[-1]
        return "low", f"borderline: the {names} requirements lie inside the estimates' ranges"
    if cost_ratio is not None and 0.8 <= cost_ratio <= 1.25:
        return "low", f"local and cloud costs are within 25% of each other ({cost_ratio:.2f}×)"
    speed = option.candidate.speed_status
    power = option.candidate.power.status
    if speed in ("measured", "calibrated") and power in ("measured", "given"):
        return "high", "speed and power were measured on this machine"
    if speed == "estimated" and power == "assumed":
        return "low", "speed is estimated and power draw is assumed; run `advisor bench`"
    return "medium", f"speed is {speed} and power draw is {power}"
