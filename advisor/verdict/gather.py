"""The local options one workload is judged on: ranked models checked against its needs.

Models are ranked in batches, best raw quality first (see advisor.verdict.search). Scanning
stops once an option would carry a local verdict (every check met, cheaper than the cloud)
and no model left could match its quality. Otherwise every model above the workload's lowest
quality floor is checked (they are the hybrid candidates too); when none passes every check,
a few batches below the floors follow, to find the best model that is at least fast enough:
a cloud verdict can then say what each side lacks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from advisor.verdict.options import Candidate, LocalOption, SpeedStatus, check_option
from advisor.verdict.power import PowerDraw
from advisor.verdict.search import OptionSearch
from advisor.verdict.workload import Workload

if TYPE_CHECKING:
    from advisor.estimate.rank import Candidate as Ranked
    from advisor.estimate.speed import Speed

EXTRA_BATCHES = 4  # batches below the floors scanned for a model that is fast enough
PowerFor = Callable[[str, str], PowerDraw]  # (model id, quant) -> watts while generating
Acceptable = Callable[[LocalOption], bool]  # an option a local verdict could rest on


def speed_status(speed: Speed) -> SpeedStatus:
    if speed.measured_decode_tokens_per_s is not None:
        return "measured"
    return "calibrated" if speed.calibrated_from_runs > 0 else "estimated"


def measured_speed(speed: Speed) -> Speed:
    """The speed with this file's own measurements in place of the estimate, where it has them."""
    changes = {}
    decode, prefill = speed.measured_decode_tokens_per_s, speed.measured_prefill_tokens_per_s
    if decode:
        scale = decode / speed.decode_tokens_per_s
        low, high = speed.decode_range
        changes.update(decode_tokens_per_s=decode, decode_range=(low * scale, high * scale))
    if prefill:
        scale = prefill / speed.prefill_tokens_per_s
        low, high = speed.prefill_range
        changes.update(prefill_tokens_per_s=prefill, prefill_range=(low * scale, high * scale))
    return dataclasses.replace(speed, **changes) if changes else speed


def to_candidate(ranked: Ranked, quality_estimated: bool, power_for: PowerFor) -> Candidate:
    est = ranked.estimate
    assert est.speed is not None
    status = speed_status(est.speed)
    if status == "measured":
        est = dataclasses.replace(est, speed=measured_speed(est.speed))
    metric = ranked.quality_metric.replace("_", " ")
    note = (
        f"{metric} {ranked.quality_index:g} × {ranked.quant_retention:.3f} kept at "
        f"{ranked.quant} ({ranked.quant_retention_basis}) = {ranked.quality:.1f}"
    )
    if ranked.quality_note:
        note += f" ({ranked.quality_note})"
    return Candidate(
        model_id=ranked.model_id,
        model_name=ranked.model_name,
        quant=ranked.quant,
        quality_index=ranked.quality,
        quality_note=note,
        estimate=est,
        speed_status=status,
        power=power_for(ranked.model_id, ranked.quant),
        quality_estimated=quality_estimated,
    )


def workload_options(
    search: OptionSearch,
    workload: Workload,
    frontier_index: float | None,
    power_for: PowerFor,
    acceptable: Acceptable,
) -> list[LocalOption]:
    w = workload
    context = w.context_tokens * w.concurrency  # one KV cache per concurrent stream
    floors = [w.quality_floor_pct, w.routine_quality_floor_pct or w.quality_floor_pct]
    threshold = min(floors) / 100 * frontier_index if frontier_index else None
    batches = search.batches(w.task)
    options: list[LocalOption] = []
    best: float | None = None  # quality of the best option that passes every check
    done = 0
    for batch in batches:
        top = batch[0][0]
        if (best is not None and top < best) or threshold is None or top < threshold:
            break
        found = _check_batch(search, w, batch, context, frontier_index, power_for)
        options += found
        for option in found:
            if acceptable(option) and (best is None or option.candidate.quality_index > best):
                best = option.candidate.quality_index
        done += 1
    if not any(o.passed() for o in options):
        for batch in batches[done : done + EXTRA_BATCHES]:
            options += _check_batch(search, w, batch, context, frontier_index, power_for)
            if any(o.passed("fits", "decode", "ttft") for o in options):
                break
    return options


def _check_batch(search, w, batch, context, frontier_index, power_for) -> list[LocalOption]:
    models = {m.id: m for _, m in batch}
    found = []
    for ranked in search.rank(list(models.values()), w.task, context, all_quants=True):
        quality = models[ranked.model_id].quality
        cand = to_candidate(ranked, bool(quality and quality.estimated), power_for)
        found.append(check_option(w, cand, frontier_index))
    return found
