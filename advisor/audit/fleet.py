"""The fleet summary: per workload, per model, per machine, costs and upgrade suggestions."""

from __future__ import annotations

import os
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisor.audit.costs import FleetCost, MachineCost
from advisor.units import GIB

if TYPE_CHECKING:
    from advisor.audit.evaluate import Outcome
    from advisor.audit.servers import SharedServers
    from advisor.audit.sources import Skipped
    from advisor.probe.machine import Machine
    from advisor.probe.specs.upgrades import Change


@dataclass(frozen=True)
class MachineHardware:
    """What a machine has, in words and numbers, for the tables."""

    cpu: str | None
    ram_gb: float | None
    gpus: tuple[str, ...]  # "NVIDIA GeForce RTX 4090 24 GiB"
    backend: str

    @property
    def summary(self) -> str:
        ram = f"{self.ram_gb:g} GiB RAM" if self.ram_gb is not None else "RAM unknown"
        parts = [self.cpu or "CPU unknown", ram, *(self.gpus or ("no GPU",))]
        return ", ".join(parts)


def hardware_of(machine: Machine) -> MachineHardware:
    ram = machine.memory.ram_total_bytes
    gpus = []
    for gpu in machine.gpus:
        if gpu.unified_memory:
            gpus.append(f"{gpu.name} (unified memory)")
        elif gpu.vram_total_bytes is not None:
            gpus.append(f"{gpu.name} {round(gpu.vram_total_bytes / GIB, 1):g} GiB")
        else:
            gpus.append(f"{gpu.name} (VRAM unknown)")
    return MachineHardware(
        cpu=machine.cpu.name,
        ram_gb=round(ram / GIB, 1) if ram is not None else None,
        gpus=tuple(gpus),
        backend=machine.backend,
    )


@dataclass(frozen=True)
class MachineRow:
    """One machine (the newest report of its id), judged again."""

    origin: str  # the report it comes from
    machine_id: str
    name: str | None
    generated_at: str
    hardware: MachineHardware
    outcomes: tuple[Outcome, ...]
    cost: MachineCost

    @property
    def local(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.kind == "local")

    @property
    def best(self) -> Outcome | None:
        """Its best option: the best-quality local pick, else the largest hybrid share."""
        if self.local:
            return max(self.local, key=_quality)
        hybrid = [o for o in self.outcomes if o.kind == "hybrid"]
        return max(hybrid, key=lambda o: (o.local_share or 0.0, _quality(o))) if hybrid else None


def _quality(o: Outcome) -> tuple[float, float]:
    pick = o.pick
    if pick is None:
        return (-1.0, 0.0)
    return (pick.quality_pct or -1.0, pick.decode_tokens_per_s or 0.0)


@dataclass(frozen=True)
class WorkloadRow:
    name: str
    title: str
    machines: int
    local: int
    hybrid: int
    cloud: int
    not_viable: int  # the workload may not leave the building and nothing here runs it
    models: tuple[tuple[str, int], ...]  # local picks: "Qwen3.6 27B Q6_K", machines, most first

    @property
    def local_share(self) -> float:
        return self.local / self.machines if self.machines else 0.0


@dataclass(frozen=True)
class ModelRow:
    """A model the fleet would run: the machines whose local or hybrid verdict picks it."""

    model_id: str
    model_name: str
    quants: tuple[str, ...]
    machine_ids: tuple[str, ...]
    workloads: tuple[str, ...]
    placements: tuple[tuple[str, int], ...]  # (gpu | partial | cpu, machine × workload pairs)
    decode_tokens_per_s: tuple[float, float, float] | None  # min, median, max per stream
    prefill_tokens_per_s: tuple[float, float, float] | None


@dataclass(frozen=True)
class Suggestion:
    """`change` on these machines makes `workload` viable locally."""

    change: Change
    workload: str
    machine_ids: tuple[str, ...]
    saving_usd_per_month: float  # the machines' current path cost minus the local cost after
    hosts: tuple[str, ...] = ()  # the machines' report names, as the machine list shows them
    lifetime_months: float = 36.0  # the hardware lifetime its payback is judged against

    @property
    def machines(self) -> int:
        return len(self.machine_ids)

    @property
    def total_price_usd(self) -> float | None:
        unit = self.change.unit_price_usd
        return None if unit is None else unit * self.machines

    @property
    def saving_per_usd(self) -> float | None:
        """Monthly saving per USD of the upgrade: the ranking key; None without a price."""
        total = self.total_price_usd
        if total is None:
            return None
        return self.saving_usd_per_month / total if total > 0 else float("inf")

    @property
    def payback_months(self) -> float | None:
        """Months until the saving pays the price; None without a price or without a saving."""
        total = self.total_price_usd
        if total is None or self.saving_usd_per_month <= 0:
            return None
        return total / self.saving_usd_per_month

    @property
    def pays_back(self) -> bool | None:
        """Whether the saving pays the price within the hardware's life (None: price unknown)."""
        if self.total_price_usd is None:
            return None
        payback = self.payback_months
        return payback is not None and payback <= self.lifetime_months

    @property
    def text(self) -> str:
        noun = "machine" if self.machines == 1 else "machines"
        return (
            f"{self.change.label} on {self.machines} {noun} makes the {self.workload} workload "
            "viable locally"
        )


