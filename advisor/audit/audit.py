"""run_audit: read the reports, keep the newest per machine, judge every machine again with
today's catalog and prices, look for upgrades, and sum it up for the fleet."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from advisor import __version__
from advisor.audit.cache import OutcomeCache
from advisor.audit.costs import FleetCost, MachineCost, fleet_cost, machine_cost
from advisor.audit.evaluate import Evaluator, Failure, Outcome, Request
from advisor.audit.fleet import (
    FleetAudit,
    MachineHardware,
    MachineRow,
    ModelRow,
    Replaced,
    WorkloadRow,
    hardware_of,
    model_rows,
    suggestion_rows,
    unreached_rows,
    workload_rows,
)
from advisor.audit.keys import digest
from advisor.audit.notes import id_notes, judging_notes, workload_notes
from advisor.audit.parse import Group, ReportReader, ReportRef
from advisor.audit.read import Started, read_reports
from advisor.audit.sources import Skipped
from advisor.audit.suggest import Found, Missed, Target, request_key, search
from advisor.errors import InputError
from advisor.verdict.seats import SeatPlan

if TYPE_CHECKING:
    from advisor.advice_options import AdviceOptions
    from advisor.catalog.model import Catalog
    from advisor.workload import Workload

Progress = Callable[[str], None]


@dataclass(frozen=True)
class AuditSettings:
    """What the audit's flags and config file change. Amounts in USD."""

    workloads: tuple[Workload, ...] | None = None  # None: the workloads each report carries
    # (PCT, where it was given): every workload judged against the user's quality floor
    min_quality: tuple[float, str] | None = None
    electricity_usd_per_kwh: float | None = None  # every machine at this price
    region: str | None = None  # every machine at this region's price
    seats: tuple[SeatPlan, ...] = ()
    ram_usd_per_gb: float | None = None
    upgrades: bool = True
    servers: tuple[str, ...] = ()  # server profiles to plan the fleet's shared servers on
    # (profile, USD a server) the fleet would pay: counted in the servers' cost; a profile
    # without one has its hardware excluded, and says so
    server_prices: tuple[tuple[str, float], ...] = ()
    jobs: int = 1
    cache: bool = False  # keep verdicts between audits (the command turns it on)


@dataclass(frozen=True)
class _Plan:
    """A group's request as judged: the prices and workloads after the audit's settings."""

    request: Request
    options_key: bytes


@dataclass
class _Run:
    """What one audit gathers on its way to the summary."""

    reader: ReportReader
    refs: list[ReportRef]  # every readable report
    kept: list[ReportRef]  # the newest per machine id, and judged
    replaced: list[Replaced]
    skipped: list[Skipped]
    plans: dict[bytes, _Plan]  # group key -> its request
    outcomes: dict[bytes, tuple[Outcome, ...]] = dataclasses.field(default_factory=dict)
    found: list[Found] = dataclasses.field(default_factory=list)
    missed: list[Missed] = dataclasses.field(default_factory=list)
    evaluations: int = 0


def run_audit(
    paths: Sequence[str],
    catalog: Catalog,
    settings: AuditSettings = AuditSettings(),
    *,
    stdin: BinaryIO | None = None,
    progress: Progress | None = None,
    started: Started | None = None,
) -> FleetAudit:
    """The audit of the reports `paths` name (`started`: their reading as
    advisor.audit.read.start_reading began it, with settings.jobs)."""
    from advisor.files.disk_cache import no_cycle_collection

    # Reading, judging and summing up build millions of objects and no reference cycle (the
    # read and the judgements already ran with the collector off): with it on, the summary
    # of 10,000 reports set off a full pass over the whole heap, ~0.1 s of CPU while both
    # workers stood idle (gc.callbacks, 2026-12-07).
    with no_cycle_collection():
        return _run_audit(paths, catalog, settings, stdin, progress, started)


