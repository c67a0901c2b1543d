"""advise(): the one call every front end uses (report, TUI, audit) to get the verdicts.

It takes a machine, the catalog, the workloads and the prices, finds the local options the
estimator places on the machine for each workload, prices every path, and decides. It is lazy:
it estimates only the models a verdict or the candidate list needs, and the same question asked
again reads the answer back (advisor.advice_cache).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from advisor.advice_options import AdviceOptions, HardwareBasis
from advisor.estimate.placement import PlacementKind
from advisor.verdict.electricity import ElectricityRate, resolve_rate
from advisor.verdict.local import HardwareCost
from advisor.verdict.options import SpeedStatus

if TYPE_CHECKING:
    from advisor.bench.measurement import Measurement
    from advisor.catalog.model import Catalog
    from advisor.estimate.cache import EstimateCache
    from advisor.estimate.calibration.values import Calibration
    from advisor.probe.machine import Machine
    from advisor.verdict.cloud_prices import CloudPrices
    from advisor.verdict.gather import Gather
    from advisor.verdict.options import LocalOption
    from advisor.verdict.power_for import PowerFor
    from advisor.verdict.search import OptionSearch
    from advisor.verdict.verdict import Verdict
    from advisor.workload import Workload

# This machine's throughput tests and the calibration they imply (advise._measured)
Measured = tuple["tuple[Measurement, ...]", "Calibration | None"]
DEFAULT_TOP_CANDIDATES = 5
MAX_MEASUREMENTS = 50  # the newest throughput tests a report carries
BENCH_STORE_NAME = "bench.sqlite"  # advisor.bench.store.db.STORE_NAME, without importing sqlite


@dataclass(frozen=True)
class HardwareChoice:
    """Owned (no price counted) or bought at a price the user gave (flag or config). A
    profile's list price is shown for reference and counted only when the user says so."""

    hardware: HardwareCost
    basis: HardwareBasis
    list_price_usd: float | None = None  # the profile's list price, not counted

    @property
    def bought(self) -> bool:
        return self.basis in ("flag", "config")


@dataclass(frozen=True)
class TopCandidate:
    """One of the best model files the verdicts looked at, by the estimator's ranking score
    (quality × speed × headroom), at the context of the workload it was judged for."""

    __pydantic_config__ = {"extra": "forbid"}  # read back from a report: no other keys

    rank: int
    model_id: str
    model_name: str
    quant: str
    placement: PlacementKind
    fits: bool
    context_tokens: int
    memory_total_bytes: int
    max_context_tokens: int | None
    decode_tokens_per_s: float | None
    decode_range: tuple[float, float] | None
    prefill_tokens_per_s: float | None
    prefill_range: tuple[float, float] | None
    speed_status: SpeedStatus
    measured_decode_tokens_per_s: float | None
    measured_prefill_tokens_per_s: float | None
    intelligence_index: float | None  # as published, before any quant adjustment
    coding_index: float | None


@dataclass(frozen=True)
class Advice:
    machine: Machine
    machine_id: str  # salted hash of the hardware and the host's own ids: same machine, same id
    catalog_version: str
    generated_at: str  # ISO 8601, UTC
    rate: ElectricityRate
    hardware: HardwareChoice
    config_path: str | None
    workloads: tuple[Workload, ...]
    verdicts: tuple[Verdict, ...]
    candidates: tuple[TopCandidate, ...]
    measurements: tuple[Measurement, ...]


