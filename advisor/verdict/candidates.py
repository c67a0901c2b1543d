"""The ranking's model files as local candidates: with their speed's status, measured figures
in place of estimated ones where this machine has them, and the detailed estimate a report
shows."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from advisor.verdict.options import LocalCandidate, SpeedStatus, check_option
from advisor.verdict.power_for import PowerFor
from advisor.workload import Workload

if TYPE_CHECKING:
    from advisor.estimate.rank import RankedCandidate as Ranked
    from advisor.estimate.speed.figures import Speed
    from advisor.verdict.search import OptionSearch
    from advisor.verdict.verdict import Verdict


def speed_status(speed: Speed) -> SpeedStatus:
    if speed.measured_decode_tokens_per_s is not None:
        return "measured"
    return "calibrated" if speed.calibrated_from_runs > 0 else "estimated"


def measured_speed(speed: Speed) -> Speed:
    """The speed with this file's own measurements in place of the estimate, where it has them."""
    decode, prefill = speed.measured_decode_tokens_per_s, speed.measured_prefill_tokens_per_s
    if decode:
        scale = decode / speed.decode_tokens_per_s
        low, high = speed.decode_range
        speed = dataclasses.replace(
            speed, decode_tokens_per_s=decode, decode_range=(low * scale, high * scale)
        )
    if prefill:
        scale = prefill / speed.prefill_tokens_per_s
        low, high = speed.prefill_range
        speed = dataclasses.replace(
            speed, prefill_tokens_per_s=prefill, prefill_range=(low * scale, high * scale)
        )
    return speed


def to_candidate(ranked: Ranked, quality_estimated: bool, power_for: PowerFor) -> LocalCandidate:
    est = ranked.estimate
    assert est.speed is not None
    status = speed_status(est.speed)
    if status == "measured":
        est = dataclasses.replace(est, speed=measured_speed(est.speed))
    note = ranked.quality_text
    return LocalCandidate(
        model_id=ranked.model_id,
        model_name=ranked.model_name,
        quant=ranked.quant,
        quality_index=ranked.quality,
        quality_note=note,
        estimate=est,
        speed_status=status,
        power=power_for(ranked.model_id, ranked.quant, est),
        quality_estimated=quality_estimated,
        quality_assumed_by=ranked.quality_assumed_by,
    )


def reported(
    search: OptionSearch,
    workload: Workload,
    verdict: Verdict,
    frontier_index: float | None,
    power_for: PowerFor,
) -> Verdict:
    """The verdict with its option checked again on the file's detailed estimate (the search
    checked brief ones): the same figures, and the parts a report shows besides."""
    option = verdict.option
    if option is None:
        return verdict
    w = workload
    model = search.model(option.candidate.model_id)
    quant = next(q for q in model.quants if q.type == option.candidate.quant)
    ranked = search.rank_quant(model, quant, w.task, w.context_tokens * w.concurrency)
    assert ranked is not None  # the option came from it
    quality = model.quality
    cand = to_candidate(
        search.detailed_ranked(ranked), bool(quality and quality.estimated), power_for
    )
    return dataclasses.replace(verdict, option=check_option(w, cand, frontier_index))


def top_ranked(search: OptionSearch, count: int) -> list[Ranked]:
    """The top candidates: the best-scoring file of each model the verdicts' searches placed,
    best first, `count` of them. A file a search placed without estimating it
    (OptionSearch.defer) is estimated only when its score bound could reach the list: the
    `count`th model's best score among the estimated files can only rise as more are
    estimated, and a file scoring below it changes nothing (its model's entry, if listed,
    already scores more); an unscored file ranks after every scored one."""
    top = _best_per_model(search.ranked(), count)
    scored = [r.score for r in top if r.score is not None]
    if len(scored) < count:
        needed = _every
    else:
        least = scored[-1] * (1 - 1e-9)  # the bound's arithmetic differs from the score's

        def needed(bound: float | None) -> bool:
            return bound is not None and bound >= least

    if search.settle(needed):
        top = _best_per_model(search.ranked(), count)
    return top


def _every(bound: float | None) -> bool:
    del bound
    return True


def _best_per_model(ranked: list[Ranked], count: int) -> list[Ranked]:
    """The best-scoring file of each model the verdicts looked at, best first."""
    best: dict[str, Ranked] = {}
    for r in ranked:
        held = best.get(r.model_id)
        if held is None or _rank_key(r) < _rank_key(held):
            best[r.model_id] = r
    order = sorted(best.values(), key=lambda r: (*_rank_key(r), r.model_id))
    return order[:count]


def _rank_key(r: Ranked) -> tuple[float, float]:
    """Smaller first: the best score, then the fastest; quality unknown after every score."""
    return (-r.score if r.score is not None else float("inf"), -r.decode_tokens_per_s)
