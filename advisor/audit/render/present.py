"""Words and numbers every audit rendering shares: labels, amounts, speeds, shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from advisor.report.fmt import usd

if TYPE_CHECKING:
    from advisor.audit.evaluate import Outcome
    from advisor.audit.fleet import FleetAudit, MachineRow, ModelRow, Suggestion, Unreached

# Columns of the audit's tables that hold numbers (aligned right).
NUMERIC_COLUMNS = frozenset(
    {
        "machines",
        "local",
        "hybrid",
        "cloud",
        "not viable",
        "viable locally",
        "today",
        "with local",
        "saving",
        "saving a month",
        "saving per 100 USD",
        "payback",
        "price",
        "people",
        "servers",
        "TTFT p95",
        "decode p5",
        "USD/month",
        "seats replaced",
        "cheapest API",
    }
)
KIND_WORDS = {"ram": "more RAM", "vram": "the same GPU with more memory", "gpu": "a GPU"}


def count(number: int, noun: str) -> str:
    """'1 machine', '12 machines', '1,024 reports'."""
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def money(value: float | None) -> str:
    """USD with no currency word: the renderings say once that amounts are USD a month."""
    return "unknown" if value is None else usd(value)


def share(part: int, whole: int) -> str:
    return "n/a" if not whole else f"{part / whole:.0%}"


def speed(value: float | None) -> str:
    if value is None:
        return "unknown"
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def spread(values: tuple[float, float, float] | None) -> str:
    """'33 (6.1-35)' as median (min-max), or one figure when they agree."""
    if values is None:
        return "unknown"
    low, mid, high = values
    if round(low, 1) == round(high, 1):
        return speed(mid)
    return f"{speed(mid)} ({speed(low)}-{speed(high)})"


def pick_label(outcome: Outcome | None) -> str:
    if outcome is None or outcome.pick is None:
        return "none"
    return f"{outcome.pick.model_name} {outcome.pick.quant}"


def machine_label(row: MachineRow) -> str:
    """The report's file name (with its line for JSON lines): it tells IT which machine it is."""
    from advisor.audit.fleet import host_label

    return host_label(row)


def best_text(row: MachineRow) -> str:
    best = row.best
    if best is None or best.pick is None:
        kinds = {o.kind for o in row.outcomes}
        if kinds == {"not_viable"}:
            return "not viable here for every workload (the cloud is ruled out)"
        if "not_viable" in kinds:
            return "cloud or, where the cloud is ruled out, not viable here for every workload"
        return "cloud for every workload"
    pick = best.pick
    where = {"gpu": "GPU", "partial": "GPU+CPU", "cpu": "CPU"}.get(pick.placement, pick.placement)
    local = len(row.local)
    count = f"local for {local} of {len(row.outcomes)} workloads"
    if best.kind == "hybrid":
        count = f"hybrid ({best.local_share or 0:.0%} local) for {best.workload}"
    return f"{pick_label(best)} on {where}, {speed(pick.decode_tokens_per_s)} tok/s; {count}"


def outcome_text(o: Outcome) -> str:
    if o.kind == "local":
        return f"local: {pick_label(o)}"
    if o.kind == "hybrid":
        return f"hybrid: {o.local_share or 0:.0%} on {pick_label(o)}"
    if o.kind == "not_viable":
        return "not viable here (the cloud is ruled out)"
    return "cloud"


def model_machines(row: ModelRow, total: int) -> str:
    return f"{len(row.machine_ids)} ({share(len(row.machine_ids), total)})"


def price_text(s: Suggestion) -> str:
    total = s.total_price_usd
    if total is None:
        return "price unknown"
    if s.machines == 1:
        return f"{money(total)} USD"
    return f"{money(total)} USD ({money(s.change.unit_price_usd)} each)"


def hosts_text(hosts: Sequence[str], limit: int | None = None) -> str:
    """The machines by report name: 'a.json, b.json and 38 more' past `limit` names."""
    if limit is None or len(hosts) <= limit:
        return ", ".join(hosts)
    return f"{', '.join(hosts[:limit])} and {len(hosts) - limit:,} more"


