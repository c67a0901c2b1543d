"""The audit as CSV: one row per machine and workload, for a spreadsheet. Amounts in USD/month.

The fleet-level figures (shares, costs, upgrades) are sums and counts of these rows, plus the
upgrade each row could take (in the upgrades' ranking order), or why none makes it local; the
JSON and markdown formats carry them ready-made.
"""

from __future__ import annotations

import csv
import io
import re
from typing import TYPE_CHECKING

from advisor.report.verdict_json import num

if TYPE_CHECKING:
    from advisor.audit.evaluate import Outcome
    from advisor.audit.fleet import FleetAudit, MachineHardware

COLUMNS = (
    "report",
    "machine_id",
    "machine_name",
    "cpu",
    "ram_gb",
    "gpus",
    "backend",
    "generated_at",
    "workload",
    "verdict",
    "model_id",
    "model",
    "quant",
    "placement",
    "decode_tokens_per_s",
    "prefill_tokens_per_s",
    "time_to_first_token_s",
    "speed_status",
    "quality_pct_of_frontier",
    "local_share",
    "local_usd_per_month",
    "hybrid_usd_per_month",
    "cloud_usd_per_month",
    "cloud_path",
    "path_usd_per_month",
    "confidence",
    "upgrades",
    "no_upgrade_reason",
)


def render_csv(audit: FleetAudit) -> str:
    upgrades = _upgrades_by_row(audit)
    unreached = {(m, u.workload): u.reason for u in audit.unreached for m in u.machine_ids}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    # Machines of one configuration share their hardware and outcome objects: their cells
    # are made once (a 10,000-machine fleet has 60,000 rows and some 1,800 distinct outcomes).
    shared: dict[int, list[str]] = {}
    for row in audit.machines:
        hardware = shared.get(id(row.hardware))
        if hardware is None:
            hardware = shared[id(row.hardware)] = _hardware_cells(row.hardware)
        head = [inert(row.origin), inert(row.machine_id), inert(row.name or ""), *hardware,
                inert(row.generated_at)]  # fmt: skip
        for outcome in row.outcomes:
            cells = shared.get(id(outcome))
            if cells is None:
                cells = shared[id(outcome)] = _outcome_cells(outcome)
            found = upgrades.get((row.machine_id, outcome.workload), [])
            why = unreached.get((row.machine_id, outcome.workload), "")
            writer.writerow([*head, *cells, inert("; ".join(found)), inert(why)])
    return out.getvalue()


# A cell a spreadsheet would run as a formula (OWASP "CSV injection"): =, +, -, @, and tab or
# carriage return, which some spreadsheets skip before looking for one.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(\.\d+)?(e[+-]?\d+)?")


def inert(cell: str) -> str:
    """`cell`, with a leading apostrophe when a spreadsheet would take it for a formula (the
    apostrophe shows the text as text); a negative number stays a number."""
    if cell.startswith(_FORMULA_START) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def _upgrades_by_row(audit: FleetAudit) -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for s in audit.suggestions:
        for machine_id in s.machine_ids:
            found.setdefault((machine_id, s.workload), []).append(s.change.label)
    return found


def _hardware_cells(hw: MachineHardware) -> list[str]:
    """The cpu, ram_gb, gpus and backend columns."""
    return [inert(c) for c in (hw.cpu or "", _n(hw.ram_gb), " + ".join(hw.gpus), hw.backend)]


def _outcome_cells(o: Outcome) -> list[str]:
    """The columns from workload to confidence."""
    p = o.pick
    cells = [
        o.workload,
        o.kind,
        p.model_id if p else "",
        p.model_name if p else "",
        p.quant if p else "",
        p.placement if p else "",
        _n(p.decode_tokens_per_s if p else None),
        _n(p.prefill_tokens_per_s if p else None),
        _n(p.time_to_first_token_s if p else None),
        p.speed_status if p else "",
        _n(p.quality_pct if p else None),
        _n(o.local_share),
        _n(o.local_usd_per_month),
        _n(o.hybrid_usd_per_month),
        _n(o.cloud_usd_per_month),
        o.cloud_path or "",
        _n(o.path_usd_per_month),
        o.confidence,
    ]
    return [inert(c) for c in cells]


def _n(value: float | None) -> str:
    return "" if value is None else f"{num(value):g}"
