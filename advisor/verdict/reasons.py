"""The words of a verdict: why no local option passes (misses) and what local running costs
(cost_sentence), in the units a reader checks them in.
"""

from __future__ import annotations

from advisor.verdict import choice
from advisor.verdict.cloud import CloudCosts
from advisor.verdict.electricity import ElectricityRate
from advisor.verdict.hybrid import option_name
from advisor.verdict.local import HardwareCost, LocalCost
from advisor.verdict.options import LocalOption
from advisor.workload import Workload


def misses(
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


def cost_sentence(
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
        f"local electricity {usd(cost.electricity_usd_per_month)} a month = {hours} × "
        f"{rate.usd_per_kwh:.4g} USD/kWh × {workload.days_per_month:.1f} days"
    )
    if hardware.usd_per_month is not None:
        text += (
            f", plus {usd(hardware.usd_per_month)} hardware ({hardware.price_usd:,.0f} USD over "
            f"{hardware.lifetime_months:g} months)"
        )
    best = cloud.best_usd_per_month
    if best is not None:
        text += f"; the cheapest cloud path meeting the floor is {cloud.best_label} at {usd(best)}"
    return text


def usd(amount: float | None) -> str:
    return "unknown" if amount is None else f"{amount:,.2f} USD"
