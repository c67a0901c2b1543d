"""The cheapest change that would make local work, for verdicts that run nothing here.

A cloud or not-viable verdict claims no saving for an option that fails a check; it says
instead what would make local work. No model or quant in the catalog passes every check here
(else the verdict would rest on it), so the changes are hardware: more RAM, a larger-memory
variant of the GPU, another GPU (advisor.probe.specs.upgrades builds each changed machine the way
the probe would describe it, with list prices from the spec table where it has them). Each
changed machine is judged by advisor.advise.judge, asked only whether each workload runs
locally: the same checks, the same catalog and prices. Of each kind of change the largest is
tried first; when even it does not make the workload local, the smaller ones are not tried.
The answers are kept in the user cache (advisor.files.disk_cache) under everything they depend
on, so a warm report repeats no search and builds no changed machine. On a first report the
search may run in a forked child while the verdicts are judged (advisor.remedies_ahead); both
ways share search_works.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from advisor.frozen import FrozenMap
from advisor.verdict.remedy import Remedy

if TYPE_CHECKING:
    from advisor.advice_options import AdviceOptions
    from advisor.bench.measurement import Measurement
    from advisor.catalog.model import Catalog
    from advisor.files.disk_cache import DictStore
    from advisor.probe.machine import Machine
    from advisor.probe.specs.upgrades import Change
    from advisor.verdict.cloud_prices import CloudPrices
    from advisor.verdict.verdict import Verdict

NEEDS_REMEDY = ("cloud", "not_viable")

# advise.judge, passed in by advise() (which imports this module): judge(machine, catalog,
# workloads, options, local_only=True) -> verdicts.
Judge = Callable[..., "Sequence[Verdict]"]


def with_remedies(
    machine: Machine,
    catalog: Catalog,
    verdicts: Sequence[Verdict],
    options: AdviceOptions,
    measurements: Sequence[Measurement],
    judge: Judge,
    prices: CloudPrices | None = None,
    ahead: Ahead | None = None,
) -> list[Verdict]:
    """The verdicts, each that runs nothing here because a check fails given its remedy;
    `judge` (advise.judge) judges each changed machine; `prices`: the cloud prices the verdicts
    were judged at (advise's session: the changed machines' workloads are the same, so they are
    not priced again, ~5 ms CPU on a first report), else a new session for `catalog`; `ahead`:
    the search started while the verdicts were judged (advisor.remedies_ahead), whose answer
    is taken when it gives one."""
    pending = [v for v in verdicts if needs_remedy(v)]
    if not pending:
        return list(verdicts)
    if prices is None or prices.catalog is not catalog:
        from advisor.verdict.cloud_prices import CloudPrices

        prices = CloudPrices(catalog)
    workloads = [v.workload for v in verdicts]
    found = _cached_search(machine, catalog, workloads, pending, options, measurements, judge,
                           prices, ahead)  # fmt: skip
    remedies = _remedies(found, pending, catalog)
    out = []
    for v in verdicts:
        remedy = remedies.get(v.workload.name)
        if remedy is not None:
            v = dataclasses.replace(v, remedy=remedy, reasons=(*v.reasons, remedy.text))
        out.append(v)
    return out


@dataclass(frozen=True)
class Found:
    """What the search works out, before any Remedy is written: for each workload it was asked
    about, the changes that make it local, each with the option it would then run on; and of
    the machine alone, the largest change of each kind (labels, tried first) and why a kind of
    change is not tried here (limits). A workload's changes do not depend on the others asked
    about with it (each is judged on its own), so a search over more workloads gives each of
    the fewer the same answer: the search ahead asks about them all."""

    works: FrozenMap[str, tuple[tuple[Change, str], ...]]
    largest: tuple[str, ...]
    blocked: tuple[str, ...]

    def covers(self, names: Iterable[str]) -> bool:
        return all(name in self.works for name in names)


def _cached_search(
    machine, catalog, workloads, pending, options, measurements, judge, prices, ahead
) -> Found:
    names = [v.workload.name for v in pending]

    def search() -> Found:
        found = ahead.found(names) if ahead is not None else None
        if found is None:  # no search ahead, or it gave no answer: search in line
            asked = [v.workload for v in pending]
            found = search_works(machine, asked, options, measurements, judge, prices)
        return found

    if not options.cache:
        return search()
    if ahead is not None and ahead.store is not None:  # read as the search ahead started
        store, stored = ahead.store, ahead.stored
    else:
        store = remedy_store(machine, catalog, workloads, options, measurements)
        stored = stored_found(store)
    if stored is not None and stored.covers(names):
        return stored
    found = search()
    store.write({**found.works, MACHINE_KEY: (found.largest, found.blocked)})
    return found


class Ahead(Protocol):
    """The search started while the verdicts are judged (advisor.remedies_ahead.Ahead, which
    imports this module): the remedy cache as it read it (`store` None: not read), and the
    child's answer when it covers `names`."""

    store: DictStore | None
    stored: Found | None

    def found(self, names: Sequence[str]) -> Found | None: ...


