"""The audit as one JSON document (`advisor audit --format json`). Amounts are USD per month."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pydantic_core import to_json

from advisor.audit.fleet import UPGRADE_RANKING
from advisor.console import Printable, printable
from advisor.report.verdict_json import num, rounded

if TYPE_CHECKING:
    from advisor.audit.costs import MachineCost
    from advisor.audit.evaluate import Outcome
    from advisor.audit.fleet import (
        FleetAudit,
        MachineHardware,
        MachineRow,
        ModelRow,
        Suggestion,
    )

AUDIT_KIND = "advisor-audit"
# 2: shared_servers. 3: upgrades.ranking and .unreached; each effect's reports, saving per USD,
# payback and whether it pays back within the hardware's life; changes in ranking order.
# 4: workloads[].not_viable (machines where a workload that may not leave the building has no
# local option); such a workload has no cloud price (cost.unpriced counts it).
AUDIT_SCHEMA_VERSION = 4


def render_json(audit: FleetAudit) -> Printable:
    """`audit_document` as pydantic-core writes it with indent=2, without control characters
    (console.printable), written piece by piece: each configuration's outcomes, hardware and
    cost once, then per machine only its four strings. A 10,000-machine fleet's document is
    60 MB; serializing and cleaning it whole took about 1.5 s."""
    return Printable("".join(json_pieces(audit)))


# Machines per piece json_pieces gives: about 1.7 MB of a fleet's document.
MACHINES_PER_PIECE = 256


def json_pieces(audit: FleetAudit) -> Iterator[Printable]:
    """render_json's text in pieces of a few hundred machines, each clean (console.Printable)
    and given as soon as it is made: a writer can write one while the next is made."""
    head = _block(_head(audit)).removesuffix("\n}") + ',\n  "machines": '
    for i, piece in enumerate(_machines_text(audit.machines)):
        yield Printable(head + piece if i == 0 else piece)
    yield Printable(",\n" + _block(_tail(audit)).removeprefix("{\n") + "\n")


def audit_document(audit: FleetAudit) -> dict[str, Any]:
    return {**_head(audit), "machines": _machines(audit.machines), **_tail(audit)}


def _head(audit: FleetAudit) -> dict[str, Any]:
    """The document's keys before "machines"."""
    return {
        "kind": AUDIT_KIND,
        "schema_version": AUDIT_SCHEMA_VERSION,
        "advisor_version": audit.advisor_version,
        "catalog_version": audit.catalog_version,
        "generated_at": audit.generated_at,
        "currency": "USD",
        "notes": list(audit.notes),
        "reports": {
            "read": audit.reports_read,
            "machines": len(audit.machines),
            "configurations": audit.configurations,
            "evaluations": audit.evaluations,
            "replaced": [
                {"report": r.origin, "machine_id": r.machine_id, "newer": r.newer}
                for r in audit.replaced
            ],
            "skipped": [{"report": s.origin, "reason": s.reason} for s in audit.skipped],
        },
        "workloads": [_workload(w) for w in audit.workloads],
        "models": [_model(m) for m in audit.models],
    }


def _tail(audit: FleetAudit) -> dict[str, Any]:
    """The document's keys after "machines"."""
    return {
        "cost": _cost(audit),
        "upgrades": {
            "checked": audit.upgrades_checked,
            "ranking": UPGRADE_RANKING,
            "changes": _changes(audit.suggestions),
            "unreached": [
                {
                    "workload": u.workload,
                    "machines": u.machines,
                    "machine_ids": list(u.machine_ids),
                    "reports": list(u.hosts),
                    "reason": u.reason,
                }
                for u in audit.unreached
            ],
        },
        "shared_servers": _servers(audit),
    }


def _block(value: Any, depth: int = 0) -> str:
    """`value` as JSON with indent=2, for a place `depth` levels deep, cleaned."""
    text = printable(to_json(value, indent=2).decode("utf-8"))
    return text.replace("\n", "\n" + "  " * depth) if depth else text


def _string(value: str | None) -> str:
    """`value` as JSON, cleaned; printable ASCII without a quote or backslash (most names
    and paths) is written as it is, as the serializer would write it."""
    if value is None:
        return "null"
    if value.isascii() and value.isprintable() and '"' not in value and "\\" not in value:
        return '"' + value + '"'
    return printable(to_json(value).decode("utf-8"))


