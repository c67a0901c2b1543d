"""A user's assumed limit for a plan that publishes none (`--plan-limit PLAN=N/5h`).

Google AI Pro and Ultra, ChatGPT Go, Claude Team's premium seats and others publish no number
(a compute-based quota, "usage extends with credits"): the catalog reads them as unknown, and a
verdict never counts them as covering a workload. A user who knows what their seat allows can
say so; the plan is then judged on that figure, and every format prints it as the user's
assumption (the plan's limits_basis), never as a published figure.

Units, as the catalog reads vendors' own: per day; per 5 hours, two windows a working day (as
the catalog reads Claude's "45 messages per 5 hours" as 90 a day); per week, a seventh a day.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from advisor.errors import UsageError

if TYPE_CHECKING:
    from advisor.catalog.cloud_offers import Subscription
    from advisor.catalog.model import Catalog

FLAG = "--plan-limit"
# unit -> (words, prompts a day per prompt of the unit)
UNITS = {
    "day": ("a day", 1.0),
    "5h": ("per 5 hours, 2 windows a working day", 2.0),
    "week": ("a week, a seventh of it a day", 1 / 7),
}
# Compiled by re on the first --plan-limit (re keeps it), not at import: every report imports
# this module, and few give the option (~0.2 ms CPU).
_SPEC = r"^\s*([a-z0-9][a-z0-9._-]*)\s*=\s*([0-9]+(?:\.[0-9]+)?)\s*/\s*(\w+)\s*$"


@dataclasses.dataclass(frozen=True)
class PlanLimit:
    """`count` prompts per `unit` for the plan `plan_id`, as the user assumes it."""

    plan_id: str
    count: float
    unit: str  # a key of UNITS
    given_by: str = FLAG  # where the user said it: the flag, or the config file and key

    @property
    def spec(self) -> str:
        return f"{self.plan_id}={self.count:g}/{self.unit}"

    @property
    def said(self) -> str:
        """Where the user said it, with what: '--plan-limit google-ai-pro=50/5h'."""
        return (
            f"{self.given_by} {self.spec}"
            if self.given_by == FLAG
            else (f"{self.spec}, {self.given_by}")
        )

    @property
    def per_day(self) -> float:
        return self.count * UNITS[self.unit][1]

    @property
    def basis(self) -> str:
        words = UNITS[self.unit][0]
        return (
            f"the user's assumption ({self.said}): "
            f"{self.count:g} prompts {words} = {self.per_day:,.4g}/day; the vendor publishes no "
            "number"
        )


def parse_plan_limit(text: str, given_by: str = FLAG) -> PlanLimit:
    """'google-ai-pro=50/5h' -> PlanLimit; a UsageError says what is wrong and the form. The
    one parser of the flag (report, `advisor --json`, audit, the app) and the config's
    `prices.plan_limits` (`given_by` names the file and key there)."""
    flag = f"{FLAG} " if given_by == FLAG else ""
    form = (
        f"expected {flag}PLAN=N/UNIT with UNIT one of {', '.join(UNITS)} (e.g. google-ai-pro=50/5h)"
    )
    match = re.match(_SPEC, text.lower()) if isinstance(text, str) else None
    if match is None:
        raise UsageError(f"{given_by} {text!r}: {form}")
    plan, count, unit = match.groups()
    if unit not in UNITS:
        raise UsageError(f"{given_by} {text!r}: unknown unit {unit!r}; {form}")
    value = float(count)
    if not 0 < value <= 1e6:
        raise UsageError(f"{given_by} {text!r}: the count must be above 0 and at most 1,000,000")
    return PlanLimit(plan, value, unit, given_by)


def merged(base: Sequence[PlanLimit], over: Sequence[PlanLimit]) -> list[PlanLimit]:
    """`base` (the config's) with each plan `over` (the flags) names replaced by the flag's."""
    named = {limit.plan_id for limit in over}
    return [limit for limit in base if limit.plan_id not in named] + list(over)


def unknown_limit(sub: Subscription) -> bool:
    """Whether the catalog has no figure for the plan: no prompts a day, no included usage."""
    return (
        sub.requests_per_day is None
        and not sub.requests_per_day_by_task
        and sub.included_usage_usd_per_month is None
    )


def with_plan_limits(catalog: Catalog, limits: Sequence[PlanLimit]) -> Catalog:
    """The catalog with each named plan's limit set to the user's assumption. A plan the
    catalog does not have, or one with a published figure, is refused (UsageError)."""
    if not limits:
        return catalog
    plans = {s.id: s for s in catalog.cloud.subscriptions}
    open_plans = ", ".join(sorted(i for i, s in plans.items() if unknown_limit(s)))
    chosen: dict[str, PlanLimit] = {}
    for limit in limits:
        sub = plans.get(limit.plan_id)
        if sub is None:
            raise UsageError(
                f"{limit.given_by}: no plan {limit.plan_id!r} in the catalog",
                hint=f"plans whose limit is unknown: {open_plans or 'none'}",
            )
        if not unknown_limit(sub):
            raise UsageError(
                f"{limit.given_by}: {sub.product} {sub.plan} ({sub.id}) already has a limit in the "
                f"catalog ({sub.limits_basis or sub.limits}); only a plan whose limit is "
                "unknown takes an assumption",
                hint=f"plans whose limit is unknown: {open_plans or 'none'}",
            )
        if limit.plan_id in chosen:
            raise UsageError(f"{limit.given_by}: {limit.plan_id} is given twice")
        chosen[limit.plan_id] = limit
    subs = tuple(
        _assumed(s, chosen[s.id]) if s.id in chosen else s for s in catalog.cloud.subscriptions
    )
    cloud = dataclasses.replace(catalog.cloud, subscriptions=subs)
    return dataclasses.replace(catalog, cloud=cloud)


def _assumed(sub: Subscription, limit: PlanLimit) -> Subscription:
    return dataclasses.replace(
        sub, requests_per_day=limit.per_day, limits_basis=limit.basis, limit_assumed=True
    )
