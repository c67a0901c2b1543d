"""Ranking models for a machine and a task: quality (after quantization), speed and headroom.

Quality is the Artificial Analysis index for the task (coding index for coding, intelligence
index otherwise; one index per comparison, so a model without a coding index is "quality
unknown" for coding, never its intelligence index against the coding frontier),
times the share a quant keeps (advisor.estimate.quant_quality). That score is then discounted
for slow decoding and for running close to the memory limit:
    score = quality × speed factor × headroom factor
    speed factor = min(1, decode / 25 tok/s) ** 0.25    (10 tok/s: 0.80, 5 tok/s: 0.67)
    headroom factor = 0.9 + 0.1 × min(1, free share / 15%)
Nothing that does not fit is ranked; every model left out gets its reason.

A model the index has no score for (Mistral 7B, Qwen2.5, a GGUF file added with --model) is
ranked with its quality unknown, never a made-up number: after the scored files of its speed
class (for interactive use, those reaching the decode floor, then the rest), fastest first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from advisor.catalog.model import Catalog, Model, Quality, Quant, index_label
from advisor.estimate.estimate import Estimate
from advisor.estimate.quant_quality import QuantLosses
from advisor.probe.machine import Machine
from advisor.units import GIB

COMFORT_DECODE_TOKENS_PER_S = 25.0  # about reading speed and then some
SPEED_EXPONENT = 0.25
COMFORT_HEADROOM = 0.15
HEADROOM_WEIGHT = 0.1
# Tasks a model must list to be considered at all (others: any chat model can try).
CAPABILITY_TASKS = frozenset({"vision"})

Estimator = Callable[..., Estimate]
ExclusionKind = Literal["does-not-fit", "too-slow", "not-capable", "no-quants"]
# What a ranking says of a model without a score, in every front end.
UNKNOWN_QUALITY = (
    "quality unknown: the index has no score for this model (scores come from Artificial "
    "Analysis's dated snapshots in the catalog)"
)


def unknown_quality(metric: str) -> str:
    """UNKNOWN_QUALITY naming the task's index: 'the coding index has no score' for coding,
    where a model may have an intelligence score but no coding one (never compared across)."""
    if metric == "coding_index":
        return UNKNOWN_QUALITY.replace("the index", "the coding index", 1)
    return UNKNOWN_QUALITY


# (index, metric): a model's score on a task (see quality_for)
TaskQuality = tuple[float, str]


@dataclass(frozen=True)
class RankedCandidate:
    """One model × quant × placement that fits, with what its rank rests on."""

    model_id: str
    model_name: str
    quant: str
    placement: str  # gpu | partial | cpu
    gpu_layers: int
    quality_index: float | None  # the raw index for the task; None: the index has no score
    quality_metric: str  # "coding_index" or "intelligence_index"
    quant_retention: float
    quant_retention_basis: str
    quality: float | None  # quality_index × quant_retention; None: quality unknown
    decode_tokens_per_s: float
    prefill_tokens_per_s: float
    decode_range: tuple[float, float]
    total_bytes: int
    headroom_fraction: float | None  # least free share on any device used; None if unknown
    score: float | None  # None: quality unknown (ranked after every scored file)
    estimate: Estimate
    # The index the score comes from: its name and version, snapshot date and source.
    quality_source: str | None = None
    # The user's own score (--quality MODEL=SCORE), not a published one: the flag they gave.
    quality_assumed_by: str | None = None

    @property
    def quality_text(self) -> str:
        """'coding index 68.1 × 0.978 kept at Q5_K_M (scaled from another model) = 66.6
        (Artificial Analysis Intelligence Index v4.1, snapshot 2026-10-10, source aa-...)':
        how the quality figure was reached, and where its score comes from."""
        if self.quality_index is None or self.quality is None:
            return unknown_quality(self.quality_metric)
        return _quality_text(self.quality_metric, self.quality_index, self.quant_retention,
                             self.quant, self.quant_retention_basis, self.quality,
                             self.quality_source)  # fmt: skip


@lru_cache(maxsize=4096)  # the same on every machine: a search asks it of each file it checks
def _quality_text(metric: str, index: float, retention: float, quant: str, basis: str,
                  quality: float, source: str | None) -> str:  # fmt: skip
    """RankedCandidate.quality_text of a scored file."""
    words = metric.replace("_", " ")
    text = f"{words} {index:g} × {retention:.3f} kept at {quant} ({basis}) = {quality:.1f}"
    return text + (f" ({source})" if source else "")


def index_source(quality: Quality | None, metric: str = "intelligence_index") -> str | None:
    """The index a model's `metric` score is on (the coding index for coding scores), its
    snapshot and source, in words (None: no score)."""
    if quality is None:
        return None
    scale = index_label(quality.scale, metric)
    if quality.assumed_by is not None:
        return (
            f"your assumption ({quality.assumed_by}), not a published score, on the "
            f"{scale}, beside the snapshot of {quality.snapshot_date}"
        )
    parts = [
        scale or f"{index_label(quality.index_name, metric)}, version unknown",
        f"snapshot {quality.snapshot_date}",
        f"source {quality.source}",
    ]
    if quality.estimated:
        parts.append("an estimate by the index's publisher")
    return ", ".join(parts)


@dataclass(frozen=True)
class Excluded:
    """A model left out of a ranking, and why."""

    model_id: str
    model_name: str
    kind: ExclusionKind
    reason: str


@dataclass(frozen=True)
class Ranking:
    """The catalog ranked for a machine and a task: the candidates, best first, and the models
    left out."""

    machine_name: str
    task: str
    context_tokens: int
    min_decode_tokens_per_s: float | None
    all_quants: bool
    candidates: tuple[RankedCandidate, ...]  # best first
    excluded: tuple[Excluded, ...]
    # Interactive use: files decoding below this rank after every file that reaches it
    interactive_decode_tokens_per_s: float | None = None


def quality_for(model: Model, task: str) -> TaskQuality | None:
    """(index, metric) for the task, or None when the catalog has no index."""
    quality = model.quality
    if quality is None:
        return None
    if task == "coding":
        # One index per comparison (issue 13 item 8): coding is judged on the coding index
        # against the coding frontier, so a model without one is "quality unknown" for
        # coding, as an API model without one is left unpriced; never its intelligence
        # index divided by the coding frontier's coding index.
        if quality.coding_index is None:
            return None
        return quality.coding_index, "coding_index"
    if quality.intelligence_index is None:
        return None
    return quality.intelligence_index, "intelligence_index"


def _decode(est: Estimate) -> float:
    """The decode speed of an estimate that has one (it fits)."""
    assert est.speed is not None
    return est.speed.decode_tokens_per_s


def _headroom(est: Estimate) -> float | None:
    room = [(s.available_bytes, s.total_bytes) for s in est.placement.shares if s.available_bytes]
    if not room:
        return None
    return min((available - total) / available for available, total in room)


def _score(quality: float, decode: float, headroom: float | None) -> float:
    speed = min(1.0, decode / COMFORT_DECODE_TOKENS_PER_S) ** SPEED_EXPONENT
    room = 1.0 if headroom is None else min(1.0, max(headroom, 0.0) / COMFORT_HEADROOM)
    return quality * speed * (1.0 - HEADROOM_WEIGHT + HEADROOM_WEIGHT * room)


def task_metric(task: str) -> str:
    """The index a task is judged on (see quality_for)."""
    return "coding_index" if task == "coding" else "intelligence_index"


def _candidate(
    model: Model, est: Estimate, quality: TaskQuality | None, losses: QuantLosses, task: str
):
    """The ranked file; `quality` None: the model has no score on the task's index (quality
    unknown)."""
    index, metric = quality or (None, task_metric(task))
    kept = losses.of(est.quant)
    headroom = _headroom(est)
    speed = est.speed
    assert speed is not None
    scored = None if index is None else index * kept.factor
    score = None if scored is None else _score(scored, speed.decode_tokens_per_s, headroom)
    return RankedCandidate(
        model_id=model.id, model_name=model.name, quant=est.quant,
        placement=est.placement.kind, gpu_layers=est.placement.gpu_layers,
        quality_index=index, quality_metric=metric,
        quant_retention=kept.factor, quant_retention_basis=kept.basis,
        quality=scored, decode_tokens_per_s=speed.decode_tokens_per_s,
        prefill_tokens_per_s=speed.prefill_tokens_per_s, decode_range=speed.decode_range,
        total_bytes=est.memory.total_bytes, headroom_fraction=headroom,
        score=score, estimate=est,
        quality_source=index_source(model.quality, metric) if index is not None else None,
        quality_assumed_by=model.quality.assumed_by if model.quality else None,
    )  # fmt: skip


@dataclass(frozen=True)
class _Options:
    """What a ranking is asked for: the machine, task, context, speed floor, cache type, mode and
    quant losses."""

    machine: Machine
    task: str
    context_tokens: int
    min_decode: float | None
    kv_type: str
    mode: str
    losses: QuantLosses


@lru_cache(maxsize=8)  # rank_file asks it of every file a search estimates
def _memory_ceiling(machine: Machine) -> int | None:
    """All the memory weights could ever sit in: RAM plus discrete VRAM (None if unknown)."""
    ram = machine.memory.ram_total_bytes
    if ram is None:
        return None
    return ram + (machine.total_vram_bytes or 0)


def _smallest_need(estimates: Sequence[Estimate]) -> str:
    smallest = min(estimates, key=lambda e: e.memory.total_bytes)
    return f"{smallest.quant} needs {smallest.memory.total_bytes / GIB:.1f} GiB"


def _rank_model(model: Model, opts: _Options, estimator: Estimator):
    """(fitting candidates, or the reason the model is left out)."""
    if opts.task in CAPABILITY_TASKS and opts.task not in model.tasks:
        return Excluded(model.id, model.name, "not-capable", f"not a {opts.task} model")
    quality = quality_for(model, opts.task)
    if not model.quants:
        return Excluded(model.id, model.name, "no-quants", "no GGUF files in the catalog")
    # A file larger than all the machine's memory cannot fit: no need to estimate it.
    room = _memory_ceiling(opts.machine)
    quants = [q for q in model.quants if room is None or q.size_bytes <= room]
    if not quants:
        smallest = min(model.quants, key=lambda q: q.size_bytes)
        reason = (f"does not fit at {opts.context_tokens} tokens of context ({smallest.type} "
                  f"weights alone are {smallest.size_bytes / GIB:.1f} GiB)")  # fmt: skip
        return Excluded(model.id, model.name, "does-not-fit", reason)
    estimates = [
        estimator(opts.machine, model, q.type, context_tokens=opts.context_tokens,
                  kv_type=opts.kv_type, mode=opts.mode)
        for q in quants
    ]  # fmt: skip
    fitting = [e for e in estimates if e.fits and e.speed is not None]
    if not fitting:
        reason = (f"does not fit at {opts.context_tokens} tokens of context "
                  f"({_smallest_need(estimates)})")  # fmt: skip
        return Excluded(model.id, model.name, "does-not-fit", reason)
    fast = [e for e in fitting if opts.min_decode is None or _decode(e) >= opts.min_decode]
    if not fast:
        best = max(fitting, key=_decode)
        reason = (f"below {opts.min_decode:g} tok/s: fastest is {best.quant} at "
                  f"{_decode(best):.1f}")  # fmt: skip
        return Excluded(model.id, model.name, "too-slow", reason)
    return [_candidate(model, e, quality, opts.losses, opts.task) for e in fast]


def rank_file(
    machine: Machine,
    model: Model,
    quant: Quant,
    *,
    task: str,
    context_tokens: int,
    kv_type: str = "f16",
    mode: str = "dedicated",
    estimator: Estimator,
    losses: QuantLosses,
) -> RankedCandidate | None:
    """What rank_models(all_quants=True) makes of one file of `model`: its candidate, or None
    where the ranking leaves it out (not capable, too large, does not fit).

    For searches that ask about one file at a time: no one-model catalog, no Ranking.
    """
    if task in CAPABILITY_TASKS and task not in model.tasks:
        return None
    quality = quality_for(model, task)
    room = _memory_ceiling(machine)
    if room is not None and quant.size_bytes > room:
        return None
    est = estimator(machine, model, quant.type, context_tokens=context_tokens, kv_type=kv_type,
                    mode=mode)  # fmt: skip
    if not est.fits or est.speed is None:
        return None
    return _candidate(model, est, quality, losses, task)


def places(machine: Machine, model: Model, quant: Quant, *, task: str, context_tokens: int,
           fits: Callable[..., bool]) -> bool:  # fmt: skip
    """Whether rank_file would place the file (a candidate, not None), with `fits(machine,
    model, quant type, context_tokens=...)` answering for the estimate's `fits` alone."""
    if task in CAPABILITY_TASKS and task not in model.tasks:
        return False
    room = _memory_ceiling(machine)
    if room is not None and quant.size_bytes > room:
        return False
    return fits(machine, model, quant.type, context_tokens=context_tokens)