@dataclass(frozen=True)
class Unreached:
    """No change the audit tries makes `workload` local on these machines, and why."""

    workload: str
    machine_ids: tuple[str, ...]
    hosts: tuple[str, ...]
    reason: str

    @property
    def machines(self) -> int:
        return len(self.machine_ids)


@dataclass(frozen=True)
class Replaced:
    """An older report of a machine id, left out for a newer one."""

    origin: str
    machine_id: str
    newer: str


@dataclass(frozen=True)
class FleetAudit:
    generated_at: str
    advisor_version: str
    catalog_version: str
    reports_read: int  # readable reports, before keeping the newest per machine id
    machines: tuple[MachineRow, ...]
    replaced: tuple[Replaced, ...]
    skipped: tuple[Skipped, ...]
    workloads: tuple[WorkloadRow, ...]
    models: tuple[ModelRow, ...]
    cost: FleetCost
    suggestions: tuple[Suggestion, ...]  # best first (see suggestion_rows)
    upgrades_checked: bool
    configurations: int  # distinct machine configurations judged
    evaluations: int  # advise() runs, upgraded machines included
    notes: tuple[str, ...] = ()  # what a reader should know to read the figures right
    servers: SharedServers | None = None  # shared-server plans, when the audit asked for them
    unreached: tuple[Unreached, ...] = ()  # workloads no change makes local, with the reason


def _alike(machines: Sequence[MachineRow]) -> list[tuple[tuple[Outcome, ...], list[MachineRow]]]:
    """The rows' outcomes, each distinct tuple once (the rows of one configuration share
    theirs) with the rows that hold it, in the order the rows first show it: summing a
    configuration once, times its rows, gives what summing every row gives, in the same order
    of first appearance. A local grouping, by the tuples' identity while the rows hold them."""
    rows_of: dict[int, tuple[tuple[Outcome, ...], list[MachineRow]]] = {}
    for row in machines:
        rows_of.setdefault(id(row.outcomes), (row.outcomes, []))[1].append(row)
    return list(rows_of.values())


def workload_rows(
    machines: Sequence[MachineRow], titles: dict[str, str]
) -> tuple[WorkloadRow, ...]:
    by_name: dict[str, list[tuple[Outcome, int]]] = defaultdict(list)
    for outcomes, rows in _alike(machines):
        for outcome in outcomes:
            by_name[outcome.workload].append((outcome, len(rows)))
    rows = []
    for name, outs in by_name.items():
        kinds: Counter[str] = Counter()
        picks: Counter[str] = Counter()
        for o, n in outs:
            kinds[o.kind] += n
            if o.kind == "local" and o.pick:
                picks[_label(o)] += n
        rows.append(
            WorkloadRow(
                name=name,
                title=titles.get(name, name),
                machines=sum(n for _, n in outs),
                local=kinds["local"],
                hybrid=kinds["hybrid"],
                cloud=kinds["cloud"],
                not_viable=kinds["not_viable"],
                models=tuple(sorted(picks.items(), key=lambda kv: (-kv[1], kv[0]))),
            )
        )
    return tuple(sorted(rows, key=lambda r: (-r.local_share, r.name)))


def _label(o: Outcome) -> str:
    assert o.pick is not None
    return f"{o.pick.model_name} {o.pick.quant}"


def model_rows(machines: Sequence[MachineRow]) -> tuple[ModelRow, ...]:
    runs: dict[str, list[tuple[list[MachineRow], Outcome]]] = defaultdict(list)
    for outcomes, rows in _alike(machines):
        for o in outcomes:
            if o.kind in ("local", "hybrid") and o.pick is not None:
                runs[o.pick.model_id].append((rows, o))
    rows = [_model_row(pairs) for pairs in runs.values()]
    return tuple(sorted(rows, key=lambda r: (-len(r.machine_ids), r.model_name)))


