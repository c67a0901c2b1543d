"""The fleet's monthly cost today against the cost with local models where they are viable.

Two bases, in USD per month:

- seats (given with --seats or the config file's `seats`): today is seats × each plan's price.
  Seats are spread evenly over the machines audited (one person, one machine). A machine gives
  up its share of a plan when every audited workload the plan serves (by task) is viable
  locally there; it then pays those workloads' local running cost instead.
- cloud paths (no seats given): today every workload on every machine runs on the cheapest
  cloud path that meets its quality floor; with local, each follows its verdict: local,
  hybrid, or that same cloud path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from advisor.verdict.seats import SeatPlan

if TYPE_CHECKING:
    from advisor.audit.evaluate import Outcome
    from advisor.workload import Workload

CostBasis = Literal["seats", "cloud"]


@dataclass(frozen=True)
class MachineCost:
    today_usd_per_month: float | None
    with_local_usd_per_month: float | None
    seats_freed: tuple[str, ...]  # plan ids this machine gives up (seats basis)
    local_running_usd_per_month: float = 0.0  # the part of "with local" that runs here


@dataclass(frozen=True)
class SeatLine:
    plan: SeatPlan
    kept: float  # seats still paid for with local models in use

    @property
    def today_usd_per_month(self) -> float:
        return self.plan.count * self.plan.usd_per_seat

    @property
    def with_local_usd_per_month(self) -> float:
        return self.kept * self.plan.usd_per_seat


@dataclass(frozen=True)
class FleetCost:
    basis: CostBasis
    today_usd_per_month: float
    with_local_usd_per_month: float
    local_running_usd_per_month: float  # electricity (and counted hardware) of what runs here
    seats: tuple[SeatLine, ...]
    unpriced: int  # machine × workload pairs with no priced cloud path, left out of both sums
    explanation: str

    @property
    def saving_usd_per_month(self) -> float:
        return self.today_usd_per_month - self.with_local_usd_per_month


def machine_cost(
    outcomes: Sequence[Outcome],
    workloads: Sequence[Workload],
    plans: Sequence[SeatPlan],
    machines: int,
) -> MachineCost:
    """One machine's share of today's cost and of the cost with local models."""
    if plans:
        return _seat_cost(outcomes, workloads, plans, machines)
    priced = [o for o in outcomes if o.cloud_usd_per_month is not None]
    if not priced:
        return MachineCost(None, None, ())
    today = sum(o.cloud_usd_per_month for o in priced)  # type: ignore[misc]
    local = sum(_path_cost(o) for o in priced)
    return MachineCost(today, local, (), sum(_local_part(o) for o in priced))


def _path_cost(outcome: Outcome) -> float:
    path = outcome.path_usd_per_month
    return path if path is not None else outcome.cloud_usd_per_month or 0.0


def _seat_cost(outcomes, workloads, plans, machines) -> MachineCost:
    tasks = {w.name: w.task for w in workloads}
    today = kept = 0.0
    freed: list[str] = []
    moved: dict[str, float] = {}  # workload -> its local cost, counted once across plans
    for plan in plans:
        share = plan.count / machines * plan.usd_per_seat
        today += share
        served = [o for o in outcomes if tasks.get(o.workload) in plan.tasks]
        if served and all(o.kind == "local" for o in served):
            freed.append(plan.plan_id)
            moved.update((o.workload, o.local_usd_per_month or 0.0) for o in served)
        else:
            kept += share
    running = sum(moved.values())
    return MachineCost(today, kept + running, tuple(freed), running)


def fleet_cost(
    per_machine: Sequence[tuple[MachineCost, Sequence[Outcome]]], plans: Sequence[SeatPlan]
) -> FleetCost:
    costs = [c for c, _ in per_machine]
    today = sum(c.today_usd_per_month or 0.0 for c in costs)
    with_local = sum(c.with_local_usd_per_month or 0.0 for c in costs)
    running = sum(c.local_running_usd_per_month for c in costs)
    unpriced = sum(1 for _, outs in per_machine for o in outs if o.cloud_usd_per_month is None)
    if plans:
        lines = tuple(SeatLine(p, p.count * _kept_share(costs, p.plan_id)) for p in plans)
        return FleetCost("seats", today, with_local, running, lines, unpriced, _SEATS_WORDS)
    return FleetCost("cloud", today, with_local, running, (), unpriced, _CLOUD_WORDS)


def _kept_share(costs: Sequence[MachineCost], plan_id: str) -> float:
    if not costs:
        return 0.0
    keeping = sum(1 for cost in costs if plan_id not in cost.seats_freed)
    return keeping / len(costs)


def _local_part(outcome: Outcome) -> float:
    """What runs on the machine itself: all of a local path, the local share of a hybrid."""
    if outcome.kind == "local":
        return outcome.local_usd_per_month or 0.0
    if outcome.kind == "hybrid":
        return outcome.hybrid_local_usd_per_month or 0.0
    return 0.0


_SEATS_WORDS = (
    "today: the seats given × each plan's price; with local: a machine gives up its share of "
    "a plan's seats when every audited workload the plan serves is viable locally there, and "
    "pays those workloads' local running cost instead"
)
_CLOUD_WORDS = (
    "today: every workload on every machine on the cheapest cloud path that meets its quality "
    "floor; with local: each workload on its verdict's path (local, hybrid or that cloud path)"
)