def _run_audit(
    paths: Sequence[str],
    catalog: Catalog,
    settings: AuditSettings,
    stdin: BinaryIO | None,
    progress: Progress | None,
    started: Started | None,
) -> FleetAudit:
    say = progress or (lambda _: None)
    reader = ReportReader()
    floored: dict[bytes, tuple[Workload, bytes]] = {}  # one floored copy per distinct workload
    cache = OutcomeCache(catalog) if settings.cache else None
    with Evaluator(catalog, jobs=settings.jobs, known=cache.load() if cache else {}) as evaluator:

        def first_judged() -> None:
            """The first configuration, judged while worker processes read the rest: the
            warm-up the judging would otherwise start with, one core idle, and its workers
            are forked with these caches warm."""
            group = next(iter(reader.groups.values()), None)
            if group is not None:
                evaluator.prefetch(_plan(group, settings, floored).request)

        refs, skipped = read_reports(paths, stdin, reader, settings.jobs, first_judged, started)
        kept, replaced = _newest(refs)
        say(f"read {len(refs)} reports: {len(kept)} machines, {len(reader.groups)} configurations")
        plans = {k: _plan(reader.groups[k], settings, floored) for k in {r.group for r in kept}}
        run = _Run(reader, refs, kept, replaced, skipped, plans)
        _judge(run, evaluator, say)
        early: list[_Parts] = []
        if settings.upgrades:
            targets = _targets(run)
            # What the summary takes from the judgements alone is worked out in the first
            # upgrade round, while the workers judge it, rather than after the last round
            # with them stopped.
            evaluator.meanwhile(lambda: early.append(_parts(catalog, settings, run)))
            searched = search(targets, evaluator, settings.ram_usd_per_gb)
            evaluator.meanwhile(None)
            run.found, run.missed = searched.found, searched.missed
            say(f"tried upgrades on {len(targets)} configurations")
        run.evaluations = evaluator.judged
        if cache is not None and run.evaluations:
            cache.save(evaluator.used())
    return _summary(catalog, settings, run, early[0] if early else _parts(catalog, settings, run))


def _judge(run: _Run, evaluator: Evaluator, say: Progress) -> None:
    """Judge every kept configuration; reports whose configuration advise() refused are
    skipped with its reason."""
    evaluator.evaluate(p.request for p in run.plans.values())
    distinct = len({p.request.key for p in run.plans.values()})
    say(
        f"judged {distinct} configurations ({distinct - evaluator.judged} kept from an earlier "
        "audit)"
    )
    failed: dict[bytes, str] = {}
    for group, plan in run.plans.items():
        request = plan.request
        results = [evaluator.result(request.key, k) for k in request.workload_keys]
        failure = next((r for r in results if isinstance(r, Failure)), None)
        if failure is not None:
            failed[group] = failure.message
        else:
            run.outcomes[group] = tuple(results)  # type: ignore[arg-type]
    run.skipped += [
        Skipped(r.origin, f"could not be judged again: {failed[r.group]}")
        for r in run.kept
        if r.group in failed
    ]
    run.kept = [r for r in run.kept if r.group not in failed]


def _newest(refs: list[ReportRef]) -> tuple[list[ReportRef], list[Replaced]]:
    """One report per machine id: the newest by generated_at (on a tie, the one read last)."""
    best: dict[str, ReportRef] = {}
    for ref in refs:
        held = best.get(ref.machine_id)
        if held is None or ref.generated_at >= held.generated_at:
            best[ref.machine_id] = ref
    winners = {id(r) for r in best.values()}
    replaced = [
        Replaced(r.origin, r.machine_id, best[r.machine_id].origin)
        for r in refs
        if id(r) not in winners
    ]
    return list(best.values()), replaced


