"""Re-evaluating machines: advise() with today's catalog and prices, once per distinct request.

Results are kept per (request key, workload key), so a machine configuration is judged once
however many reports describe it, and an upgraded machine that matches another configuration
reuses its verdicts. Large batches go to a pool of worker processes (forked where the platform
allows, so they inherit the catalog and the estimator's warm caches).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from advisor.audit.workers import new_pool, stop_pool
from advisor.errors import AdvisorError

if TYPE_CHECKING:
    from advisor.advice_options import AdviceOptions
    from advisor.catalog.model import Catalog
    from advisor.probe.machine import Machine
    from advisor.verdict.cloud_prices import CloudPrices
    from advisor.verdict.verdict import Verdict
    from advisor.workload import Workload

VerdictKind = Literal["local", "hybrid", "cloud"]
# Below this many requests a pool costs more (start-up, warming each worker) than it saves.
POOL_MIN_REQUESTS = 24
CHUNK_MAX = 32  # requests sent to a worker at a time
# The parent judges this many first, so forked workers start with the estimator's caches warm.
WARM_UP_REQUESTS = 2


@dataclass(frozen=True)
class Pick:
    """The local option a verdict rests on: the one chosen, or the closest miss."""

    model_id: str
    model_name: str
    quant: str
    placement: str  # gpu | partial | cpu
    decode_tokens_per_s: float | None  # per stream, at the workload's depth and concurrency
    prefill_tokens_per_s: float | None  # pp512, as estimated (or measured) on this machine
    time_to_first_token_s: float | None
    speed_status: str  # measured | calibrated | estimated
    quality_pct: float | None  # of the frontier's index on the workload's task
    passed: bool  # meets every requirement of the workload
    misses: tuple[str, ...] = ()  # each failed check in a few words, with its shortfall


@dataclass(frozen=True)
class Outcome:
    """One workload on one machine configuration, as the audit needs it. USD per month."""

    workload: str
    kind: VerdictKind
    summary: str
    pick: Pick | None
    local_usd_per_month: float | None  # the pick running the whole workload
    hybrid_usd_per_month: float | None
    hybrid_local_usd_per_month: float | None  # the part of the hybrid path run here
    local_share: float | None  # of the requests, when hybrid
    cloud_usd_per_month: float | None  # the cheapest cloud path that meets the floor
    cloud_path: str | None
    confidence: str

    @property
    def path_usd_per_month(self) -> float | None:
        """What the verdict's own path costs: local, hybrid, or the cheapest cloud."""
        if self.kind == "local":
            return self.local_usd_per_month
        if self.kind == "hybrid":
            return self.hybrid_usd_per_month
        return self.cloud_usd_per_month


@dataclass(frozen=True)
class Request:
    """Judge `workloads` on `machine` with these measurements and prices."""

    key: bytes  # machine + measurements + prices; with a workload key it names one result
    machine: Machine
    measurements: tuple
    options: AdviceOptions
    workloads: tuple[Workload, ...]
    workload_keys: tuple[bytes, ...]
    # Only whether each workload runs locally (advisor.advise.judge's local_only): its results then
    # stand under their own key; the results of `full_key`, where known, answer it as well.
    local_only: bool = False
    full_key: bytes | None = None


@dataclass(frozen=True)
class Failure:
    """advise() refused a request (an electricity region the catalog no longer has, ...)."""

    message: str


Result = Outcome | Failure


def outcome_of(verdict: Verdict) -> Outcome:
    """The audit's view of a verdict. A workload that may not leave the building has no cloud
    path: the report prices one for reference, but the fleet's cost never counts it (neither
    today's nor the path of a workload not viable here)."""
    from advisor.verdict.decide import cloud_forbidden

    costs, cloud = verdict.costs, verdict.cloud
    forbidden = cloud_forbidden(verdict.workload)
    return Outcome(
        workload=verdict.workload.name,
        kind=verdict.kind,
        summary=verdict.summary,
        pick=_pick(verdict),
        local_usd_per_month=costs.local,
        hybrid_usd_per_month=costs.hybrid,
        hybrid_local_usd_per_month=verdict.hybrid.local.usd_per_month if verdict.hybrid else None,
        local_share=verdict.hybrid.local_share if verdict.hybrid else None,
        cloud_usd_per_month=None if forbidden else cloud.best_usd_per_month,
        cloud_path=None if forbidden else cloud.best_label,
        confidence=verdict.confidence.level,
    )


def _pick(verdict: Verdict) -> Pick | None:
    option = verdict.option
    if option is None:
        return None
    cand, run = option.candidate, option.run
    speed = cand.estimate.speed
    return Pick(
        model_id=cand.model_id,
        model_name=cand.model_name,
        quant=cand.quant,
        placement=cand.estimate.placement.kind,
        decode_tokens_per_s=run.peak_decode_tokens_per_s if run else None,
        prefill_tokens_per_s=speed.prefill_tokens_per_s if speed else None,
        time_to_first_token_s=run.time_to_first_token_s if run else None,
        speed_status=cand.speed_status,
        quality_pct=option.quality_pct,
        passed=option.passed(),
        misses=tuple(c.shortfall() for c in option.failed),
    )


