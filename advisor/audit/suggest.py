"""Upgrade search: for each configuration and workload not viable locally, the smallest change
of each kind (RAM, GPU memory, GPU) that makes it viable, found by judging upgraded machines.

When no change makes a workload local, the search says why (Missed): no catalog model reaches
its quality floor (with the best one and its score), the machine takes no change, or the
largest change of each kind tried still leaves it in the cloud, with what its closest option
then misses (the upgraded machine judged in full, once per configuration and kind).

A kind is tried at its largest change first; workloads that even the largest leaves in the
cloud are not tried at smaller ones (a change of the same kind only adds memory or speed). The
others climb the ladder from the smallest change until each is viable. All configurations
advance together, one rung per round, so each round's requests go to the evaluator at once.
An upgraded machine is judged only for whether each workload runs locally on it
(advisor.advise.judge, local_only): the ladder reads no more, and a local verdict is the same as a
full one.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from advisor.audit.evaluate import Evaluator, Outcome, Request
from advisor.audit.keys import digest, machine_key
from advisor.probe.specs.upgrades import (
    Change,
    apply_change,
    gpu_changes,
    limits,
    ram_changes,
    vram_changes,
)

if TYPE_CHECKING:
    from advisor.advice_options import AdviceOptions
    from advisor.catalog.model import Catalog
    from advisor.probe.machine import Machine
    from advisor.workload import Workload

NO_MEASUREMENTS = digest([])


@dataclass(frozen=True)
class Target:
    """A configuration with workloads that are not viable locally."""

    group: bytes
    machine: Machine
    measurements: tuple
    measurements_key: bytes
    options: AdviceOptions
    options_key: bytes
    failing: tuple[tuple[Workload, bytes], ...]  # (workload, workload key)


@dataclass(frozen=True)
class Found:
    """`change` makes `workload` viable locally on the configuration `group`."""

    group: bytes
    change: Change
    workload: str
    after: Outcome


@dataclass(frozen=True)
class Missed:
    """No change the audit tries makes `workload` local on the configuration `group`: why."""

    group: bytes
    workload: str
    reason: str


@dataclass(frozen=True)
class Searched:
    """What the upgrade search found, and the workloads no change makes local."""

    found: list[Found]
    missed: list[Missed]


@dataclass(frozen=True)
class _Stuck:
    """The largest change of a kind leaves `workload` off local on `target`'s machine."""

    target: Target
    change: Change
    workload: Workload
    workload_key: bytes


def request_key(machine_key_: bytes, measurements_key: bytes, options_key: bytes) -> bytes:
    return digest([machine_key_.hex(), measurements_key.hex(), options_key.hex()])


def search(
    targets: Sequence[Target], evaluator: Evaluator, ram_usd_per_gb: float | None
) -> Searched:
    targets, missed = _reachable(targets, evaluator.catalog)
    ladders = []
    for target in targets:
        kinds = [c for c in _changes(target.machine, ram_usd_per_gb) if c]
        if not kinds:
            why = "no change the audit tries fits this machine: " + "; ".join(
                limits(target.machine)
            )
            missed += [Missed(target.group, w.name, why) for w, _ in target.failing]
        ladders += [(target, changes[-1], _ladder(target, changes, evaluator))
                    for changes in kinds]  # fmt: skip
    found: list[Found] = []
    stuck: list[_Stuck] = []
    asks = {ladder: next(ladder) for _, _, ladder in ladders}
    evaluator.evaluate(r for requests in asks.values() for r in requests)  # the largest changes
    # What no largest change makes local is known now: its full judgements (_why_stuck) go
    # with the second round rather than after the last, so no round waits on them alone.
    why = _why_requests([(t, top, asks[ladder][0]) for t, top, ladder in ladders], evaluator)
    pending = list(why.values())
    while asks:
        still = {}
        for ladder in asks:
            try:
                still[ladder] = ladder.send(None)
            except StopIteration as done:
                found += done.value[0]
                stuck += done.value[1]
        asks = still
        if asks or pending:
            evaluator.evaluate([*pending, *(r for requests in asks.values() for r in requests)])
            pending = []
    return Searched(found, missed + _why_stuck(found, stuck, why, evaluator))


def _reachable(targets: Sequence[Target], catalog: Catalog) -> tuple[list[Target], list[Missed]]:
    """The targets with only the failing workloads that some hardware could make viable: a
    workload whose quality floor no model of the catalog reaches stays in the cloud on any
    machine, so no upgraded machine is judged for it (it is Missed, with the best model)."""
    from advisor.verdict.cloud import cloud_costs
    from advisor.verdict.reach import best_on_task, out_of_reach

    unreachable: dict[bytes, str | None] = {}
    kept, missed = [], []
    for target in targets:
        for workload, key in target.failing:
            if key not in unreachable:
                frontier = cloud_costs(workload, catalog).frontier_index
                best = best_on_task(catalog, workload, frontier)
                unreachable[key] = out_of_reach(workload, best)
        failing = tuple((w, k) for w, k in target.failing if unreachable[k] is None)
        missed += [
            Missed(target.group, w.name, why)
            for w, k in target.failing
            if (why := unreachable[k]) is not None
        ]
        if failing:
            kept.append(replace(target, failing=failing))
    return kept, missed


def _changes(machine: Machine, ram_usd_per_gb: float | None) -> list[list[Change]]:
    return [ram_changes(machine, ram_usd_per_gb), vram_changes(machine), gpu_changes(machine)]


Ladder = Generator[list[Request], None, tuple[list[Found], list[_Stuck]]]


