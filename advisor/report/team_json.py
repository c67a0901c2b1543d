"""A team plan as the JSON report carries it (the `team` list, schema version 2)."""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING, Any

from advisor.report.verdict_json import rounded

if TYPE_CHECKING:
    from advisor.team.advice import TeamAdvice
    from advisor.team.server import ServerRun


def team_json(advice: TeamAdvice) -> dict[str, Any]:
    d = advice.demand
    plan = advice.plan
    doc = {
        "workload": d.workload.name,
        "title": d.workload.title,
        "server": advice.machine_name,
        "demand": {
            "users": d.users,
            "requests_per_day": d.workload.requests_per_day,
            "calls_per_day": d.workload.calls_per_day,
            "hours_per_day": d.workload.hours_per_day,
            "days_per_week": d.workload.days_per_week,
            "peak_factor": d.peak_factor,
            "peak_basis": d.peak_basis,
            "peak_words": d.peak_words,
            "average_calls_per_s": d.average_calls_per_s,
            "peak_calls_per_s": d.peak_calls_per_s,
        },
        "rule": plan.rule,
        "files_checked": plan.files_checked,
        "passed_over": list(plan.passed_over),
        "frontier_index": plan.frontier_index,
        "servers": plan.servers,
        "plan": _run(plan.choice),
        "closest": _run(plan.closest),
        "no_room": dataclasses.asdict(plan.no_room) if plan.no_room else None,
        "costs": dataclasses.asdict(advice.costs) if advice.costs else None,
        "comparison": _comparison(advice),
        "configs": [dataclasses.asdict(c) for c in advice.configs],
        "scale_out": list(advice.scale_out),
        "notes": list(advice.notes),
    }
    return _finite(rounded(doc))


def _run(run: ServerRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    est = run.estimate
    queue = dataclasses.asdict(run.queue)
    queue.update(load=run.queue.load, within_validated_range=run.queue.within_validated_range)
    return {
        "model_id": run.model_id,
        "model_name": run.model_name,
        "quant": run.quant,
        "quality_index": run.quality_index,
        "quality_pct_of_frontier": run.quality_pct_of_frontier,
        "slots": run.slots,
        "context_per_slot_tokens": run.context_per_slot_tokens,
        "servers": run.servers,
        "placement": est.placement.kind,
        "gpu_layers": est.placement.gpu_layers,
        "memory_total_bytes": est.memory.total_bytes,
        "kv_cache_bytes": est.memory.kv_cache_bytes,
        "prompt_tokens": run.prompt_tokens,
        "decode_depth_tokens": run.decode_depth_tokens,
        "single_decode_tokens_per_s": run.single_decode_tokens_per_s,
        "prefill_tokens_per_s": run.prefill_tokens_per_s,
        "speed_basis": (
            "estimated: batched estimate (advisor.estimate.speed.batched) and queue model"
        ),
        "peak": queue,
        "requirements": [dataclasses.asdict(r) for r in run.requirements],
        "meets": run.meets,
        "average_busy_share": run.average_busy_share,
    }


def _comparison(advice: TeamAdvice) -> dict[str, Any] | None:
    cmp = advice.comparison
    if cmp is None:
        return None
    data = dataclasses.asdict(cmp)
    data["replaced"] = [p.plan_id for p in cmp.replaced]
    return data


def _finite(data: Any) -> Any:
    """Infinite waits (a queue that never settles) as null: JSON has no infinity."""
    if isinstance(data, float) and math.isinf(data):
        return None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_finite(v) for v in data]
    return data