def per_100_usd(s: Suggestion) -> str:
    """The ranking figure: USD saved a month per 100 USD of the upgrade."""
    value = s.saving_per_usd
    if value is None:
        return "price unknown"
    return "free" if value == float("inf") else f"{value * 100:.2f}"


def payback_text(s: Suggestion) -> str:
    """'4.2 months', or why it does not pay back within the hardware's life."""
    if s.total_price_usd is None:
        return "price unknown"
    months = s.payback_months
    if months is None:
        return "never: no saving"
    text = f"{months:,.1f} months" if months < 100 else f"{months:,.0f} months"
    if not s.pays_back:
        text += f", beyond its {s.lifetime_months:g}-month life"
    return text


def unreached_text(u: Unreached) -> str:
    return f"{u.workload} on {count(u.machines, 'machine')}: {u.reason}"


def change_kind(s: Suggestion) -> str:
    return KIND_WORDS[s.change.kind]


def headline(audit: FleetAudit) -> list[str]:
    """Two or three sentences for the top of every rendering."""
    cost = audit.cost
    lines = [
        f"{count(len(audit.machines), 'machine')} from {count(audit.reports_read, 'report')} "
        f"({count(audit.configurations, 'distinct configuration')}), judged with catalog "
        f"{audit.catalog_version}; {len(audit.skipped)} report(s) skipped, "
        f"{len(audit.replaced)} replaced by a newer report of the same machine.",
        f"Fleet cost per month: {money(cost.today_usd_per_month)} today, "
        f"{money(cost.with_local_usd_per_month)} with local models where viable "
        f"(saves {money(cost.saving_usd_per_month)}). Amounts are USD per month.",
    ]
    if audit.suggestions:
        top = audit.suggestions[0]
        pays = ""
        if top.pays_back:
            pays = f"; pays back in {payback_text(top)}"
        elif top.pays_back is False:
            pays = f"; does not pay back: {payback_text(top)}"
        lines.append(f"Top upgrade: {top.text} ({price_text(top)}{pays}).")
    elif audit.upgrades_checked and audit.unreached:
        lines.append(
            "No upgrade the audit tries makes another workload local; "
            f"{unreached_text(audit.unreached[0])}."
        )
    if audit.servers is not None and audit.servers.headline:
        lines.append(f"Shared servers: {audit.servers.headline}.")
    lines += [f"Note: {note}." for note in audit.notes]
    return lines


SERVER_COLUMNS = (
    "workload",
    "people",
    "server",
    "plan",
    "servers",
    "TTFT p95",
    "decode p5",
    "USD/month",
    "seats replaced",
    "cheapest API",
)


def server_rows(audit: FleetAudit) -> list[Sequence[str]]:
    """One row per workload × server profile tried, cheapest plan first."""
    rows: list[Sequence[str]] = [SERVER_COLUMNS]
    if audit.servers is None:
        return rows
    for w in audit.servers.workloads:
        for option in w.options:
            rows.append(_server_row(w, option))
    return rows


def _server_row(w, option) -> tuple[str, ...]:
    a = option.advice
    run, costs, cmp = a.plan.choice, a.costs, a.comparison
    if run is None or costs is None or cmp is None:
        why = "no plan: nothing good enough fits" if a.plan.no_room else "no plan meets the peak"
        return (w.title, str(w.people), option.profile, why, "", "", "", "", "", "")
    total = money(costs.usd_per_month)
    if costs.hardware_usd_per_month is None:
        total += " (hardware excluded)"
    q = run.queue
    return (
        w.title,
        str(w.people),
        option.profile,
        f"{run.model_name} {run.quant}, {run.slots} slots",
        str(run.servers),
        f"{q.ttft_p95_s:.1f} s",
        f"{q.decode_p5_tokens_per_s:.0f} tok/s",
        total,
        money(cmp.replaced_usd_per_month) if cmp.replaced_usd_per_month is not None else "none",
        money(cmp.api_usd_per_month) if cmp.api_usd_per_month is not None else "none",
    )