def _plan(
    group: Group, settings: AuditSettings, floored: dict[bytes, tuple[Workload, bytes]]
) -> _Plan:
    inputs = group.inputs
    options = _options(inputs.options, settings)
    options_key = digest(
        [
            options.electricity_usd_per_kwh,
            options.region,
            options.hardware_price_usd,
            options.lifetime_months,
        ]
    )
    if settings.workloads is not None:
        workloads = settings.workloads
        keys = tuple(digest(dataclasses.asdict(w)) for w in workloads)
    else:
        workloads, keys = inputs.workloads, group.workload_keys
    if settings.min_quality is not None:
        workloads, keys = _with_floor(workloads, keys, settings.min_quality, floored)
    key = request_key(group.machine_key, group.measurements_key, options_key)
    request = Request(key, inputs.machine, inputs.measurements, options, workloads, keys)
    return _Plan(request, options_key)


def _with_floor(
    workloads: tuple[Workload, ...],
    keys: tuple[bytes, ...],
    floor: tuple[float, str],
    floored: dict[bytes, tuple[Workload, bytes]],
) -> tuple[tuple[Workload, ...], tuple[bytes, ...]]:
    """`workloads` judged against the user's floor (--min-quality), with their new keys;
    `floored` holds the copy of each distinct workload made so far."""
    from advisor.workload import with_user_floor

    pairs = []
    for workload, key in zip(workloads, keys, strict=True):
        if key not in floored:
            copy = with_user_floor(workload, *floor)
            floored[key] = (copy, digest(dataclasses.asdict(copy)))
        pairs.append(floored[key])
    return tuple(w for w, _ in pairs), tuple(k for _, k in pairs)


def _options(options: AdviceOptions, settings: AuditSettings) -> AdviceOptions:
    """The report's prices, with the audit's electricity price or region over them; estimates
    are not cached on disk (an audit judges each configuration once)."""
    price, region = options.electricity_usd_per_kwh, options.region
    if settings.electricity_usd_per_kwh is not None:
        price = settings.electricity_usd_per_kwh
    elif settings.region is not None:
        price, region = None, settings.region
    return dataclasses.replace(
        options, electricity_usd_per_kwh=price, region=region, cache=False, top_candidates=1
    )


def _targets(run: _Run) -> list[Target]:
    targets = []
    for key, outs in run.outcomes.items():
        plan = run.plans[key]
        request = plan.request
        failing = tuple(
            (w, k)
            for w, k, o in zip(request.workloads, request.workload_keys, outs, strict=True)
            if o.kind != "local"
        )
        if failing:
            targets.append(
                Target(
                    group=key,
                    machine=request.machine,
                    measurements=request.measurements,
                    measurements_key=run.reader.groups[key].measurements_key,
                    options=request.options,
                    options_key=plan.options_key,
                    failing=failing,
                )
            )
    return targets


@dataclass(frozen=True)
class _Parts:
    """What the summary takes from the judgements alone (not from the upgrade search)."""

    kept: list[ReportRef]  # sorted by file name
    rows: tuple[MachineRow, ...]
    by_group: dict[bytes, list[MachineRow]]
    workloads: tuple[WorkloadRow, ...]
    models: tuple[ModelRow, ...]
    cost: FleetCost
    notes: tuple[str, ...]


def _parts(catalog: Catalog, settings: AuditSettings, run: _Run) -> _Parts:
    kept = sorted(run.kept, key=lambda r: r.origin)
    shared = {g: _group_parts(g, run, settings, len(kept)) for g in {r.group for r in kept}}
    rows = [_machine_row(r, run.outcomes[r.group], *shared[r.group]) for r in kept]
    by_group: dict[bytes, list[MachineRow]] = {}
    for ref, row in zip(kept, rows, strict=True):
        by_group.setdefault(ref.group, []).append(row)
    titles = {w.name: w.title for p in run.plans.values() for w in p.request.workloads}
    return _Parts(
        kept=kept,
        rows=tuple(rows),
        by_group=by_group,
        workloads=workload_rows(rows, titles),
        models=model_rows(rows),
        cost=fleet_cost([(r.cost, r.outcomes) for r in rows], settings.seats),
        notes=judging_notes(catalog, settings.min_quality)
        + workload_notes(run.plans[g].request for g in {r.group for r in run.kept})
        + id_notes(run.replaced),
    )