def judge(prices: CloudPrices, request: Request) -> list[Result]:
    """One result per workload of the request, in its order, at `prices`' catalog."""
    from advisor.advise import judge as judge_verdicts
    from advisor.files.disk_cache import no_cycle_collection

    options = replace(request.options, measurements=request.measurements)
    try:
        # As advise() does: the estimates, options and checks a judgement builds hold no
        # reference cycle, and the collector's passes over them (and over the catalog and
        # the estimator's memos, every full pass) were 15-20% of an audit's judging CPU
        # (10.7-10.9 -> 8.6-9.3 s for the 612 judgements of 300 configurations, one process,
        # shared 2-core machine, 2026-12-07: benchmarks/audit_scale.py's fleet).
        with no_cycle_collection():
            verdicts = judge_verdicts(request.machine, prices.catalog, request.workloads,
                                      options, local_only=request.local_only,
                                      prices=prices)  # fmt: skip
    except AdvisorError as exc:
        return [Failure(exc.message)] * len(request.workloads)
    return [outcome_of(v) for v in verdicts]


# A worker process's catalog and the cloud prices of the workloads it was asked about.
_WORKER_PRICES: CloudPrices | None = None
# The workloads a worker was started with, by key: a request sends their keys alone. Set once
# by the pool's initializer, as the prices are (not a memo: tests/test_structure.py).
_WORKER_WORKLOADS: dict[bytes, Workload] | None = None


def _init_worker(catalog: Catalog, workloads: dict[bytes, Workload]) -> None:
    from advisor.verdict.cloud_prices import CloudPrices

    global _WORKER_PRICES, _WORKER_WORKLOADS
    _WORKER_PRICES = CloudPrices(catalog)
    _WORKER_WORKLOADS = workloads


def _judge_in_worker(task: tuple[Request, bool]) -> tuple[bytes, tuple[bytes, ...], list[Result]]:
    assert _WORKER_PRICES is not None
    request, by_key = task
    if by_key:  # sent without its workloads: the worker has them (see Evaluator._task)
        assert _WORKER_WORKLOADS is not None
        workloads = tuple(_WORKER_WORKLOADS[k] for k in request.workload_keys)
        request = replace(request, workloads=workloads)
    return request.key, request.workload_keys, judge(_WORKER_PRICES, request)


