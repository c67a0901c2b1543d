"""Break-even and the plain comparisons a skeptic asks for: when does local pay for itself?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from advisor.verdict.cloud import CloudCosts
from advisor.verdict.local import HardwareCost, LocalCost
from advisor.workload import Workload

MTOK = 1_000_000


BreakEvenPath = Literal["local", "hybrid"]


@dataclass(frozen=True)
class BreakEven:
    """The path the verdict chose (all-local or hybrid) against the cheapest all-cloud path
    that meets the floor. USD. A verdict that runs nothing here claims no saving: every
    figure is None and the text says why."""

    __pydantic_config__ = {"extra": "forbid"}  # read back from a report: no other keys

    path: BreakEvenPath | None  # what the saving describes; None: no saving is claimed
    versus: str | None  # the cloud path compared with
    # Cloud minus the path's running cost (electricity, busy and idle, plus a hybrid's cloud
    # share; no hardware): negative when it costs more to run than the cloud does.
    monthly_saving_usd: float | None
    payback_months: float | None  # the price of bought hardware over the monthly saving
    max_hardware_usd: float | None  # the most a machine may cost to pay back in its lifetime
    # Tokens a day above which local (electricity + hardware share) beats the cheapest API per
    # token; 0 when local wins at any volume, None when it never does (all-local path only).
    local_wins_above_tokens_per_day: float | None
    local_capacity_tokens_per_day: float | None  # the most this machine serves in the window
    text: str


def no_break_even(cloud: CloudCosts, why: str) -> BreakEven:
    """No saving claimed: the verdict runs nothing here (`why` says what local lacks)."""
    return BreakEven(None, cloud.best_label, None, None, None, None, None, why)


def break_even(
    workload: Workload,
    local: LocalCost | None,
    max_calls_per_day: float | None,
    cloud: CloudCosts,
    hardware: HardwareCost,
) -> BreakEven:
    """The all-local path: `local` runs the whole workload here."""
    best = cloud.best_usd_per_month
    if local is None or best is None:
        why = "no local option runs this workload" if local is None else "no cloud path to compare"
        return no_break_even(cloud, f"no break-even: {why}")
    saving = best - local.electricity_usd_per_month
    payback = _payback(hardware, saving)
    max_hw = saving * hardware.lifetime_months if saving > 0 else None
    threshold = _tokens_threshold(workload, local, cloud, hardware)
    per_call = workload.input_tokens_per_request + workload.output_tokens_per_request
    capacity = None if max_calls_per_day is None else max_calls_per_day * per_call
    return BreakEven(
        path="local",
        versus=cloud.best_label,
        monthly_saving_usd=saving,
        payback_months=payback,
        max_hardware_usd=max_hw,
        local_wins_above_tokens_per_day=threshold,
        local_capacity_tokens_per_day=capacity,
        text=_text(saving, payback, max_hw, threshold, capacity, hardware, cloud),
    )


def hybrid_break_even(
    running_usd_per_month: float, cloud: CloudCosts, hardware: HardwareCost
) -> BreakEven:
    """The hybrid path against all-cloud: `running_usd_per_month` is the local share's
    electricity plus the cloud share, without any hardware price."""
    best = cloud.best_usd_per_month
    if best is None:
        return no_break_even(cloud, "no break-even: no all-cloud path to compare")
    saving = best - running_usd_per_month
    payback = _payback(hardware, saving)
    max_hw = saving * hardware.lifetime_months if saving > 0 else None
    against = f"all-cloud ({cloud.best_label}, {best:,.2f} USD)"
    if saving <= 0:
        text = f"the hybrid costs {-saving:,.2f} USD a month more than {against}"
    elif payback is not None:
        text = (
            f"the hybrid saves {saving:,.2f} USD a month against {against}: the "
            f"{hardware.price_usd:,.0f} USD machine pays back in {payback:,.1f} months"
            + (" (longer than its lifetime)" if payback > hardware.lifetime_months else "")
        )
    else:
        text = (
            f"the hybrid saves {saving:,.2f} USD a month against {against}; a machine costing "
            f"up to {max_hw:,.0f} USD pays back within {hardware.lifetime_months:g} months"
        )
    return BreakEven("hybrid", cloud.best_label, saving, payback, max_hw, None, None, text)


def _payback(hardware: HardwareCost, saving: float) -> float | None:
    """Months for bought hardware to pay for itself; None when owned or never."""
    if hardware.usd_per_month is None or hardware.price_usd is None or saving <= 0:
        return None
    return hardware.price_usd / saving


def _tokens_threshold(
    workload: Workload, local: LocalCost, cloud: CloudCosts, hardware: HardwareCost
) -> float | None:
    if cloud.cheapest_api is None:
        return None
    per_tok_api = cloud.cheapest_api.usd_per_mtok / MTOK
    per_tok_local = local.electricity_usd_per_mtok / MTOK
    margin = per_tok_api - per_tok_local
    if margin <= 0:
        return None
    fixed = (hardware.usd_per_month or 0.0) + _idle_usd_per_month(local, workload)
    return fixed / (margin * workload.days_per_month)


def _idle_usd_per_month(local: LocalCost, workload: Workload) -> float:
    """The idle part of the electricity: a fixed monthly cost, whatever the volume."""
    busy_per_mtok = local.electricity_usd_per_mtok
    busy = busy_per_mtok * workload.tokens_per_day * local.share / MTOK * workload.days_per_month
    return max(0.0, local.electricity_usd_per_month - busy)


def _text(
    saving: float,
    payback: float | None,
    max_hw: float | None,
    threshold: float | None,
    capacity: float | None,
    hardware: HardwareCost,
    cloud: CloudCosts,
) -> str:
    parts: list[str] = []
    if saving <= 0:
        parts.append(
            f"the electricity alone costs {-saving:,.2f} USD a month more than "
            f"{cloud.best_label}, so local never pays back"
        )
    elif payback is not None:
        parts.append(
            f"saves {saving:,.2f} USD a month against {cloud.best_label}: the "
            f"{hardware.price_usd:,.0f} USD machine pays back in {payback:,.1f} months"
            + (" (longer than its lifetime)" if payback > hardware.lifetime_months else "")
        )
    else:
        parts.append(
            f"saves {saving:,.2f} USD a month against {cloud.best_label}; a machine costing up to "
            f"{max_hw:,.0f} USD pays back within {hardware.lifetime_months:g} months"
        )
    api = cloud.cheapest_api
    if api is not None:
        if threshold is None:
            parts.append(f"per token, {api.name} is cheaper than this machine's electricity")
        elif threshold == 0:
            parts.append(f"per token, local is cheaper than {api.name} at any volume")
        else:
            above = f"local beats {api.name} above {threshold:,.0f} tokens a day"
            if capacity is not None and threshold > capacity:
                above += f", more than this machine can serve ({capacity:,.0f})"
            parts.append(above)
    return "; ".join(parts)


SMALL_USD = 1.0  # a monthly difference below this is no reason to choose either way


def rent_vs_electricity(local: LocalCost, cloud: CloudCosts, model_id: str) -> str | None:
    """Say so when renting costs about what the electricity does, or less, or when the
    difference is too small to matter."""
    api = cloud.cheapest_api
    if api is None or local.electricity_usd_per_month <= 0:
        return None
    gap = abs(api.usd_per_month - local.electricity_usd_per_month)
    if gap < SMALL_USD:
        return (
            f"renting {api.name} costs {api.usd_per_month:,.2f} USD a month and the electricity "
            f"{local.electricity_usd_per_month:,.2f}: under a dollar apart, so cost does not "
            "decide this; privacy, offline use or convenience will"
        )
    ratio = api.usd_per_month / local.electricity_usd_per_month
    same = " (the same model, hosted)" if api.catalog_model == model_id else ""
    rent = f"renting {api.name} from {api.vendor}{same} costs {api.usd_per_month:,.2f} USD a month"
    power = f"this machine's electricity ({local.electricity_usd_per_month:,.2f} USD)"
    if ratio < 0.8:
        return f"{rent}, less than {power}: on cost alone, renting wins"
    if ratio <= 1.5:
        return f"{rent}, about what {power} costs: local wins on privacy or offline use, not price"
    return None