def _machines_text(machines: tuple[MachineRow, ...]) -> Iterator[str]:
    """The "machines" list as `_block(_machines(machines), 1)` writes it, in pieces of
    MACHINES_PER_PIECE machines: what machines of one configuration share (outcome objects,
    hardware, cost) is written once."""
    if not machines:
        yield "[]"
        return
    shared: dict[int, Any] = {}  # id of a row's outcomes, hardware or cost -> its text

    def once(key: object, make, value: Any) -> Any:
        found = shared.get(id(key))
        if found is None:
            found = shared[id(key)] = make(value)
        return found

    out = ["[\n"]
    add = out.append
    for i, m in enumerate(machines):
        if i and not i % MACHINES_PER_PIECE:
            yield "".join(out)
            out.clear()
        best, outcomes = once(m.outcomes, _outcomes_text, m)
        add(',\n    {\n      "report": ' if i else '    {\n      "report": ')
        add(_string(m.origin))
        add(',\n      "machine_id": ')
        add(_string(m.machine_id))
        add(',\n      "name": ')
        add(_string(m.name))
        add(',\n      "generated_at": ')
        add(_string(m.generated_at))
        add(',\n      "hardware": ')
        add(once(m.hardware, _hardware_text, m.hardware))
        add(',\n      "best": ')
        add(best)
        add(',\n      "cost": ')
        add(once(m.cost, _cost_text, m.cost))
        add(',\n      "workloads": ')
        add(outcomes)
        add("\n    }")
    add("\n  ]")
    yield "".join(out)


def _hardware_text(hw: MachineHardware) -> str:
    return _block(_hardware(hw), 3)


def _cost_text(cost: MachineCost) -> str:
    return _block(_machine_cost(cost), 3)


def _outcomes_text(m: MachineRow) -> tuple[str, str]:
    """A row's best outcome and its outcomes list, as `_block(..., 3)` writes them."""
    best = m.best
    first = _block(outcome_json(best), 3) if best else "null"
    return first, _block([outcome_json(o) for o in m.outcomes], 3)


def _servers(audit: FleetAudit) -> dict[str, Any] | None:
    """The shared-server plans, each as the report's `team` entries carry them."""
    servers = audit.servers
    if servers is None:
        return None
    from advisor.report.team_json import team_json

    return {
        "profiles": list(servers.profiles),
        "headline": servers.headline,
        "workloads": [
            {
                "workload": w.workload,
                "title": w.title,
                "people": w.people,
                "best": w.best.profile if w.best else None,
                "options": [{"profile": o.profile, **team_json(o.advice)} for o in w.options],
            }
            for w in servers.workloads
        ],
    }


def _workload(w) -> dict[str, Any]:
    return rounded(
        {
            "name": w.name,
            "title": w.title,
            "machines": w.machines,
            "local": w.local,
            "hybrid": w.hybrid,
            "cloud": w.cloud,
            "not_viable": w.not_viable,
            "local_share": w.local_share,
            "models": [{"model": label, "machines": n} for label, n in w.models],
        }
    )


def _range(values: tuple[float, float, float] | None) -> dict[str, float] | None:
    if values is None:
        return None
    return dict(zip(("min", "median", "max"), values, strict=True))


def _model(m: ModelRow) -> dict[str, Any]:
    return rounded(
        {
            "model_id": m.model_id,
            "model_name": m.model_name,
            "quants": list(m.quants),
            "machines": len(m.machine_ids),
            "machine_ids": list(m.machine_ids),
            "workloads": list(m.workloads),
            "placements": dict(m.placements),
            "decode_tokens_per_s": _range(m.decode_tokens_per_s),
            "prefill_tokens_per_s": _range(m.prefill_tokens_per_s),
        }
    )