# What decides a remedy besides the estimator's sources (advisor.estimate.cache's SOURCES, with
# the catalog and spec-table code and data): the whole verdict stage (power_for, confidence,
# electricity, the Remedy itself...), advise(), the probe (upgrades, power, the machine it
# changes), the workloads, the measurements' calibration, and the frozen values they pass.
SOURCES = (
    "remedies.py",
    "remedies_ahead.py",
    "advise.py",
    "advice_options.py",
    "verdict",
    "probe",
    "workload.py",
    "config.py",
    "units.py",
    "frozen.py",
    "bench/measurement.py",
    "bench/calibrate/from_store.py",
    "bench/calibrate/estimates.py",
    "bench/store/codec.py",
    "bench/batched.py",
    "bench/model_file/identity.py",
    "bench/kernels/name.py",
)
# In a stored search, the key of the machine's part (Found.largest and .blocked) beside each
# workload's changes (under its name: a string)
MACHINE_KEY = ("machine",)


def remedy_store(machine, catalog, workloads, options, measurements) -> DictStore:
    """Where the searches for these workloads on this machine are kept: one file per everything
    a remedy depends on (the whole list of workloads, not only those searched: a search ahead
    answers for all of them, one in line for those that need a remedy), in which each search
    adds its workloads' changes."""
    import hashlib

    from advisor.estimate.cache import machine_text
    from advisor.files.disk_cache import KEEP_ANSWERS, DictStore
    from advisor.probe.specs.upgrades import is_laptop

    config = options.config
    # machine_text leaves the battery state out; a profile's on_battery makes a laptop
    hardware = (_hardware_text(machine_text(machine)), is_laptop(machine))
    identity = repr((
        hardware, catalog.digest, repr(measurements),
        [repr(w) for w in workloads], options.electricity_usd_per_kwh, options.region,
        options.hardware_price_usd, options.lifetime_months,
        config and (config.prices, config.region),
    ))  # fmt: skip
    params = (code_stamp(), hashlib.sha256(identity.encode()).hexdigest())
    # The code's stamp is in the params (worked out once, advisor.advice_ahead), not the sources
    return DictStore("remedies", (), params, keep=KEEP_ANSWERS)


def stored_found(store: DictStore) -> Found | None:
    """What `store` keeps, as one search's answer (None: nothing kept, or not in this shape)."""
    data = store.read()
    part = data.pop(MACHINE_KEY, None)
    if not isinstance(part, tuple) or len(part) != 2:
        return None
    if not all(isinstance(k, str) and isinstance(v, tuple) for k, v in data.items()):
        return None
    return Found(FrozenMap(data), *part)


def code_stamp() -> str:
    """The stamp of the code a remedy depends on: the estimator's sources and SOURCES."""
    from advisor.estimate.cache import SOURCES as ESTIMATOR_SOURCES
    from advisor.files.disk_cache import code_stamp as stamp

    return stamp((*ESTIMATOR_SOURCES, *SOURCES))


def _hardware_text(text: str) -> str:
    """The machine's text less its measured RAM bandwidth: the live probe repeats the copy test
    and keeps the best, so the figure rises over the first runs; a remedy is about hardware,
    and a better bandwidth figure alone does not search again (the estimates do follow it).
    machine_text already leaves out the copy test's date and source text."""
    import json

    data = json.loads(text)
    data.get("cpu", {}).pop("memory_bandwidth_measured_gbs", None)
    return json.dumps(data, sort_keys=True)


def needs_remedy(verdict: Verdict) -> bool:
    """Whether the verdict runs nothing here because a check fails (it is given a remedy)."""
    return verdict.kind in NEEDS_REMEDY and _fails_a_check(verdict)


def _fails_a_check(verdict: Verdict) -> bool:
    """Whether local lost on a check (not on cost alone: then nothing needs to change)."""
    return verdict.option is None or not verdict.option.passed()