def machine_id(machine: Machine, *, salt: str = "") -> str:
    """A stable id that says nothing about the machine: a salted hash of its hardware
    fingerprint and the first host id it has: the OS's installation id (/etc/machine-id,
    IOPlatformUUID), else its GPUs' UUIDs and serials, else its hostname. So two laptops of one
    model keep apart once --anonymize has removed those, and a renamed host with an
    installation id keeps its id. A profile (no host ids) is named by its hardware alone.

    `salt`: a secret of this installation (advisor.report.anonymize), for anonymized reports,
    whose id must not be recomputable from what the report shows plus a guessed hostname."""
    from advisor.probe import machine_fingerprint

    gpus = sorted(f"{g.uuid}/{g.serial}" for g in machine.gpus if g.uuid or g.serial)
    host = machine.host_id or (json.dumps(gpus) if gpus else None) or machine.hostname
    identity = machine_fingerprint(machine) + (f":{host}" if host else "")
    key = f"advisor-machine-id:{salt}:" if salt else "advisor-machine-id:"
    digest = hashlib.sha256(f"{key}{identity}".encode()).hexdigest()
    return f"m-{digest[:20]}"


def hardware_lifetime_months(options: AdviceOptions) -> float:
    """The months hardware is paid off over: the option, else the config's, else the default."""
    from advisor.config import DEFAULT_LIFETIME_MONTHS

    prices = options.config.prices if options.config else None
    return options.lifetime_months or (
        prices.hardware_lifetime_months if prices else DEFAULT_LIFETIME_MONTHS
    )


def _hardware(machine: Machine, options: AdviceOptions) -> HardwareChoice:
    prices = options.config.prices if options.config else None
    lifetime = hardware_lifetime_months(options)
    listed = machine.price_usd
    if options.hardware_price_usd is not None:
        return HardwareChoice(HardwareCost(options.hardware_price_usd, lifetime), "flag", listed)
    if prices is not None and prices.hardware_price_usd is not None:
        return HardwareChoice(HardwareCost(prices.hardware_price_usd, lifetime), "config", listed)
    # Owned: a profile's list price says what the machine costs new, not that it was bought
    # for this; it enters neither the cost nor the break-even.
    return HardwareChoice(HardwareCost(None, lifetime), "profile" if listed else "none", listed)


def _rate(catalog: Catalog, options: AdviceOptions) -> ElectricityRate:
    config = options.config
    return resolve_rate(
        catalog,
        flag_usd_per_kwh=options.electricity_usd_per_kwh,
        config_usd_per_kwh=config.prices.electricity_usd_per_kwh if config else None,
        region=options.region or (config.region if config else None),
        config_path=config.path if config else None,
    )


def now_utc() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def advise(
    machine: Machine,
    catalog: Catalog,
    workloads: Sequence[Workload],
    options: AdviceOptions | None = None,
) -> Advice:
    """Verdicts for `workloads` on `machine`, priced with `catalog` and `options`, with the
    reasons, remedies and top candidates a report shows."""
    from advisor.files.disk_cache import no_cycle_collection

    # Thousands of estimates, options and checks, none of them in a reference cycle: the cycle
    # collector's passes over them (and over the catalog, the machine and the modules already
    # loaded) took ~95 ms CPU of a first report (two full passes), against ~30 ms for its one
    # pass over what survives the call once it is back on; warm, 10 ms against 2 ms (measured
    # with gc.callbacks, shared 2-core machine, 2026-12-07). Garbage in a cycle, if any, is
    # collected then.
    with no_cycle_collection():
        return _advise(machine, catalog, workloads, options)


def _advise(
    machine: Machine,
    catalog: Catalog,
    workloads: Sequence[Workload],
    options: AdviceOptions | None,
) -> Advice:
    options = options or AdviceOptions()
    workloads = _allowed(workloads, options)
    measured = _measured(machine, options)
    answer = functools.partial(_verdicts, machine, catalog, workloads, options, measured)
    if options.cache:  # a warm report reads it back (advisor.advice_cache)
        from advisor.advice_cache import cached_advice

        answer = functools.partial(cached_advice, machine, catalog, workloads, options,
                                   measured, answer)  # fmt: skip
    verdicts, candidates = answer()
    return Advice(
        machine=machine,
        machine_id=machine_id(machine),
        catalog_version=catalog.catalog_version,
        generated_at=now_utc(),
        rate=_rate(catalog, options),
        hardware=_hardware(machine, options),
        config_path=options.config.path if options.config else None,
        workloads=tuple(workloads),
        verdicts=verdicts,
        candidates=candidates,
        measurements=measured[0],
    )


