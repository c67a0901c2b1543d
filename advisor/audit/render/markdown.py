"""The audit as markdown: the same sections as the terminal table, for a wiki or a ticket."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from advisor.audit.fleet import UPGRADE_RANKING
from advisor.audit.render import present as p
from advisor.report.mdtext import md

if TYPE_CHECKING:
    from advisor.audit.fleet import FleetAudit, MachineRow


def render_markdown(audit: FleetAudit) -> str:
    out = ["# advisor audit", ""]
    out += [md(line) + "  " for line in p.headline(audit)] + [""]
    out += _section("Workloads: where each runs well locally", workload_rows(audit))
    out += _section("Fleet cost (USD per month)", cost_rows(audit))
    out += [md(f"How: {audit.cost.explanation}."), ""]
    out += _upgrades(audit)
    if audit.servers is not None:
        out += _section("Shared servers (USD per month)", p.server_rows(audit))
    out += _section("Models the fleet would run", model_rows(audit))
    out += _section("Machines: each one's best option", machine_rows(audit))
    out += _problems(audit)
    return "\n".join(out).rstrip() + "\n"


def _section(title: str, rows: list[Sequence[str]]) -> list[str]:
    out = [f"## {title}", ""]
    if len(rows) <= 1:
        return out + ["None.", ""]
    return out + table(rows) + [""]


def table(rows: list[Sequence[str]]) -> list[str]:
    head, *body = rows
    lines = ["| " + " | ".join(_cell(c) for c in head) + " |"]
    lines.append("|" + "|".join(" --- " for _ in head) + "|")
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in body]
    return lines


def _cell(text: str) -> str:
    return md(str(text)).replace("|", "\\|").replace("\n", " ")


def workload_rows(audit: FleetAudit) -> list[Sequence[str]]:
    rows: list[Sequence[str]] = [
        (
            "workload",
            "machines",
            "local",
            "hybrid",
            "cloud",
            "not viable",
            "viable locally",
            "with which model",
        )
    ]
    for w in audit.workloads:
        models = ", ".join(f"{label} ({n})" for label, n in w.models[:3]) or "none"
        rows.append(
            (
                w.title,
                str(w.machines),
                str(w.local),
                str(w.hybrid),
                str(w.cloud),
                str(w.not_viable),
                p.share(w.local, w.machines),
                models,
            )
        )
    return rows


def cost_rows(audit: FleetAudit) -> list[Sequence[str]]:
    c = audit.cost
    rows: list[Sequence[str]] = [("", "today", "with local", "saving")]
    for line in c.seats:
        plan = line.plan
        rows.append(
            (
                f"{plan.label}: {plan.count} seats × {p.money(plan.usd_per_seat)} "
                f"(kept: {line.kept:.0f})",
                p.money(line.today_usd_per_month),
                p.money(line.with_local_usd_per_month),
                p.money(line.today_usd_per_month - line.with_local_usd_per_month),
            )
        )
    if c.seats:
        rows.append(
            (
                "local running cost (electricity, counted hardware)",
                "",
                p.money(c.local_running_usd_per_month),
                "",
            )
        )
    rows.append(
        (
            "fleet",
            p.money(c.today_usd_per_month),
            p.money(c.with_local_usd_per_month),
            p.money(c.saving_usd_per_month),
        )
    )
    if c.unpriced:
        rows.append(
            (
                f"{c.unpriced} machine × workload pairs have no priced cloud path and are left out",
                "",
                "",
                "",
            )
        )
    return rows


def upgrade_rows(audit: FleetAudit, hosts: int | None = None) -> list[Sequence[str]]:
    """Best first (see advisor.audit.fleet.UPGRADE_RANKING); `hosts`: how many report names
    the "for" column lists before "and N more" (None: all)."""
    rows: list[Sequence[str]] = [
        (
            "change",
            "kind",
            "workload made viable",
            "machines",
            "for",
            "price",
            "saving a month",
            "saving per 100 USD",
            "payback",
        )
    ]
    for s in audit.suggestions:
        rows.append(
            (
                s.change.label,
                p.change_kind(s),
                s.workload,
                str(s.machines),
                p.hosts_text(s.hosts, hosts),
                p.price_text(s),
                p.money(s.saving_usd_per_month),
                p.per_100_usd(s),
                p.payback_text(s),
            )
        )
    return rows


def unreached_rows(audit: FleetAudit, hosts: int | None = None) -> list[Sequence[str]]:
    rows: list[Sequence[str]] = [("workload", "machines", "for", "why no upgrade makes it local")]
    for u in audit.unreached:
        rows.append((u.workload, str(u.machines), p.hosts_text(u.hosts, hosts), u.reason))
    return rows


UNREACHED_TITLE = "Workloads no upgrade makes local"


def _upgrades(audit: FleetAudit) -> list[str]:
    title = "Upgrade suggestions"
    if not audit.upgrades_checked:
        return [f"## {title}", "", "Not checked (--no-upgrades).", ""]
    out = _section(title, upgrade_rows(audit))
    if audit.suggestions:
        out += [md(f"Order: {UPGRADE_RANKING}."), ""]
    out += [md(f"- {s.text} ({p.price_text(s)}).") for s in audit.suggestions[:10]]
    sourced = {
        s.change.label: s.change.price_source for s in audit.suggestions if s.change.price_source
    }
    out += [""] + [md(f"Price of {label}: {source}.") for label, source in sourced.items()]
    if audit.unreached:
        out += [""] + _section(UNREACHED_TITLE, unreached_rows(audit))
    return out + [""]


def model_rows(audit: FleetAudit) -> list[Sequence[str]]:
    total = len(audit.machines)
    rows: list[Sequence[str]] = [
        ("model", "quants", "machines", "workloads", "decode tok/s", "prefill tok/s", "placement")
    ]
    for m in audit.models:
        where = ", ".join(f"{k} {n}" for k, n in m.placements)
        rows.append(
            (
                m.model_name,
                ", ".join(m.quants),
                p.model_machines(m, total),
                ", ".join(m.workloads),
                p.spread(m.decode_tokens_per_s),
                p.spread(m.prefill_tokens_per_s),
                where,
            )
        )
    return rows


def machine_rows(audit: FleetAudit, limit: int | None = None) -> list[Sequence[str]]:
    """The header and a row per machine (the first `limit` machines, when given)."""
    rows: list[Sequence[str]] = [
        ("report", "machine id", "hardware", "best option", "today", "with local")
    ]
    # Machines of one configuration share their hardware, outcomes and cost objects: their
    # cells are made once.
    shared: dict[int, tuple[object, object, tuple[str, ...]]] = {}
    for m in audit.machines[:limit]:
        held = shared.get(id(m.outcomes))
        if held is None or held[0] is not m.hardware or held[1] is not m.cost:
            held = shared[id(m.outcomes)] = (m.hardware, m.cost, _machine_cells(m))
        rows.append((p.machine_label(m), m.machine_id, *held[2]))
    return rows


def _machine_cells(m: MachineRow) -> tuple[str, ...]:
    """A machine's hardware, best option, cost today and with local."""
    today, with_local = m.cost.today_usd_per_month, m.cost.with_local_usd_per_month
    return (m.hardware.summary, p.best_text(m), p.money(today), p.money(with_local))


def _problems(audit: FleetAudit) -> list[str]:
    out = []
    if audit.skipped:
        out += [f"## Skipped reports ({len(audit.skipped)})", ""]
        out += table([("report", "reason"), *((s.origin, s.reason) for s in audit.skipped)])
        out.append("")
    if audit.replaced:
        out += [f"## Replaced by a newer report of the same machine ({len(audit.replaced)})", ""]
        out += table(
            [
                ("report", "machine id", "newer report"),
                *((r.origin, r.machine_id, r.newer) for r in audit.replaced),
            ]
        )
        out.append("")
    return out