def _summary(catalog: Catalog, settings: AuditSettings, run: _Run, parts: _Parts) -> FleetAudit:
    from advisor.advise import now_utc

    by_group = parts.by_group
    return FleetAudit(
        generated_at=now_utc(),
        advisor_version=__version__,
        catalog_version=catalog.catalog_version,
        reports_read=len(run.refs),
        machines=parts.rows,
        replaced=tuple(run.replaced),
        skipped=tuple(run.skipped),
        workloads=parts.workloads,
        models=parts.models,
        cost=parts.cost,
        suggestions=_suggestions(run.found, by_group, run.outcomes, _lifetime(run)),
        upgrades_checked=settings.upgrades,
        configurations=len({run.plans[g].request.key for g in run.outcomes}),
        evaluations=run.evaluations,
        notes=parts.notes,
        servers=_servers(catalog, settings, run, parts.kept),
        unreached=unreached_rows(
            [(m.workload, m.reason, row) for m in run.missed for row in by_group.get(m.group, [])]
        ),
    )


def _lifetime(run: _Run) -> float:
    """The hardware lifetime upgrades' payback is judged against: the config's (or the
    default), as advise() reads it for the machines themselves."""
    from advisor.advise import hardware_lifetime_months
    from advisor.config import DEFAULT_LIFETIME_MONTHS

    for plan in run.plans.values():
        return hardware_lifetime_months(plan.request.options)
    return float(DEFAULT_LIFETIME_MONTHS)


def _servers(catalog: Catalog, settings: AuditSettings, run: _Run, kept: list[ReportRef]):
    """The shared-server plans for the people behind the kept machines (advisor.audit.servers)."""
    if not settings.servers or not kept:
        return None
    from advisor.advice_options import AdviceOptions
    from advisor.audit.servers import interactive_people, shared_servers

    people = interactive_people(run.plans[r.group].request.workloads for r in kept)
    options = AdviceOptions(
        electricity_usd_per_kwh=settings.electricity_usd_per_kwh, region=settings.region
    )
    return shared_servers(catalog, people, settings.servers, settings.seats, options,
                          dict(settings.server_prices))  # fmt: skip


def _group_parts(
    group: bytes, run: _Run, settings: AuditSettings, machines: int
) -> tuple[MachineHardware, MachineCost]:
    """What every machine of one configuration shares: its hardware and its cost share (a
    function of the configuration's outcomes, workloads and the seats), made once."""
    outcomes = run.outcomes[group]
    hardware = hardware_of(run.reader.groups[group].inputs.machine)
    workloads = run.plans[group].request.workloads
    return hardware, machine_cost(outcomes, workloads, settings.seats, machines)


def _machine_row(
    ref: ReportRef, outcomes: tuple[Outcome, ...], hardware: MachineHardware, cost: MachineCost
) -> MachineRow:
    return MachineRow(
        origin=ref.origin,
        machine_id=ref.machine_id,
        name=ref.machine_name,
        generated_at=ref.generated_at.isoformat().replace("+00:00", "Z"),
        hardware=hardware,
        outcomes=outcomes,
        cost=cost,
    )


def _suggestions(found, by_group, outcomes, lifetime_months: float):
    items = []
    for f in found:
        before = next(o for o in outcomes[f.group] if o.workload == f.workload)
        for row in by_group.get(f.group, []):
            items.append((f.change, f.workload, row, before, f.after))
    return suggestion_rows(items, lifetime_months)


def check_any_read(audit: FleetAudit) -> None:
    """Refuse an audit with no machine in it: every report was skipped, or none was given."""
    if audit.machines:
        return
    if audit.skipped:
        raise InputError(
            f"no report could be used ({len(audit.skipped)} skipped; reasons above)",
            hint="check the paths; each report comes from `advisor report --json --anonymize`",
        )
    raise InputError("no reports found", hint="pass report files, folders, globs, or - for stdin")
