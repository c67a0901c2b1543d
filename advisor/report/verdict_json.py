"""One verdict as the JSON report carries it: plain dicts, floats rounded for stable output."""

from __future__ import annotations

import dataclasses
from typing import Any

from advisor.verdict.cloud import CloudCosts
from advisor.verdict.cloud_basis import cloud_basis
from advisor.verdict.confidence import Confidence
from advisor.verdict.hybrid import HybridSplit
from advisor.verdict.options import LocalOption
from advisor.verdict.verdict import Verdict
from advisor.workload import Workload

DIGITS = 6  # significant digits kept: enough to check any figure, stable across platforms


def num(value: float | None) -> float | None:
    """A float rounded to DIGITS significant digits (None stays None)."""
    if value is None:
        return None
    return float(f"{value:.{DIGITS}g}")


def rounded(data: Any) -> Any:
    if isinstance(data, float):
        return num(data)
    if isinstance(data, dict):
        return {k: rounded(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [rounded(v) for v in data]
    return data


def workload_json(w: Workload) -> dict[str, Any]:
    """Every field: a later audit re-evaluates the verdict from these."""
    data = dataclasses.asdict(w)
    data["justification"] = dict(w.justification)
    return rounded(data)


def verdict_json(v: Verdict) -> dict[str, Any]:
    return {
        "workload": v.workload.name,
        "title": v.workload.title,
        "verdict": v.kind,
        "summary": v.summary,
        "reasons": list(v.reasons),
        "local_option": _option(v.option),
        "local_cost": _plain(v.local_cost),
        "hybrid": _hybrid(v.hybrid),
        "cloud": _cloud(v.cloud, v.workload.quality_index),
        "costs_usd_per_month": _plain(v.costs),
        "quality_gap": _plain(v.quality_gap),
        "break_even": _plain(v.break_even),
        "confidence": _confidence(v.confidence),
        "options_checked": v.options_checked,
        "rule": v.rule,
        "remedy": _plain(v.remedy),
    }


def _plain(obj: Any) -> dict[str, Any] | None:
    return None if obj is None else rounded(dataclasses.asdict(obj))


def _option(option: LocalOption | None) -> dict[str, Any] | None:
    if option is None:
        return None
    cand, run, est = option.candidate, option.run, option.candidate.estimate
    return rounded(
        {
            "model_id": cand.model_id,
            "model_name": cand.model_name,
            "quant": cand.quant,
            "placement": est.placement.kind,
            "gpu_layers": est.placement.gpu_layers,
            "fits": est.fits,
            "context_tokens": est.context_tokens,
            "memory_total_bytes": est.memory.total_bytes,
            "speed_status": cand.speed_status,
            "quality_index": cand.quality_index,
            "quality_estimated": cand.quality_estimated,
            "quality_note": cand.quality_note,
            "quality_pct_of_frontier": option.quality_pct,
            "decode_tokens_per_s": est.speed.decode_tokens_per_s if est.speed else None,
            "prefill_tokens_per_s": est.speed.prefill_tokens_per_s if est.speed else None,
            "run": dataclasses.asdict(run) if run else None,
            "power": dataclasses.asdict(cand.power),
            "checks": [dataclasses.asdict(c) for c in option.checks],
        }
    )


def _hybrid(h: HybridSplit | None) -> dict[str, Any] | None:
    if h is None:
        return None
    return rounded(
        {
            "local_share": h.local_share,
            "reason": h.reason,
            "why": h.why,
            "local_usd_per_month": h.local.usd_per_month,
            "local": dataclasses.asdict(h.local),
            "cloud_usd_per_month": h.cloud_usd_per_month,
            "cloud_path": h.cloud_label,
            "usd_per_month": h.usd_per_month,
        }
    )


def _cloud(c: CloudCosts, index: str) -> dict[str, Any]:
    return {
        "frontier": _plain(c.frontier),
        "frontier_index": num(c.frontier_index),
        "cheapest_api": _plain(c.cheapest_api),
        "subscription": _plain(c.subscription),
        "best_path": c.best_label,
        "best_usd_per_month": num(c.best_usd_per_month),
        "notes": list(c.notes),
        "basis": list(cloud_basis(c, index)),
    }


def _confidence(c: Confidence) -> dict[str, Any]:
    return {
        "level": c.level,
        "why": c.why,
        "measured": list(c.measured),
        "estimated": list(c.estimated),
        "inputs": [dataclasses.asdict(i) for i in c.inputs],
    }
