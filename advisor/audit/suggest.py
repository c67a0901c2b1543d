"""Upgrade search: for each configuration and workload not viable locally, the smallest change
of each kind (RAM, GPU memory, GPU) that makes it viable, found by judging upgraded machines.

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
from advisor.audit.upgrades import Change, apply_change, gpu_changes, ram_changes, vram_changes

if TYPE_CHECKING:
    from advisor.advise import AdviceOptions
    from advisor.catalog.model import Catalog
    from advisor.probe.machine import Machine
    from advisor.verdict.workload import Workload

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


def request_key(machine_key_: bytes, measurements_key: bytes, options_key: bytes) -> bytes:
    return digest([machine_key_.hex(), measurements_key.hex(), options_key.hex()])


def search(
    targets: Sequence[Target], evaluator: Evaluator, ram_usd_per_gb: float | None
) -> list[Found]:
    targets = _reachable(targets, evaluator.catalog)
    ladders = [
        _ladder(target, changes, evaluator)
        for target in targets
        for changes in _changes(target.machine, ram_usd_per_gb)
        if changes
    ]
    found: list[Found] = []
    asks = {}
    for ladder in ladders:
        asks[ladder] = next(ladder)
    while asks:
        evaluator.evaluate(r for requests in asks.values() for r in requests)
        still = {}
        for ladder in asks:
            try:
                still[ladder] = ladder.send(None)
            except StopIteration as done:
                found += done.value
        asks = still
    return found


def _reachable(targets: Sequence[Target], catalog: Catalog) -> list[Target]:
    """The targets with only the failing workloads that some hardware could make viable: a
    workload whose quality floor no model of the catalog reaches stays in the cloud on any
    machine, so no upgraded machine is judged for it."""
    from advisor.verdict.cloud import cloud_costs
    from advisor.verdict.gather import floor_reachable

    reachable: dict[bytes, bool] = {}
    kept = []
    for target in targets:
        for workload, key in target.failing:
            if key not in reachable:
                frontier = cloud_costs(workload, catalog).frontier_index
                reachable[key] = floor_reachable(catalog, workload, frontier)
        failing = tuple((w, k) for w, k in target.failing if reachable[k])
        if failing:
            kept.append(replace(target, failing=failing))
    return kept


def _changes(machine: Machine, ram_usd_per_gb: float | None) -> list[list[Change]]:
    return [ram_changes(machine, ram_usd_per_gb), vram_changes(machine), gpu_changes(machine)]


Ladder = Generator[list[Request], None, list[Found]]


def _ladder(target: Target, changes: list[Change], evaluator: Evaluator) -> Ladder:
    upgraded = _Upgraded(target)
    top = changes[-1]
    request = upgraded.request(top, target.failing)
    yield [request]
    left = [(w, k) for w, k in target.failing if _viable(evaluator, request, k)]
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
    return found


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
            from advisor.probe.serialize import machine_to_dict

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
