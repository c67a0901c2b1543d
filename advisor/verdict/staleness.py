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
    from advisor.verdict.electricity import ElectricityRate
    from advisor.verdict.verdict import Verdict

MAX_AGE_DAYS = 120


@dataclass(frozen=True)
class StaleFact:
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


def stale(
    facts: Iterable[tuple[str, str | None, str]], today: datetime.date
) -> tuple[StaleFact, ...]:
    """The (what, date, source) facts older than MAX_AGE_DAYS, each once, oldest first."""
    found: dict[tuple[str, str], StaleFact] = {}
    for what, date, source in facts:
        age = age_in_days(date, today) if date else None
        if age is not None and age > MAX_AGE_DAYS:
            found.setdefault((what, date), StaleFact(what, date, age, source))  # type: ignore[arg-type]
    return tuple(sorted(found.values(), key=lambda f: (-f.age_days, f.what)))


def advice_facts(
    rate: ElectricityRate, verdicts: Sequence[Verdict], catalog: Catalog
) -> list[tuple[str, str | None, str]]:
    """Every dated price and score an advice (its electricity rate and verdicts) rests on."""
    facts: list[tuple[str, str | None, str]] = []
    if rate.basis == "region":
        facts.append((f"the electricity price for {rate.region}", rate.date, rate.source))
    for verdict in verdicts:
        cloud = verdict.cloud
        for api in (cloud.frontier, cloud.cheapest_api):
            if api is not None:
                facts.append((f"the API price of {api.name}", api.price_date, api.source))
                facts.append((f"the quality score of {api.name}", api.quality_date,
                              api.quality_source or api.source))  # fmt: skip
        sub = cloud.subscription
        if sub is not None:
            facts.append((f"the price of {sub.vendor} {sub.plan}", sub.price_date, sub.source))
        if verdict.option is not None:
            facts += model_score_facts(catalog, [verdict.option.candidate.model_id])
    return facts


def model_score_facts(
    catalog: Catalog, model_ids: Sequence[str]
) -> list[tuple[str, str | None, str]]:
    """The quality snapshot each of these catalog models is scored from."""
    facts: list[tuple[str, str | None, str]] = []
    for model_id in dict.fromkeys(model_ids):
        model = catalog.find(model_id)
        if model is not None and model.quality is not None:
            quality = model.quality
            facts.append((f"the quality score of {model.name}", quality.snapshot_date,
                          quality.source))  # fmt: skip
    return facts
