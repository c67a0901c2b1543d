"""The audit's shared servers: for the fleet's workloads, the servers that would serve the
people behind its machines, at what cost, against the seats and APIs the fleet pays.

One person per machine (as the seat arithmetic assumes): a workload carried by N machines'
reports is planned for N people (advisor.team) on each candidate server profile. A server is
never free: its price comes from `advisor audit --server-price PROFILE=USD` (or
PROFILE=list, the profile's list price), and without one the cost and the headline say the
hardware is excluded.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from advisor.advice_options import AdviceOptions
    from advisor.catalog.model import Catalog
    from advisor.team.advice import TeamAdvice
    from advisor.verdict.seats import SeatPlan
    from advisor.workload import Workload

# The shipped server-class profiles an audit prices by default (--server replaces them).
DEFAULT_SERVERS = ("h100-server", "dual-rtx-3090", "mac-studio-m3-ultra-512gb")
PRICE_FLAG = "--server-price PROFILE=USD"


@dataclass(frozen=True)
class ServerOption:
    profile: str
    advice: TeamAdvice


@dataclass(frozen=True)
class SharedWorkload:
    """One fleet workload, planned for its people on every candidate server."""

    workload: str
    title: str
    people: int
    options: tuple[ServerOption, ...]  # cheapest first; those without a plan last

    @property
    def best(self) -> ServerOption | None:
        planned = [o for o in self.options if o.advice.plan.choice is not None]
        return planned[0] if planned else None


@dataclass(frozen=True)
class SharedServers:
    profiles: tuple[str, ...]
    workloads: tuple[SharedWorkload, ...]

    @property
    def headline(self) -> str | None:
        lines = []
        for w in self.workloads:
            best = w.best
            if best is None:
                lines.append(f"{w.title}: no server tried serves its {w.people} people")
                continue
            cmp = best.advice.comparison
            assert cmp is not None  # a plan always has one
            lines.append(f"{w.title} for {w.people} people on {best.profile}: {cmp.headline}")
        return "; ".join(lines) if lines else None


def shared_servers(
    catalog: Catalog,
    people: dict[str, tuple[Workload, int]],
    profiles: Sequence[str],
    seats: tuple[SeatPlan, ...],
    options: AdviceOptions,
    prices: Mapping[str, float] | None = None,
) -> SharedServers:
    """Plans for each workload's people (workload name -> (workload, machines carrying it)).
    `prices`: profile -> USD a server, counted as bought (the others' hardware is excluded)."""
    from advisor.probe import resolve_machine
    from advisor.team.advice import TeamOptions, team_advice

    prices = prices or {}
    machines = {name: resolve_machine(profile=name) for name in profiles}
    priced = {name: dataclasses.replace(options, hardware_price_usd=prices.get(name))
              for name in profiles}  # fmt: skip
    rows = []
    for name, (workload, count) in sorted(people.items()):
        team = TeamOptions(users=count, seats=seats, price_flag=PRICE_FLAG)
        found = [
            ServerOption(profile, team_advice(machine, catalog, workload, team, priced[profile]))
            for profile, machine in machines.items()
        ]
        found.sort(key=_order)
        rows.append(SharedWorkload(name, workload.title, count, tuple(found)))
    return SharedServers(tuple(profiles), tuple(rows))


def _order(option: ServerOption) -> tuple[int, int, float]:
    """Planned first; priced before unpriced (an unpriced server is not cheaper); then cost."""
    costs = option.advice.costs
    if costs is None:
        return (1, 1, 0.0)
    return (0, int(costs.hardware_usd_per_month is None), costs.usd_per_month)


def interactive_people(rows) -> dict[str, tuple[Workload, int]]:
    """The fleet's interactive workloads and how many machines carry each (MachineRow-like
    rows with .workloads)."""
    found: dict[str, tuple[Workload, int]] = {}
    for workloads in rows:
        for w in workloads:
            if w.access != "interactive":
                continue
            held = found.get(w.name)
            found[w.name] = (w, (held[1] if held else 0) + 1)
    return found