def outcome_json(o: Outcome) -> dict[str, Any]:
    p = o.pick
    pick = None
    if p is not None:
        pick = {
            "model_id": p.model_id,
            "model_name": p.model_name,
            "quant": p.quant,
            "placement": p.placement,
            "decode_tokens_per_s": num(p.decode_tokens_per_s),
            "prefill_tokens_per_s": num(p.prefill_tokens_per_s),
            "time_to_first_token_s": num(p.time_to_first_token_s),
            "speed_status": p.speed_status,
            "quality_pct": num(p.quality_pct),
            "passed": p.passed,
        }
    return {
        "workload": o.workload,
        "kind": o.kind,
        "summary": o.summary,
        "pick": pick,
        "local_usd_per_month": num(o.local_usd_per_month),
        "hybrid_usd_per_month": num(o.hybrid_usd_per_month),
        "hybrid_local_usd_per_month": num(o.hybrid_local_usd_per_month),
        "local_share": num(o.local_share),
        "cloud_usd_per_month": num(o.cloud_usd_per_month),
        "cloud_path": o.cloud_path,
        "confidence": o.confidence,
        "path_usd_per_month": num(o.path_usd_per_month),
    }


def _machines(machines: tuple[MachineRow, ...]) -> list[dict[str, Any]]:
    """Machines of one configuration share their outcome objects: each is converted once."""
    seen: dict[int, dict[str, Any]] = {}

    def once(o: Outcome) -> dict[str, Any]:
        found = seen.get(id(o))
        if found is None:
            found = seen[id(o)] = outcome_json(o)
        return found

    return [_machine(m, once) for m in machines]


def _machine(m: MachineRow, once) -> dict[str, Any]:
    best = m.best
    return {
        "report": m.origin,
        "machine_id": m.machine_id,
        "name": m.name,
        "generated_at": m.generated_at,
        "hardware": _hardware(m.hardware),
        "best": once(best) if best else None,
        "cost": _machine_cost(m.cost),
        "workloads": [once(o) for o in m.outcomes],
    }


def _hardware(hw: MachineHardware) -> dict[str, Any]:
    return {"cpu": hw.cpu, "ram_gb": hw.ram_gb, "gpus": list(hw.gpus), "backend": hw.backend}


def _machine_cost(cost: MachineCost) -> dict[str, Any]:
    return {
        "today_usd_per_month": num(cost.today_usd_per_month),
        "with_local_usd_per_month": num(cost.with_local_usd_per_month),
        "seats_freed": list(cost.seats_freed),
    }


def _cost(audit: FleetAudit) -> dict[str, Any]:
    c = audit.cost
    return rounded(
        {
            "basis": c.basis,
            "today_usd_per_month": c.today_usd_per_month,
            "with_local_usd_per_month": c.with_local_usd_per_month,
            "saving_usd_per_month": c.saving_usd_per_month,
            "local_running_usd_per_month": c.local_running_usd_per_month,
            "unpriced": c.unpriced,
            "seats": [
                {
                    **dataclasses.asdict(line.plan),
                    "kept": line.kept,
                    "today_usd_per_month": line.today_usd_per_month,
                    "with_local_usd_per_month": line.with_local_usd_per_month,
                }
                for line in c.seats
            ],
            "explanation": c.explanation,
        }
    )


def _changes(suggestions: tuple[Suggestion, ...]) -> list[dict[str, Any]]:
    """Suggestions grouped by change, in the order of their best-ranked effect."""
    grouped: dict[Any, list[Suggestion]] = defaultdict(list)
    for s in suggestions:
        grouped[s.change].append(s)
    return [
        rounded(
            {
                "change": change.label,
                "kind": change.kind,
                "size_gb": change.size_gb,
                "spec_name": change.spec_name,
                "unit_price_usd": change.unit_price_usd,
                "price_source": change.price_source,
                "effects": [
                    {
                        "workload": s.workload,
                        "machines": s.machines,
                        "machine_ids": list(s.machine_ids),
                        "reports": list(s.hosts),
                        "total_price_usd": s.total_price_usd,
                        "saving_usd_per_month": s.saving_usd_per_month,
                        "saving_usd_per_month_per_usd": _finite(s.saving_per_usd),
                        "payback_months": s.payback_months,
                        "lifetime_months": s.lifetime_months,
                        "pays_back": s.pays_back,
                        "text": s.text,
                    }
                    for s in items
                ],
            }
        )
        for change, items in grouped.items()
    ]


def _finite(value: float | None) -> float | None:
    """JSON has no infinity: a free upgrade's saving per USD is null (its price says 0)."""
    return None if value is None or value == float("inf") else value
