"""The JSON report: one document with the machine, measurements, candidates and verdicts.

Built from an Advice as plain dicts, without pydantic, so `advisor --json` stays fast; the
pydantic models in advisor/report/models.py describe the same document, generate its JSON
Schema, and tests check that real documents validate against it.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from advisor import __version__
from advisor.report import REPORT_KIND, SCHEMA_VERSION
from advisor.report.verdict_json import num, rounded, verdict_json, workload_json

if TYPE_CHECKING:
    from advisor.advise import Advice, TopCandidate


def build_document(advice: Advice, *, anonymize: bool = False, team=()) -> dict[str, Any]:
    """The report; `team` holds the shared-server plans (advisor.team) when --team asked."""
    from advisor.probe.profiles.serialize import machine_to_dict

    doc = {
        "schema_version": SCHEMA_VERSION,
        "kind": REPORT_KIND,
        "advisor_version": __version__,
        "catalog_version": advice.catalog_version,
        "generated_at": advice.generated_at,
        "currency": "USD",
        "anonymized": anonymize,
        "machine_id": advice.machine_id,
        "machine": machine_to_dict(advice.machine),
        "config_file": advice.config_path,
        "inputs": _inputs(advice),
        "measurements": _measurements(advice),
        "candidates": [candidate_json(c) for c in advice.candidates],
        "verdicts": [verdict_json(v) for v in advice.verdicts],
        "team": _team(team),
    }
    if anonymize:
        from advisor.report.anonymize import anonymized

        doc = anonymized(doc, advice.machine)
    return doc


def _team(team) -> list[dict[str, Any]]:
    if not team:
        return []
    from advisor.report.team_json import team_json

    return [team_json(t) for t in team]


def _inputs(advice: Advice) -> dict[str, Any]:
    """Everything besides the machine and measurements that a later re-evaluation needs."""
    rate, hw = advice.rate, advice.hardware
    return {
        "electricity": rounded(dataclasses.asdict(rate)),
        "hardware": {
            "price_usd": num(hw.hardware.price_usd),
            "lifetime_months": num(hw.hardware.lifetime_months),
            "counted": hw.hardware.counted,
            "basis": hw.basis,
            "list_price_usd": num(hw.list_price_usd),
        },
        "workloads": [workload_json(w) for w in advice.workloads],
    }


def _measurements(advice: Advice) -> list[dict[str, Any]]:
    if not advice.measurements:
        return []
    from advisor.bench.store.codec import measurement_to_dict

    return [rounded(measurement_to_dict(m)) for m in advice.measurements]


def candidate_json(c: TopCandidate) -> dict[str, Any]:
    return rounded(dataclasses.asdict(c))