def _model_row(pairs: list[tuple[list[MachineRow], Outcome]]) -> ModelRow:
    """One model's row from (rows, outcome) pairs: each outcome counts once per row."""
    picks = [(o.pick, len(rows)) for rows, o in pairs if o.pick is not None]
    placements: Counter[str] = Counter()
    decode: list[float | None] = []
    prefill: list[float | None] = []
    for p, n in picks:
        placements[p.placement] += n
        decode += [p.decode_tokens_per_s] * n
        prefill += [p.prefill_tokens_per_s] * n
    first = picks[0][0]
    return ModelRow(
        model_id=first.model_id,
        model_name=first.model_name,
        quants=tuple(sorted({p.quant for p, _ in picks})),
        machine_ids=tuple(sorted({r.machine_id for rows, _ in pairs for r in rows})),
        workloads=tuple(sorted({o.workload for _, o in pairs})),
        placements=tuple(sorted(placements.items())),
        decode_tokens_per_s=_spread(decode),
        prefill_tokens_per_s=_spread(prefill),
    )


def _spread(values: list[float | None]) -> tuple[float, float, float] | None:
    known = [v for v in values if v is not None]
    if not known:
        return None
    return (min(known), statistics.median(known), max(known))


def _saving(before: Outcome, after: Outcome) -> float:
    """USD a month: what the workload's path costs now, less running it locally after."""
    now = before.path_usd_per_month
    if now is None:  # no priced path today: nothing to save against
        return 0.0
    return now - (after.local_usd_per_month or 0.0)


UPGRADE_RANKING = (
    "ranked by monthly saving per USD of the upgrade; upgrades without a price follow, by "
    "saving; upgrades that do not pay back within the hardware's life come last"
)


def suggestion_rows(
    found: Sequence[tuple[Change, str, MachineRow, Outcome, Outcome]],
    lifetime_months: float = 36.0,
) -> tuple[Suggestion, ...]:
    """Group (change, workload, machine, outcome before, outcome after) by change and workload,
    ranked as UPGRADE_RANKING says."""
    grouped: dict[tuple[Change, str], list[tuple[MachineRow, float]]] = defaultdict(list)
    for change, workload, row, before, after in found:
        grouped[(change, workload)].append((row, _saving(before, after)))
    rows = [
        Suggestion(
            change=change,
            workload=workload,
            machine_ids=tuple(sorted(r.machine_id for r, _ in items)),
            saving_usd_per_month=sum(s for _, s in items),
            hosts=tuple(sorted(host_label(r) for r, _ in items)),
            lifetime_months=lifetime_months,
        )
        for (change, workload), items in grouped.items()
    ]
    return tuple(sorted(rows, key=upgrade_rank))


def upgrade_rank(s: Suggestion) -> tuple:
    """Paying back within the hardware's life, best saving per USD first; then unpriced, by
    saving; then those that never pay back in time. The label last: ties keep no trace of the
    order the upgrade search found them in."""
    order = {"ram": 0, "vram": 1, "gpu": 2}
    tail = (-s.machines, order[s.change.kind], s.change.size_gb, s.workload, s.change.label)
    if s.pays_back:
        return (0, -(s.saving_per_usd or 0.0), *tail)
    if s.pays_back is None:
        return (1, -s.saving_usd_per_month, *tail)
    return (2, -(s.saving_per_usd or 0.0), *tail)


def unreached_rows(
    missed: Sequence[tuple[str, str, MachineRow]],
) -> tuple[Unreached, ...]:
    """Group (workload, reason, machine) by workload and reason, most machines first."""
    grouped: dict[tuple[str, str], list[MachineRow]] = defaultdict(list)
    for workload, reason, row in missed:
        grouped[(workload, reason)].append(row)
    rows = [
        Unreached(
            workload=workload,
            machine_ids=tuple(sorted(r.machine_id for r in items)),
            hosts=tuple(sorted(host_label(r) for r in items)),
            reason=reason,
        )
        for (workload, reason), items in grouped.items()
    ]
    return tuple(sorted(rows, key=lambda u: (-u.machines, u.workload, u.reason)))


def host_label(row: MachineRow) -> str:
    """The report's file name (with its line for JSON lines): it tells IT which machine it is."""
    return file_name(row.origin)


def file_name(origin: str) -> str:
    """`PurePath(origin).name`, without building a path for the common case (a fleet's
    10,000 labels): a POSIX path whose last part is a plain name."""
    if os.sep == "/" and os.altsep is None:
        tail = origin.rpartition("/")[2]
        if tail and tail != ".":
            return tail
    from pathlib import PurePath

    return PurePath(origin).name