def default_jobs() -> int:
    """Worker processes for an audit: the cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


class Evaluator:
    """Judges requests, remembering each (request key, workload key) result.

    `known` holds outcomes judged before (an earlier audit's, from advisor.audit.cache).
    """

    def __init__(
        self,
        catalog: Catalog,
        *,
        jobs: int = 1,
        known: dict[tuple[bytes, bytes], Result] | None = None,
    ) -> None:
        from advisor.verdict.cloud_prices import CloudPrices

        self.catalog = catalog
        self.prices = CloudPrices(catalog)  # each workload priced once, for every machine
        self.jobs = max(1, jobs)
        self.results: dict[tuple[bytes, bytes], Result] = dict(known or {})
        self.asked: set[tuple[bytes, bytes]] = set()  # what this audit needed, known or not
        self.judged = 0  # requests advise() ran on
        self._pool = None
        # prefetch()'s results, by request key: (workload keys, results), until asked for
        self._early: dict[bytes, tuple[tuple[bytes, ...], list[Result]]] = {}
        self._warm = False  # this process has judged a request: its caches are warm
        # the workloads the pool's workers start with, by key (what was asked before it started)
        self._workloads: dict[bytes, Workload] = {}
        self._meanwhile: Callable[[], None] | None = None

    def __enter__(self) -> Evaluator:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            stop_pool(self._pool)
            self._pool = None

    def result(self, key: bytes, workload_key: bytes) -> Result:
        return self.results[(key, workload_key)]

    def used(self) -> dict[tuple[bytes, bytes], Result]:
        """The results this audit asked for: what a cache of it keeps."""
        return {k: self.results[k] for k in self.asked if k in self.results}

    def meanwhile(self, work: Callable[[], None] | None) -> None:
        """Run `work` here once, the next time this process waits on the workers (their
        requests sent, their results not read yet), instead of before or after, with the
        workers idle; None: drop it. Work that never ran is the caller's to do."""
        self._meanwhile = work

    def prefetch(self, request: Request) -> None:
        """Judge `request` here and now, ahead of the evaluate() that asks for it (the audit
        judges its first configuration while worker processes still read the reports): that
        is the warm-up evaluate() would otherwise do with the other core idle. The results
        count, as one judgement, only when evaluate() asks for no other workload of the
        request's key than these (else it judges them as it would have; the judgement never
        counts if no evaluate() asks for it)."""
        if all((request.key, k) in self.results for k in request.workload_keys):
            return
        results = judge(self.prices, request)
        self._warm = True
        self._early[request.key] = (request.workload_keys, results)

    def evaluate(self, requests: Iterable[Request]) -> None:
        """Judge whatever the requests ask that is not known yet."""
        requests = list(requests)
        if self._early:
            self._adopt(requests)
        todo = _missing(requests, self.results, self.asked)
        if self._pool is not None and len(todo) > 1:
            self._in_pool(todo)  # started already: even a few requests are shared out
        elif self.jobs > 1 and len(todo) >= POOL_MIN_REQUESTS:
            warm_up = 0 if self._warm else WARM_UP_REQUESTS
            for request in todo[:warm_up]:
                self._inline(request)
            self._in_pool(todo[warm_up:])
        else:
            for request in todo:
                self._inline(request)

    def _adopt(self, requests: list[Request]) -> None:
        """prefetch()'s results for the keys these requests ask, where they cover every
        workload asked of that key that is not known yet: one judgement, as evaluate()
        would have made it."""
        wanted: dict[bytes, set[bytes]] = {}
        for request in requests:
            if request.key in self._early:
                wanted.setdefault(request.key, set()).update(
                    k for k in request.workload_keys if (request.key, k) not in self.results
                )
        for key, keys in wanted.items():
            workload_keys, results = self._early.pop(key)
            if keys and keys <= set(workload_keys):
                kept = [(k, r) for k, r in zip(workload_keys, results, strict=True) if k in keys]
                self._keep(key, [k for k, _ in kept], [r for _, r in kept])

    def _inline(self, request: Request) -> None:
        self._warm = True
        self._keep(request.key, request.workload_keys, judge(self.prices, request))

    def _keep(self, key: bytes, workload_keys: Sequence[bytes], results: Sequence[Result]) -> None:
        self.judged += 1
        for wkey, result in zip(workload_keys, results, strict=True):
            self.results[(key, wkey)] = result

    def _in_pool(self, todo: list[Request]) -> None:
        if self._pool is None:
            for request in todo:
                self._workloads.update(zip(request.workload_keys, request.workloads, strict=True))
            self._pool = new_pool(self.jobs, _init_worker, (self.catalog, self._workloads))
        # Small chunks: each round waits for its slowest worker, and a judgement takes 5 to
        # 200 ms. Judging 300 configurations on 2 workers in chunks of up to 18 requests left
        # one worker idle for 0.29 to 0.51 s at the end, in chunks of up to 4 for 0.05 to
        # 0.23 s (load 5, 2026-12-07; the messages cost nothing to speak of).
        chunk = max(1, min(CHUNK_MAX, len(todo) // (self.jobs * 32)))
        tasks = [self._task(r) for r in sorted(todo, key=_expected_cost, reverse=True)]
        judged = self._pool.imap_unordered(_judge_in_worker, tasks, chunk)
        if self._meanwhile is not None:  # the tasks are on their way to the workers
            work, self._meanwhile = self._meanwhile, None
            work()
        for key, workload_keys, results in judged:
            self._keep(key, workload_keys, results)

    def _task(self, request: Request) -> tuple[Request, bool]:
        """A request as sent to a worker: without its workloads when the workers were started
        with every one of them (a request pickled to 12 KB, 9 KB of it five workloads; about
        2.8 KB without: the pipe to the workers holds 64 KB, and a worker waited on the audit
        process to refill it when that process was slow to get a core)."""
        if all(k in self._workloads for k in request.workload_keys):
            return replace(request, workloads=()), True
        return request, False


def _expected_cost(request: Request) -> tuple[bool, float]:
    """A rough rank of a request's CPU, so that the pool starts the longest first and ends on
    short ones, with no worker left alone at the end of a round: a full judgement costs more
    than a local-only one, and a search reaches the most files (each placed partly on the GPU)
    on a machine with much RAM and little GPU memory. On the benchmark's 300 configurations a
    judgement took 1 to 104 ms; this rank's order (Spearman 0.65 with the CPU measured) ends
    the judging with the two workers within a few ms of each other in a simulation of the
    pool, where the reading order left them 0.10 s apart (2026-12-07)."""
    machine = request.machine
    ram = machine.memory.ram_total_bytes or 0
    gpu_memory = sum(g.vram_total_bytes or 0 for g in machine.gpus)
    return (not request.local_only, len(request.workloads) * ram / (gpu_memory + 2**30))


def _missing(requests: Iterable[Request], known: dict, asked: set) -> list[Request]:
    """The requests cut down to the workloads not judged yet, merged by request key."""
    merged: dict[bytes, Request] = {}
    for request in requests:
        asked.update((request.key, k) for k in request.workload_keys)
        if request.full_key is not None:  # a full verdict says whether it runs locally too
            for k in request.workload_keys:
                full = known.get((request.full_key, k))
                if full is not None:
                    known.setdefault((request.key, k), full)
        wanted = [
            (w, k)
            for w, k in zip(request.workloads, request.workload_keys, strict=True)
            if (request.key, k) not in known
        ]
        held = merged.get(request.key)
        if held is not None:
            have = set(held.workload_keys)
            wanted = [(w, k) for w, k in wanted if k not in have]
            wanted = list(zip(held.workloads, held.workload_keys, strict=True)) + wanted
        if wanted:
            merged[request.key] = replace(
                request,
                workloads=tuple(w for w, _ in wanted),
                workload_keys=tuple(k for _, k in wanted),
            )
    return list(merged.values())