def _ladder(target: Target, changes: list[Change], evaluator: Evaluator) -> Ladder:
    upgraded = _Upgraded(target)
    top = changes[-1]
    request = upgraded.request(top, target.failing)
    yield [request]
    left = [(w, k) for w, k in target.failing if _viable(evaluator, request, k)]
    stuck = [_Stuck(target, top, w, k) for w, k in target.failing if (w, k) not in left]
    found: list[Found] = []
    for change in changes[:-1]:
        if not left:
            break
        request = upgraded.request(change, left)
        yield [request]
        now = [(w, k) for w, k in left if _viable(evaluator, request, k)]
        found += [upgraded.found(change, w, evaluator.result(request.key, k)) for w, k in now]
        left = [pair for pair in left if pair not in now]
    top_key = upgraded.key(top)
    found += [upgraded.found(top, w, evaluator.result(top_key, k)) for w, k in left]
    return found, stuck


WhyRequests = dict[tuple[bytes, Change], Request]


def _why_requests(tops: list[tuple[Target, Change, Request]],
                  evaluator: Evaluator) -> WhyRequests:  # fmt: skip
    """The full judgements _why_stuck reads, by (configuration, change), known once each
    ladder's largest change (`tops`: its target, the change, the request judged) is: a
    workload that the largest change of some kind makes local is found on that ladder (at
    that change or a smaller one); one that no largest change makes local is stuck on every
    ladder of its configuration."""
    made = {(t.group, w.name) for t, _, r in tops for w, k in t.failing
            if _viable(evaluator, r, k)}  # fmt: skip
    why = {}
    for t, top, r in tops:
        left = [(w, k) for w, k in t.failing if (t.group, w.name) not in made]
        if left:
            why[(t.group, top)] = replace(
                r, key=r.full_key, workloads=tuple(w for w, _ in left),
                workload_keys=tuple(k for _, k in left), local_only=False, full_key=None,
            )  # fmt: skip
    return why


def _why_stuck(found: list[Found], stuck: list[_Stuck], asked: WhyRequests,
               evaluator: Evaluator) -> list[Missed]:  # fmt: skip
    """For each configuration and workload no change makes local: the largest change of each
    kind tried, judged in full (`asked`, from _why_requests), and what the closest option then
    misses."""
    made = {(f.group, f.workload) for f in found}
    stuck = [s for s in stuck if (s.target.group, s.workload.name) not in made]
    requests: dict[tuple[bytes, Change], list[_Stuck]] = {}
    for s in stuck:
        requests.setdefault((s.target.group, s.change), []).append(s)
    evaluator.evaluate(asked.values())  # judged already: with the ladders' second round
    tried: dict[tuple[bytes, str], list[str]] = {}
    machines: dict[bytes, Machine] = {}
    for (group, change), items in requests.items():
        for s in items:
            result = evaluator.result(asked[(group, change)].key, s.workload_key)
            tried.setdefault((group, s.workload.name), []).append(_still(change, result))
            machines[group] = s.target.machine
    return [
        Missed(group, workload, "; ".join(texts + list(limits(machines[group]))))
        for (group, workload), texts in tried.items()
    ]


def _still(change: Change, result) -> str:
    """'+64 GB RAM, the largest tried, leaves it cloud: Qwen3.8 27B Q4_K_M misses ...'."""
    head = f"{change.label}, the largest {KIND_NOUNS[change.kind]} tried"
    if not isinstance(result, Outcome):
        return f"{head}, could not be judged: {result.message}"
    pick = result.pick
    if pick is None:
        why = "nothing fits in memory"
    elif pick.misses:
        why = f"{pick.model_name} {pick.quant} misses: {', '.join(pick.misses)}"
    else:
        why = f"{pick.model_name} {pick.quant} passes every check but costs more than the cloud"
    return f"{head}, leaves it {result.kind}: {why}"


KIND_NOUNS = {"ram": "RAM change", "vram": "larger-memory card", "gpu": "GPU"}


def _viable(evaluator: Evaluator, request: Request, workload_key: bytes) -> bool:
    result = evaluator.result(request.key, workload_key)
    return isinstance(result, Outcome) and result.kind == "local"


class _Upgraded:
    """Requests for one target's machine after each change."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._made: dict[Change, tuple[Machine, bytes]] = {}

    def _machine(self, change: Change) -> tuple[Machine, bytes]:
        if change not in self._made:
            from advisor.probe.profiles.serialize import machine_to_dict

            t = self.target
            machine = apply_change(t.machine, change)
            measured = t.measurements_key if change.keeps_measurements else NO_MEASUREMENTS
            mkey = machine_key(machine_to_dict(machine))
            self._made[change] = (machine, request_key(mkey, measured, t.options_key))
        return self._made[change]

    def key(self, change: Change) -> bytes:
        """The key of the upgraded machine's local-only results (see Request.local_only)."""
        return digest([self._machine(change)[1].hex(), "local-only"])

    def request(self, change: Change, workloads: Sequence[tuple[Workload, bytes]]) -> Request:
        """Whether the workloads run locally once the change is made: the ladder reads no
        more (a local verdict is the same as a full one)."""
        t = self.target
        machine, full_key = self._machine(change)
        kept = change.keeps_measurements
        return Request(
            key=self.key(change),
            machine=machine,
            measurements=t.measurements if kept else (),
            options=t.options,
            workloads=tuple(w for w, _ in workloads),
            workload_keys=tuple(k for _, k in workloads),
            local_only=True,
            full_key=full_key,
        )

    def found(self, change: Change, workload: Workload, after) -> Found:
        return Found(self.target.group, change, workload.name, after)
