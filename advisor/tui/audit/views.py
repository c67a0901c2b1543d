"""What the audit view draws: table rows and charts from a FleetAudit, as rich renderables."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text

from advisor.audit.fleet import FleetAudit, MachineRow
from advisor.audit.render import present as p
from advisor.tui.charts import BarRow, Segment, bar_chart, stacked_bar
from advisor.tui.format import plain

BAR_CELLS = 20
STYLES = {"local": "green", "hybrid": "yellow", "cloud": "grey50", "not_viable": "red"}


def workload_rows(audit: FleetAudit) -> list[tuple]:
    """(title, machines, share bar, local, hybrid, cloud, not viable, models) per workload."""
    rows = []
    for w in audit.workloads:
        segments = [Segment(k, getattr(w, k), STYLES[k]) for k in STYLES]
        bar = stacked_bar(segments, float(w.machines or 1), BAR_CELLS)
        bar.append(f" {p.share(w.local, w.machines)}")
        models = ", ".join(f"{label} ({n})" for label, n in w.models[:3]) or "none"
        counts = (str(w.local), str(w.hybrid), str(w.cloud), str(w.not_viable))
        rows.append((w.title, str(w.machines), bar, *counts, models))
    return rows


def suggestion_rows(audit: FleetAudit) -> list[tuple[str, ...]]:
    """Best first (advisor.audit.fleet.UPGRADE_RANKING), each with the machines it is for."""
    return [
        (
            s.change.label,
            s.workload,
            str(s.machines),
            p.hosts_text(s.hosts, 3),
            p.price_text(s),
            p.money(s.saving_usd_per_month),
            p.payback_text(s),
        )
        for s in audit.suggestions
    ]


def upgrade_chart(audit: FleetAudit, width: int = 30) -> Table | Text | Group:
    if not audit.upgrades_checked:
        return Text("Upgrades not checked (--no-upgrades).")
    if not audit.suggestions:
        lines = ["No upgrade in the menu makes another workload viable locally."]
        lines += [f"- {p.unreached_text(u)}" for u in audit.unreached[:8]]
        return Text("\n".join(lines))
    rows = [
        BarRow(
            f"{s.change.label}: {s.workload}",
            float(s.machines),
            p.count(s.machines, "machine"),
            note=f"{p.price_text(s)}; payback {p.payback_text(s)}",
        )
        for s in audit.suggestions[:12]
    ]
    return bar_chart(rows, width)


def model_rows(audit: FleetAudit) -> list[tuple[str, ...]]:
    total = len(audit.machines)
    return [
        (
            m.model_name,
            ", ".join(m.quants),
            p.model_machines(m, total),
            ", ".join(m.workloads),
            p.spread(m.decode_tokens_per_s),
            p.spread(m.prefill_tokens_per_s),
        )
        for m in audit.models
    ]


def machine_rows(machines: Sequence[MachineRow]) -> list[tuple[str, ...]]:
    return [
        (
            p.machine_label(m),
            m.hardware.summary,
            f"{len(m.local)}/{len(m.outcomes)}",
            p.best_text(m),
            p.money(m.cost.today_usd_per_month),
            p.money(m.cost.with_local_usd_per_month),
        )
        for m in machines
    ]


def matches(row: MachineRow, text: str) -> bool:
    """Whether the machine filter `text` appears in the row's report, id, hardware or picks."""
    if not text:
        return True
    words = [row.origin, row.machine_id, row.name or "", row.hardware.summary]
    words += [p.pick_label(o) for o in row.outcomes]
    needle = text.lower()
    return any(needle in w.lower() for w in words)


def machine_detail(row: MachineRow) -> Group:
    head = plain(
        f"{p.machine_label(row)}  {row.machine_id}  (report of {row.generated_at})", style="bold"
    )
    table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
    for name in ("workload", "verdict", "model", "decode tok/s", "path USD/month", "cloud"):
        table.add_column(name)
    for o in row.outcomes:
        decode = p.speed(o.pick.decode_tokens_per_s) if o.pick else "n/a"
        table.add_row(
            plain(o.workload),
            Text(o.kind, style=STYLES[o.kind]),
            plain(p.pick_label(o)),
            decode,
            p.money(o.path_usd_per_month),
            plain(o.cloud_path or "none"),
        )
    return Group(head, plain(row.hardware.summary), table)


def cost_view(audit: FleetAudit, width: int = 40) -> Group:
    c = audit.cost
    rows = [
        BarRow("today", c.today_usd_per_month, p.money(c.today_usd_per_month), "grey50"),
        BarRow(
            "with local where viable",
            c.with_local_usd_per_month,
            p.money(c.with_local_usd_per_month),
            "green",
            note=f"saves {p.money(c.saving_usd_per_month)}",
        ),
    ]
    parts: list = [Text("Fleet cost, USD per month", style="bold"), bar_chart(rows, width)]
    for line in c.seats:
        plan = line.plan
        parts.append(
            Text(
                f"{plan.label}: {plan.count} seats × {p.money(plan.usd_per_seat)}; "
                f"{line.kept:.0f} kept with local models"
            )
        )
    if c.unpriced:
        parts.append(Text(f"{c.unpriced} machine × workload pairs have no priced cloud path."))
    parts.append(Text(f"How: {c.explanation}.", style="dim"))
    return Group(*parts)


def problem_rows(audit: FleetAudit) -> list[tuple[str, str]]:
    rows = [(s.origin, f"skipped: {s.reason}") for s in audit.skipped]
    rows += [(r.origin, f"replaced by the newer {r.newer}") for r in audit.replaced]
    return rows