def _verdicts(
    machine: Machine,
    catalog: Catalog,
    workloads: Sequence[Workload],
    options: AdviceOptions,
    measured: Measured,
) -> tuple[tuple[Verdict, ...], tuple[TopCandidate, ...]]:
    """The verdicts, with their reasons and remedies, and the top candidates."""
    from advisor.verdict.candidates import reported, top_ranked
    from advisor.verdict.gather import workload_options

    j = _judging(machine, catalog, options, None, measured)
    ahead = None
    if options.remedies:  # the remedy search, started on the other core where it pays
        from advisor.remedies_ahead import Ahead

        ahead = Ahead(machine, catalog, workloads, options, j.measurements, judge, j.prices)
    try:
        verdicts = []
        for workload in workloads:
            verdict = _decide(j, workload, workload_options)
            frontier = verdict.cloud.frontier_index
            verdicts.append(reported(j.search, workload, verdict, frontier, j.power_for))
            if ahead is not None:
                ahead.judged(verdicts)
        if options.remedies:
            from advisor.remedies import with_remedies

            verdicts = with_remedies(
                machine, catalog, verdicts, options, j.measurements, judge, j.prices, ahead
            )
    finally:
        if ahead is not None:
            ahead.close()
    count = options.top_candidates or (
        options.config.defaults.top_candidates if options.config else DEFAULT_TOP_CANDIDATES
    )
    search = j.search
    top = [search.detailed_ranked(c) for c in top_ranked(search, count)]
    j.save()
    candidates = tuple(_top_candidate(i + 1, c, catalog) for i, c in enumerate(top))
    return tuple(verdicts), candidates


def judge(
    machine: Machine,
    catalog: Catalog,
    workloads: Sequence[Workload],
    options: AdviceOptions,
    *,
    local_only: bool = False,
    prices: CloudPrices | None = None,
) -> tuple[Verdict, ...]:
    """The verdicts alone, for a caller that reads their kind, option and figures and not
    their reasons (an audit, the remedy search): the figures advise() gives, with no remedies
    or top candidates, the option not estimated again in detail, and the search skipping the
    files that cannot change a verdict (advisor.verdict.gather.lean_options).

    `local_only`: the caller asks only whether each workload runs locally, and on what
    (advisor.verdict.gather.local_options): a local verdict is the same as advise()'s; any
    other says only that it is not local. `prices`: the caller's session of cloud prices for
    `catalog`, when it judges many machines (each workload is priced once).
    """
    from advisor.verdict.gather import lean_options, local_options

    workloads = _allowed(workloads, options)
    j = _judging(machine, catalog, options, prices)
    gather = local_options if local_only else lean_options
    verdicts = tuple(_decide(j, w, gather) for w in workloads)
    j.save()
    return verdicts


def _allowed(workloads: Sequence[Workload], options: AdviceOptions) -> Sequence[Workload]:
    """The workloads, each with the cloud forbidden under --no-cloud."""
    if not options.no_cloud:
        return workloads
    return [replace(w, cloud="forbidden") for w in workloads]


@dataclass(frozen=True)
class _Judging:
    """What every verdict on one machine shares: its prices, measurements, power draws, and
    one search that remembers every estimate it made (kept on disk when `cache`)."""

    rate: ElectricityRate
    hardware: HardwareChoice
    measurements: tuple[Measurement, ...]
    power_for: PowerFor
    search: OptionSearch
    cache: EstimateCache | None
    prices: CloudPrices

    def save(self) -> None:
        if self.cache is not None:
            self.cache.save()


