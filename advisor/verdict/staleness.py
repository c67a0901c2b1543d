"""Prices and scores past their use-by date: facts a verdict used that are dated more than
MAX_AGE_DAYS before the report was made.

API prices move within a quarter (litellm's table changes weekly), plans are renamed and
repriced a few times a year, and Artificial Analysis rescales its index (issue 18): a figure
older than about four months is said to be old, with its date and source, wherever it is
shown. A date given to the month only (`2026-04`) counts from the month's first day.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from advisor.catalog.model import Catalog
    from advisor.verdict.cloud import CloudCosts
    from advisor.verdict.electricity import ElectricityRate
    from advisor.verdict.seats import SeatPlan
    from advisor.verdict.verdict import Verdict
    from advisor.workload import Workload

Fact = tuple[str, str | None, str]  # (what, date, source)

MAX_AGE_DAYS = 120


@dataclass(frozen=True)
class StaleFact:
    """A dated price or score older than the report allows, with its age and source."""

    what: str  # "API price of Claude Haiku 5.5"
    date: str  # as the catalog gives it: YYYY-MM-DD or YYYY-MM
    age_days: int
    source: str

    def message(self) -> str:
        return (
            f"{self.what} is dated {self.date}, {self.age_days} days before this report "
            f"(source {self.source}); it may have changed since"
        )


def report_date(generated_at: str) -> datetime.date:
    """The day a report was made, from its ISO 8601 generated_at."""
    return datetime.date.fromisoformat(generated_at[:10])


def age_in_days(date_text: str, today: datetime.date) -> int | None:
    """Days from a YYYY-MM-DD or YYYY-MM date to `today`; None if it reads as neither."""
    try:
        day = datetime.date.fromisoformat(date_text if len(date_text) > 7 else date_text + "-01")
    except ValueError:
        return None
    return (today - day).days


def stale(facts: Iterable[Fact], today: datetime.date) -> tuple[StaleFact, ...]:
    """The (what, date, source) facts older than MAX_AGE_DAYS, each once, oldest first."""
    found: dict[tuple[str, str], StaleFact] = {}
    for what, date, source in facts:
        age = age_in_days(date, today) if date else None
        if age is not None and age > MAX_AGE_DAYS:
            found.setdefault((what, date), StaleFact(what, date, age, source))  # type: ignore[arg-type]
    return tuple(sorted(found.values(), key=lambda f: (-f.age_days, f.what)))


def advice_facts(
    rate: ElectricityRate, verdicts: Sequence[Verdict], catalog: Catalog
) -> list[Fact]:
    """Every dated price and score an advice (its electricity rate and verdicts) rests on."""
    facts = rate_facts(rate)
    for verdict in verdicts:
        facts += verdict_facts(verdict, catalog)
    return facts


def rate_facts(rate: ElectricityRate) -> list[Fact]:
    """The electricity price, when it is the region's table entry (a flag or config is not
    dated: the user stated it)."""
    if rate.basis == "region":
        return [(f"the electricity price for {rate.region}", rate.date, rate.source)]
    return []


def verdict_facts(verdict: Verdict, catalog: Catalog) -> list[Fact]:
    """The cloud prices and scores one verdict compares with, and its local model's score."""
    facts = cloud_facts(verdict.cloud)
    if verdict.option is not None:
        facts += model_score_facts(catalog, [verdict.option.candidate.model_id])
    return facts


def cloud_facts(cloud: CloudCosts) -> list[Fact]:
    """Each cloud path's price and the API models' quality scores."""
    facts: list[Fact] = []
    for api in (cloud.frontier, cloud.cheapest_api):
        if api is not None:
            facts.append((f"the API price of {api.name}", api.price_date, api.source))
            facts.append((f"the quality score of {api.name}", api.quality_date,
                          api.quality_source or api.source))  # fmt: skip
    sub = cloud.subscription
    if sub is not None:
        facts.append((f"the price of {sub.vendor} {sub.plan}", sub.price_date, sub.source))
    return facts


def team_facts(
    seats: Sequence[SeatPlan],
    workload: Workload,
    model_id: str | None,
    rate: ElectricityRate | None,
    catalog: Catalog,
) -> list[Fact]:
    """What a team plan rests on: the seats' prices, the cloud paths it is compared with at the
    team's volume (`workload`, priced again as team_advice priced it), the electricity price
    when the servers' running cost is counted (`rate`), and the chosen model's score."""
    from advisor.verdict.cloud import cloud_costs

    plans = {s.id: s for s in catalog.cloud.subscriptions}
    facts: list[Fact] = []
    for seat in seats:
        sub = plans.get(seat.plan_id)
        if sub is not None:  # worded as a verdict's plan is, so each is warned of once
            facts.append((f"the price of {sub.vendor} {sub.plan}", sub.date, sub.source))
    facts += cloud_facts(cloud_costs(workload, catalog))
    if rate is not None:
        facts += rate_facts(rate)
    if model_id is not None:
        facts += model_score_facts(catalog, [model_id])
    return facts


def model_score_facts(catalog: Catalog, model_ids: Sequence[str]) -> list[Fact]:
    """The quality snapshot each of these catalog models is scored from."""
    facts: list[Fact] = []
    for model_id in dict.fromkeys(model_ids):
        model = catalog.find(model_id)
        if model is not None and model.quality is not None and not model.quality.assumed_by:
            quality = model.quality  # (the user's own assumption has no date to go stale)
            facts.append((f"the quality score of {model.name}", quality.snapshot_date,
                          quality.source))  # fmt: skip
    return facts