def score_bound(quality: float, decode_ceiling: float | None) -> float:
    """The most a file of this quality (index × retention) can score when it decodes at most
    `decode_ceiling` tokens/s (None: unknown) at any headroom: the score's speed factor
    grows with decode speed and its headroom factor is at most 1."""
    return _score(quality, COMFORT_DECODE_TOKENS_PER_S if decode_ceiling is None
                  else decode_ceiling, None)  # fmt: skip


def rank_models(
    machine: Machine,
    catalog: Catalog,
    *,
    task: str = "chat",
    context_tokens: int = 8192,
    min_decode_tokens_per_s: float | None = None,
    all_quants: bool = False,
    kv_type: str = "f16",
    mode: str = "dedicated",
    estimator: Estimator | None = None,
    interactive_decode_tokens_per_s: float | None = None,
) -> Ranking:
    """Every catalog model that fits this machine for `task`, best first, and the rest with why.

    By default each model shows its best-scoring quant; `all_quants` lists every quant that
    fits. `estimator` defaults to advisor.estimate.estimate.

    `interactive_decode_tokens_per_s` ranks for interactive use, by the rule a verdict shows
    its option by (advisor.verdict.choice: speed before quality): files that decode at least
    this fast come first, by score; the rest follow, the closest to that speed first.
    """
    if estimator is None:
        from advisor.estimate import estimate

        estimator = estimate
    opts = _Options(machine, task, context_tokens, min_decode_tokens_per_s, kv_type, mode,
                    QuantLosses(catalog.quant_quality))  # fmt: skip
    results = [_rank_model(m, opts, estimator) for m in catalog.models]
    candidates: list[RankedCandidate] = []
    excluded: list[Excluded] = []
    for result in results:
        if isinstance(result, Excluded):
            excluded.append(result)
        elif all_quants:
            candidates.extend(result)
        else:
            candidates.append(_best_file(result, interactive_decode_tokens_per_s))
    candidates.sort(key=lambda c: (*_order(c, interactive_decode_tokens_per_s), c.model_id))
    return Ranking(
        machine_name=machine.name, task=task, context_tokens=context_tokens,
        min_decode_tokens_per_s=min_decode_tokens_per_s, all_quants=all_quants,
        candidates=tuple(candidates), excluded=tuple(excluded),
        interactive_decode_tokens_per_s=interactive_decode_tokens_per_s,
    )  # fmt: skip


def _best_file(files: list[RankedCandidate], floor: float | None) -> RankedCandidate:
    """The file a model is shown by: the best by _order; for a model of quality unknown, the
    one that keeps the most of the model (the quant's retention), discounted for speed and
    headroom as a score is, among the files that reach the decode floor if any do."""
    if files[0].score is not None:
        return min(files, key=lambda c: _order(c, floor))

    def kept(c: RankedCandidate) -> tuple[bool, float]:
        slow = floor is not None and c.decode_tokens_per_s < floor
        return (slow, -_score(c.quant_retention, c.decode_tokens_per_s, c.headroom_fraction))

    return min(files, key=kept)


def _order(c: RankedCandidate, floor: float | None) -> tuple[int, float, float]:
    """A sort key, smaller first: by score, or for interactive use (a decode floor) the files
    that reach the floor by score, then the rest by how close they come to it. Files of quality
    unknown come after the scored files of their speed class, fastest first."""
    fast = floor is None or c.decode_tokens_per_s >= floor
    if c.score is None:
        return (1 if fast else 3, -c.decode_tokens_per_s, 0.0)
    if fast:
        return (0, -c.score, -c.decode_tokens_per_s)
    return (2, -c.decode_tokens_per_s, -c.score)