def _judging(
    machine: Machine,
    catalog: Catalog,
    options: AdviceOptions,
    prices: CloudPrices | None,
    measured: Measured | None = None,
) -> _Judging:
    from advisor.verdict.cloud_prices import CloudPrices
    from advisor.verdict.power_for import power_lookup
    from advisor.verdict.search import OptionSearch

    measurements, calibration = measured or _measured(machine, options)
    cache = None
    if options.cache:
        from advisor.estimate.cache import EstimateCache

        cache = EstimateCache(machine, calibration)
    search = OptionSearch(machine, catalog, calibration=calibration, cache=cache)
    if prices is None or prices.catalog is not catalog:
        prices = CloudPrices(catalog, shared=True)
    return _Judging(_rate(catalog, options), _hardware(machine, options), measurements,
                    power_lookup(machine, measurements), search, cache, prices)  # fmt: skip


def _decide(j: _Judging, workload: Workload, gather: Gather) -> Verdict:
    """The verdict on one workload, between the local options `gather` finds and the cloud."""
    from advisor.verdict.decide import decide, settles

    cloud = j.prices.costs(workload)
    hw = j.hardware.hardware

    def takes(option: LocalOption) -> bool:
        return settles(workload, option, cloud, j.rate, hw)

    local = gather(j.search, workload, cloud.frontier_index, j.power_for, takes)
    return decide(workload, local.options, cloud, j.rate, hw, checked=local.checked)


def _measured(machine: Machine, options: AdviceOptions) -> Measured:
    """This machine's throughput tests and the calibration they imply (none: empty, None)."""
    if options.measurements is not None:
        if not options.measurements:  # (the remedy search's changed machines, mostly)
            return (), None  # nothing to calibrate with, and no bench code to import for it
        from advisor.bench.calibrate.from_store import calibration_from

        return options.measurements, calibration_from(machine, options.measurements)
    from advisor.paths import user_data_dir

    path = user_data_dir() / BENCH_STORE_NAME  # checked before importing sqlite and the store
    if not path.exists():  # never create a store just to read it
        return (), None
    from advisor.bench.calibrate.from_store import load_calibration
    from advisor.bench.store.db import BenchStore
    from advisor.probe import machine_fingerprint as fingerprint_of

    with BenchStore(path) as store:
        runs = store.history(fingerprint_of(machine), limit=MAX_MEASUREMENTS)
        calibration = load_calibration(machine, store)
    return tuple(r.measurement for r in runs), calibration


def _top_candidate(rank: int, c, catalog: Catalog) -> TopCandidate:
    from advisor.verdict.candidates import speed_status

    est = c.estimate
    speed = est.speed
    model = catalog.find(c.model_id)
    quality = model.quality if model else None
    return TopCandidate(
        rank=rank,
        model_id=c.model_id,
        model_name=c.model_name,
        quant=c.quant,
        placement=est.placement.kind,
        fits=est.fits,
        context_tokens=est.context_tokens,
        memory_total_bytes=est.memory.total_bytes,
        max_context_tokens=est.max_context_tokens,
        decode_tokens_per_s=speed.decode_tokens_per_s if speed else None,
        decode_range=speed.decode_range if speed else None,
        prefill_tokens_per_s=speed.prefill_tokens_per_s if speed else None,
        prefill_range=speed.prefill_range if speed else None,
        speed_status=speed_status(speed) if speed else "estimated",
        measured_decode_tokens_per_s=speed.measured_decode_tokens_per_s if speed else None,
        measured_prefill_tokens_per_s=speed.measured_prefill_tokens_per_s if speed else None,
        intelligence_index=quality.intelligence_index if quality else None,
        coding_index=quality.coding_index if quality else None,
    )


def hardware_choice(machine: Machine, options: AdviceOptions) -> HardwareChoice:
    """The machine's price and lifetime as advise() reads them (flag, config, profile)."""
    return _hardware(machine, options)


def electricity_rate(catalog: Catalog, options: AdviceOptions) -> ElectricityRate:
    """The price of a kWh as advise() reads it (flag, config, region)."""
    return _rate(catalog, options)
