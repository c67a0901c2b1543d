"""team_advice(): the one call front ends use for a team's shared server, like advise().

It scales a workload to the team, plans the servers (advisor.team.plan), prices them against
the seats and APIs (advisor.team.costs) and writes the engines' commands (advisor.team.engines).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from advisor.team.costs import Comparison, ServerCosts, Uptime, compare, server_costs
from advisor.team.demand import TeamDemand, team_demand
from advisor.team.engines import EngineConfig, across_nodes, engine_configs, scale_out
from advisor.team.plan import TeamPlan, plan_team

if TYPE_CHECKING:
    from advisor.advice_options import AdviceOptions
    from advisor.catalog.model import Catalog
    from advisor.probe.machine import Machine
    from advisor.team.server import BatchModelFor
    from advisor.verdict.electricity import ElectricityRate
    from advisor.verdict.seats import SeatPlan
    from advisor.workload import Workload


@dataclass(frozen=True)
class TeamOptions:
    users: int
    peak_factor: float | None = None  # None: the workload's, else the stated assumption
    seats: tuple[SeatPlan, ...] = ()
    hosting_usd_per_month: float = 0.0  # per server
    uptime: Uptime = field(default_factory=Uptime)
    price_flag: str = "--hardware-price"  # the flag that prices the hardware, for the hints


@dataclass(frozen=True)
class TeamAdvice:
    machine_name: str
    backend: str
    demand: TeamDemand
    plan: TeamPlan
    costs: ServerCosts | None  # None without a plan
    comparison: Comparison | None
    configs: tuple[EngineConfig, ...]
    scale_out: tuple[str, ...]  # how to run several servers, or split one model across them
    notes: tuple[str, ...]


def team_advice(
    machine: Machine,
    catalog: Catalog,
    workload: Workload,
    team: TeamOptions,
    options: AdviceOptions,
    *,
    batch_model: BatchModelFor | None = None,
) -> TeamAdvice:
    from advisor.advise import electricity_rate, hardware_choice
    from advisor.probe.power.draw import resolve_power
    from advisor.verdict.cloud import cloud_costs

    demand = team_demand(workload, team.users, team.peak_factor)
    cloud = cloud_costs(demand.workload, catalog)
    plan = plan_team(machine, catalog, demand, cloud.frontier_index, batch_model=batch_model)
    run = plan.choice
    ruled_out = _cloud_ruled_out(workload, options)
    # The catalog's plans and APIs are offered only where the prompts may leave.
    notes = [f"peak factor {demand.peak_words}", *(() if ruled_out else cloud.notes)]
    if run is None:
        lines = _without_plan(machine, catalog, plan)
        return TeamAdvice(
            machine.name, machine.backend, demand, plan, None, None, (), lines, tuple(notes)
        )
    power = resolve_power(machine)
    costs = server_costs(
        demand,
        run.servers,
        run.average_busy_share,
        power,
        electricity_rate(catalog, options),
        hardware_choice(machine, options),
        uptime=team.uptime,
        hosting_usd_per_month=team.hosting_usd_per_month,
    )
    model = catalog.find(run.model_id)
    assert model is not None  # the plan came from this catalog
    configs = engine_configs(machine, model, run)
    return TeamAdvice(
        machine_name=machine.name,
        backend=machine.backend,
        demand=demand,
        plan=plan,
        costs=costs,
        comparison=compare(demand, costs, team.seats, cloud, team.price_flag, ruled_out),
        configs=configs,
        scale_out=scale_out(run, configs),
        notes=tuple(notes),
    )


def _cloud_ruled_out(workload: Workload, options: AdviceOptions) -> str | None:
    """Why the team's prompts may not leave, as advise() reads it; None when they may."""
    if options.no_cloud:
        return "--no-cloud"
    if workload.cloud == "forbidden":
        return f"the {workload.name} workload says cloud: forbidden"
    return None


def _without_plan(machine: Machine, catalog: Catalog, plan: TeamPlan) -> tuple[str, ...]:
    room = plan.no_room
    if room is None:
        return ()
    model = catalog.find(room.model_id)
    return across_nodes(machine, model, room.context_needed_tokens) if model else ()


def dated_facts(
    advice: TeamAdvice, catalog: Catalog, rate: ElectricityRate
) -> list[tuple[str, str | None, str]]:
    """The dated prices and scores a team plan rests on (advisor.verdict.staleness), `rate`
    being the electricity price its running cost was worked out with."""
    from advisor.verdict.staleness import team_facts

    seats = advice.comparison.seats if advice.comparison is not None else ()
    choice = advice.plan.choice
    return team_facts(
        seats,
        advice.demand.workload,
        choice.model_id if choice is not None else None,
        rate if advice.costs is not None else None,
        catalog,
    )