def search_works(machine, workloads, options, measurements, judge, prices) -> Found:
    """The changes that make each of `workloads` local on `machine` (the search's machine work,
    in line or in the child of advisor.remedies_ahead)."""
    from advisor.probe.specs.upgrades import gpu_changes, limits, ram_changes, vram_changes

    # `prices`: the same workloads on every changed machine, priced once
    kinds = [ram_changes(machine, None), vram_changes(machine), gpu_changes(machine)]
    largest = tuple(changes[-1].label for changes in kinds if changes)
    works: dict[str, list[tuple[Change, str]]] = {w.name: [] for w in workloads}
    for changes in kinds:
        if not changes:
            continue
        left = list(workloads)
        for change in reversed(changes):  # the largest first: if it fails, so do the rest
            local = _local_after(machine, prices, left, change, options, measurements, judge)
            if not local:
                break
            for name, option in local.items():
                works[name].append((change, option))
            left = [w for w in left if w.name in local]
    blocked = limits(machine)  # why a kind of change is not tried here, in words
    return Found(FrozenMap({n: tuple(w) for n, w in works.items()}), largest, blocked)


def _remedies(found: Found, pending: Sequence[Verdict], catalog) -> dict[str, Remedy]:
    """The remedy of each pending verdict, from what the search found."""
    return {
        v.workload.name: _remedy(v, list(found.works[v.workload.name]), found.largest, catalog,
                                 found.blocked)
        for v in pending
    }  # fmt: skip


def _local_after(
    machine, prices, workloads, change, options, measurements, judge
) -> dict[str, str]:
    """{workload name: the option it would run on} for those local after the change."""
    from advisor.probe.specs.upgrades import apply_change
    from advisor.verdict.hybrid import option_name

    changed = apply_change(machine, change)
    kept = tuple(measurements) if change.keeps_measurements else ()
    lean = dataclasses.replace(options, cache=False, measurements=kept, no_cloud=False)
    verdicts = judge(changed, prices.catalog, workloads, lean, local_only=True, prices=prices)
    return {
        v.workload.name: option_name(v.option)
        for v in verdicts
        if v.kind == "local" and v.option is not None
    }


def _price_key(pair: tuple[Change, str]) -> tuple[bool, float, float]:
    change = pair[0]
    price = change.unit_price_usd
    return (price is None, price or 0.0, change.size_gb)


def _remedy(verdict: Verdict, works: list[tuple[Change, str]], largest: tuple[str, ...],
            catalog, blocked: tuple[str, ...] = ()) -> Remedy:  # fmt: skip
    if not works:
        return _none(verdict, largest, catalog, blocked)
    change, option = min(works, key=_price_key)
    price = change.unit_price_usd
    if price is not None:
        cost = f"list price {price:,.0f} USD ({change.price_source})"
    else:
        cost = "price unknown (the spec tables carry no price for it)"
    text = f"what would make local work: {change.label}, {cost}; then {option} passes every check"
    ram = [p for p in works if p[0].kind == "ram" and p[0] is not change]
    if price is not None and ram:  # RAM has no price here: it may well be cheaper
        other = min(ram, key=_price_key)[0]
        text += f" (or {other.label}, price unknown)"
    return Remedy(change.kind, change.label, price, change.price_source, option, text)


def _none(verdict: Verdict, largest: tuple[str, ...], catalog, blocked: tuple[str, ...]) -> Remedy:
    from advisor.verdict.reach import best_on_task, out_of_reach

    w = verdict.workload
    unreached = out_of_reach(w, best_on_task(catalog, w, verdict.cloud.frontier_index))
    if unreached is not None:
        text = (
            f"what would make local work: no hardware would: {unreached}; only a lower floor "
            "(--min-quality PCT, or min_quality_pct in your workload file)"
        )
        if verdict.kind == "not_viable":
            text += " or allowing the cloud"
        return Remedy("none", None, None, None, None, text)
    if not largest:
        why = "this machine takes no change this advisor knows of" + (
            f" ({'; '.join(blocked)})" if blocked else ""
        )
    else:
        why = f"no hardware change this advisor tries does, up to {' or '.join(largest)}"
    # A floor of 0 (the user's "any quality will do") cannot be lowered: don't offer it.
    lower = ", or a lower quality floor" if w.quality_floor_pct > 0 else ""
    text = f"what would make local work: {why}; another machine{lower}"
    if verdict.kind == "not_viable":
        text += ", or allowing the cloud"
    return Remedy("none", None, None, None, None, text)
