"""The seats a team pays for today: a count of a catalog subscription plan, checked and priced.

Read from --seats PLAN=COUNT (report and audit) or the config file's `seats`; the audit spreads
them over a fleet and the team plan (advisor.team) sets a shared server against them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.errors import UsageError

if TYPE_CHECKING:
    from advisor.catalog.cloud_offers import Subscription
    from advisor.catalog.model import Catalog
    from advisor.config import Seats


@dataclass(frozen=True)
class SeatPlan:
    """`count` seats of a catalog subscription plan."""

    __pydantic_config__ = {"extra": "forbid"}  # read back from a report: no other keys

    plan_id: str
    label: str  # "ChatGPT Plus"
    tasks: tuple[str, ...]
    count: int
    usd_per_seat: float
    price_date: str

    @property
    def usd_per_month(self) -> float:
        return self.count * self.usd_per_seat


def parse_seats(specs: Sequence[str]) -> tuple[Seats, ...]:
    """`PLAN=COUNT` flags (--seats on report and audit) as the config file's Seats entries."""
    from advisor.argtypes import count_text
    from advisor.config import Seats

    seats = []
    for spec in specs:
        plan, sep, count = spec.partition("=")
        shown = spec if len(spec) <= 60 else spec[:57] + "..."
        if not sep or not plan.strip():
            raise UsageError(f"--seats takes PLAN=COUNT (e.g. chatgpt-plus=25), got {shown!r}")
        try:
            seats.append(Seats(plan=plan.strip(), count=count_text(count)))
        except ValueError as exc:
            raise UsageError(f"--seats {shown}: the count: {exc}") from None
    return tuple(seats)


def seat_plans(
    seats: Sequence[Seats], catalog: Catalog, config_path: str | None = None
) -> tuple[SeatPlan, ...]:
    """The seats given, checked against the catalog's subscription plans. A plan the catalog
    does not know, or a count below 1, is a usage error that lists the plans there are; with
    `config_path` (the seats came from that config file) an unknown plan is a ConfigError
    naming the file, the line and the key."""
    plans = {s.id: s for s in catalog.cloud.subscriptions}
    found = []
    for index, seat in enumerate(seats):
        sub = plans.get(seat.plan)
        if sub is None and config_path is not None:
            from advisor.errors import ConfigError
            from advisor.files.yamlpos import line_in_file

            raise ConfigError(
                f"no subscription plan {seat.plan!r} in the catalog",
                path=config_path,
                line=line_in_file(Path(config_path), ["seats", index, "plan"]),
                key=f"seats[{index}].plan",
                hint=f"plans: {', '.join(sorted(plans))}",
            )
        if sub is None:
            raise UsageError(
                f"--seats: no subscription plan {seat.plan!r} in the catalog",
                hint=f"plans: {', '.join(sorted(plans))}",
            )
        if seat.count <= 0:
            raise UsageError(f"the seat count of {seat.plan} must be positive, got {seat.count}")
        found.append(_plan(sub, seat.count))
    return tuple(found)


def _plan(sub: Subscription, count: int) -> SeatPlan:
    return SeatPlan(
        plan_id=sub.id,
        label=f"{sub.product} {sub.plan}",
        tasks=tuple(sub.tasks),
        count=count,
        usd_per_seat=sub.price_usd_per_month,
        price_date=sub.date,
    )
