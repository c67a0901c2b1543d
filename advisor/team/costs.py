"""What the shared servers cost a month, against the seats the team pays and against APIs.

USD a month. Each server: its price over its lifetime when the user gave one (--hardware-price
or the config: bought), electricity at load for the hours it serves and at idle for the rest of
the hours it stays on, and hosting if given. Without a price the hardware is left out, and
every total says so; a profile's list price is then shown for reference, with the payback it
would have at that price, but never counted as paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisor.workload import WEEKS_PER_MONTH

if TYPE_CHECKING:
    from advisor.advise import HardwareChoice
    from advisor.probe.power.draw import PowerDraw
    from advisor.team.demand import TeamDemand
    from advisor.verdict.cloud import CloudCosts
    from advisor.verdict.electricity import ElectricityRate
    from advisor.verdict.seats import SeatPlan

DAYS_PER_MONTH = 7 * WEEKS_PER_MONTH


@dataclass(frozen=True)
class Uptime:
    """How long the servers stay on (default: always, as a shared server does)."""

    hours_per_day: float = 24.0
    days_per_week: float = 7.0


@dataclass(frozen=True)
class ServerCosts:
    __pydantic_config__ = {"extra": "forbid"}  # read back from a report: no other keys

    servers: int
    hardware_usd_per_month: float | None  # None: no price given, left out of the total
    hardware_price_usd: float | None  # all servers together
    hardware_basis: str  # "flag", "config" (counted); "profile", "none" (not counted)
    list_price_usd: float | None  # one server's list price (the profile's), for reference
    lifetime_months: float
    busy_hours_per_day: float  # per server, on a working day
    on_hours_per_day: float
    load_watts: float
    idle_watts: float | None  # None: no idle figure known, idle hours not counted
    power_source: str
    idle_source: str
    kwh_per_month: float  # all servers
    electricity_usd_per_month: float
    hosting_usd_per_month: float  # all servers
    usd_per_month: float  # hardware (if priced) + electricity + hosting

    @property
    def running_usd_per_month(self) -> float:
        """Electricity and hosting: what it costs once it is paid for."""
        return self.electricity_usd_per_month + self.hosting_usd_per_month


@dataclass(frozen=True)
class Comparison:
    """The servers against what the team pays now and against per-token APIs."""

    seats: tuple[SeatPlan, ...]
    replaced: tuple[SeatPlan, ...]  # the plans serving the workload's task
    seats_usd_per_month: float | None  # all seats given; None: no seats given
    replaced_usd_per_month: float | None
    subscription_label: str | None  # without seats: the cheapest plan covering the team
    subscription_usd_per_month: float | None
    api_label: str | None
    api_usd_per_month: float | None  # the team's volume on the cheapest API meeting the floor
    saving_usd_per_month: float | None  # replaced seats minus the servers' monthly cost
    payback_months: float | None  # hardware price over (replaced seats − running costs)
    payback_at_list_months: float | None  # the same at the list price, when no price was given
    hardware_excluded: bool  # no hardware price: the saving leaves the servers' price out
    headline: str
    # Tasks the replaced plans also serve that this workload is not: the seats still serve them.
    other_tasks: tuple[str, ...] = ()


def server_costs(
    demand: TeamDemand,
    servers: int,
    busy_share: float,
    power: PowerDraw,
    rate: ElectricityRate,
    hardware: HardwareChoice,
    *,
    uptime: Uptime = Uptime(),
    hosting_usd_per_month: float = 0.0,
) -> ServerCosts:
    """`busy_share`: of a working hour one server spends serving, at the day's average rate."""
    w = demand.workload
    on = max(uptime.hours_per_day, w.hours_per_day)
    busy = busy_share * w.hours_per_day
    idle_watts = power.idle_watts
    work_days = w.days_per_week * WEEKS_PER_MONTH
    on_days = uptime.days_per_week * WEEKS_PER_MONTH
    busy_kwh = busy * power.watts / 1000 * work_days
    idle_kwh = 0.0
    if idle_watts is not None:
        idle_kwh = (on * on_days - busy * work_days) * idle_watts / 1000
    kwh = (busy_kwh + idle_kwh) * servers
    # Counted only when the user gave it: a list price says what the server costs new, not
    # that the team bought it (advisor.advise reads the flag and the config).
    price = hardware.hardware.price_usd if hardware.basis in ("flag", "config") else None
    total_price = None if price is None else price * servers
    lifetime = hardware.hardware.lifetime_months
    amortised = None if total_price is None else total_price / lifetime
    electricity = kwh * rate.usd_per_kwh
    hosting = hosting_usd_per_month * servers
    return ServerCosts(
        servers=servers,
        hardware_usd_per_month=amortised,
        hardware_price_usd=total_price,
        hardware_basis=hardware.basis,
        list_price_usd=hardware.list_price_usd,
        lifetime_months=lifetime,
        busy_hours_per_day=busy,
        on_hours_per_day=on,
        load_watts=power.watts,
        idle_watts=idle_watts,
        power_source=power.source,
        idle_source=power.idle_source
        or "no idle figure known for this machine: idle draw not counted",
        kwh_per_month=kwh,
        electricity_usd_per_month=electricity,
        hosting_usd_per_month=hosting,
        usd_per_month=(amortised or 0.0) + electricity + hosting,
    )


def compare(
    demand: TeamDemand,
    costs: ServerCosts,
    seats: tuple[SeatPlan, ...],
    cloud: CloudCosts,
    price_flag: str = "--hardware-price",
    cloud_ruled_out: str | None = None,
) -> Comparison:
    """`price_flag`: the flag the headline names when the hardware has no price;
    `cloud_ruled_out`: why the prompts may not leave (--no-cloud, `cloud: forbidden`), when
    they may not: no subscription or API is then offered, only the seats the team pays."""
    task = demand.workload.task
    replaced = tuple(p for p in seats if task in p.tasks)
    seats_usd = sum(p.usd_per_month for p in seats) if seats else None
    replaced_usd = sum(p.usd_per_month for p in replaced) if replaced else None
    sub = None if cloud_ruled_out else cloud.subscription
    api = None if cloud_ruled_out else cloud.cheapest_api
    saving = payback = at_list = None
    if replaced_usd is not None:
        saving = replaced_usd - costs.usd_per_month
        margin = replaced_usd - costs.running_usd_per_month
        if costs.hardware_price_usd is not None and margin > 0:
            payback = costs.hardware_price_usd / margin
        elif costs.list_price_usd is not None and margin > 0:
            at_list = costs.list_price_usd * costs.servers / margin
    from advisor.verdict.cloud import api_label

    return Comparison(
        seats=seats,
        replaced=replaced,
        seats_usd_per_month=seats_usd,
        replaced_usd_per_month=replaced_usd,
        subscription_label=f"{sub.product} {sub.plan} × {sub.seats}" if sub else None,
        subscription_usd_per_month=sub.usd_per_month if sub else None,
        api_label=api_label(api) if api else None,
        api_usd_per_month=api.usd_per_month if api else None,
        saving_usd_per_month=saving,
        payback_months=payback,
        payback_at_list_months=at_list,
        hardware_excluded=costs.hardware_usd_per_month is None,
        headline=_headline(
            demand, costs, seats, replaced, replaced_usd, saving, payback, price_flag
        )  # fmt: skip
        + _list_words(costs, at_list)
        + _api_words(costs, api)
        + _ruled_out_words(cloud_ruled_out),
        other_tasks=tuple(sorted({t for p in replaced for t in p.tasks} - {task})),
    )


def _list_words(costs: ServerCosts, at_list: float | None) -> str:
    if at_list is None or costs.list_price_usd is None:
        return ""
    return (
        f"; bought at the profile's list price ({costs.list_price_usd:,.0f} USD a server) it "
        f"would pay back in {at_list:,.1f} months"
    )


def _ruled_out_words(why: str | None) -> str:
    if why is None:
        return ""
    return f"; no cloud plan or API is compared: the prompts may not leave ({why})"


def _api_words(costs: ServerCosts, api) -> str:
    """Said whenever renting per token costs less than the servers do."""
    if api is None or api.usd_per_month >= costs.usd_per_month:
        return ""
    from advisor.verdict.cloud import api_label

    return (
        f"; but {api_label(api)} would serve the same volume for {api.usd_per_month:,.0f} USD "
        "a month"
    )


def _headline(demand, costs, seats, replaced, replaced_usd, saving, payback, price_flag) -> str:
    servers = "1 server costs" if costs.servers == 1 else f"{costs.servers} servers cost"
    total = f"{servers} {costs.usd_per_month:,.0f} USD a month"
    if costs.hardware_usd_per_month is None:
        total += f" (hardware excluded: no price given; pass {price_flag})"
    if not seats:
        return total + "; no seats given to compare with (--seats PLAN=N)"
    if not replaced:
        plans = ", ".join(p.label for p in seats)
        return f"{total}; the seats given ({plans}) do not cover {demand.workload.task} work"
    labels = " + ".join(f"{p.count} × {p.label}" for p in replaced)
    against = f"against {labels} at {replaced_usd:,.0f} USD"
    if saving is None:
        return f"{total} {against}"
    if saving <= 0:
        return f"{total}, {-saving:,.0f} more than {labels} ({replaced_usd:,.0f} USD)"
    text = f"{total}, {saving:,.0f} less than {labels} ({replaced_usd:,.0f} USD)"
    if payback is not None:
        text += f"; the hardware pays back in {payback:,.1f} months"
    if costs.hardware_usd_per_month is None:
        text += "; the saving leaves the servers' price out"
    return text
