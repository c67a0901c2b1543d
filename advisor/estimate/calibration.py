"""What this machine's own throughput tests say about the estimator, and how estimates change.

The estimate stage owns the calibration maths; `advisor.bench` measures, pairs each run with
the estimator's prediction and hands the ratios over as `CalibrationRun` values. The rule
(docs/bench.md repeats it):

* A run is one stored pp512/tg128 test on this machine, on every physical core (the thread
  count the estimator assumes), for which the estimator has a prediction: the ratio
  measured / estimated, for decode and prefill. A test whose repetitions spread by more
  than MAX_SPREAD (sample standard deviation over mean) was disturbed: it does not count.
* Runs of the same file are reduced to their median ratio, so a file measured ten times
  counts once.
* A run speaks only for estimates of the same machine (fingerprint), backend and placement
  kind, of files within SIZE_SPAN times its own file's size either way (a 0.4 MB file sits
  in the CPU's cache and says nothing about a 20 GB model), and of its own kernel path
  (advisor.estimate.speed.load.quant_class: f16, q8_0, legacy, kquant, iquant, mxfp4).
* A run of another kernel path still speaks, through the kernel-path probes: generated
  models of one shape in several quant types (advisor bench runs them), whose ratios give
  each path's cost relative to the others on this machine. A file of path a then says
  ratio_a × probe_b / probe_a for a file of path b (a probe itself speaks only for its own
  path). Without probes of both paths it says nothing: calibration rescales a kernel path,
  never the whole machine by one factor.
* The raw factor is the median over the files that speak, shrunk toward 1 in log space:
  factor = raw ** (n / (n + K)), n those files and K = 1. One file moves an estimate halfway
  (in log terms) toward what it measured, three files three quarters of the way. The
  estimator's typical error (~20%) and the spread between models on one machine (~20%) are
  about equal, which is what K = 1 means.
* `scaling_for` is the one function that decides all of this, for every front end and for
  the prefill floor searches use (`prefill_speedup_bound`).
* Batched runs (`advisor bench --parallel`) calibrate the batched estimate on their own: a
  run's ratio is how much a step's time grows from one sequence to B, measured over
  estimated ((T(B)/T(1) - 1) measured / estimated, the median over its B >= 2), reduced per
  file (`build_batched`). They speak with the same scope as single-stream runs: the same
  machine, backend and placement kind, files within SIZE_SPAN times the size either way, and
  the same kernel path (the extra sequences' cost is matrix work, which is the kernel
  path's); the files that speak are reduced across files and shrunk as above
  (`batched_group_for`), and advisor.estimate.speed.batched scales the extra cost of every
  sequence beyond the first by the result.
* apply_calibration multiplies decode and prefill rates (and their ranges) by the factors,
  divides the per-token depth costs by them, records the factors in Speed.basis with status
  "calibrated", sets Speed.calibrated_from_runs to the number of runs behind them, and fills
  Speed.measured_* when this exact model and quant were measured with the same placement.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from advisor.estimate.placement import PlacementKind
from advisor.estimate.speed.figures import Figure, Speed
from advisor.estimate.speed.load import QUANT_CLASSES, quant_class

SHRINK_K = 1.0
# A run speaks for files from 1/SIZE_SPAN to SIZE_SPAN times its own file's size: within
# that, the share of a token's time that is per-layer overhead (small files) or reads from
# RAM rather than cache (files past the last-level cache) stays about the same.
SIZE_SPAN = 8.0
# Repetitions spread wider than this (stdev / mean) were disturbed by other work: llama-bench's
# own rounds on this project's busy 2-core machine spread by about 6%.
MAX_SPREAD = 0.15
PLACEMENT_KINDS: tuple[PlacementKind, ...] = ("gpu", "partial", "cpu")
Test = Literal["decode", "prefill"]


@dataclass(frozen=True)
class CalibrationRun:
    """One throughput test beside the estimator's uncalibrated prediction for it."""

    file_identity: str  # the file that ran (size and header hash): runs of one file count once
    backend: str
    placement: PlacementKind
    quant_class: str | None  # the file's kernel path (speed_load.quant_class); None: unknown
    file_bytes: int
    decode_ratio: float | None  # measured / estimated; None without either
    prefill_ratio: float | None
    decode_spread: float = 0.0  # sample stdev / mean of the test's repetitions
    prefill_spread: float = 0.0
    probe_shape: str | None = None  # a generated kernel-path probe: the shape it was made in


def ratio(measured_tokens_per_s: float | None, estimated: float | None) -> float | None:
    """measured / estimated, or None when either is missing or the estimate is not positive."""
    if measured_tokens_per_s is None or not estimated or estimated <= 0:
        return None
    return measured_tokens_per_s / estimated


@dataclass(frozen=True)
class FileRatio:
    """One file's runs, reduced to the median ratio per test (disturbed tests left out)."""

    file_identity: str
    backend: str
    placement: PlacementKind
    quant_class: str
    file_bytes: int
    decode: float | None
    prefill: float | None
    decode_runs: int
    prefill_runs: int
    probe_shape: str | None = None

    def value(self, test: Test) -> float | None:
        return self.decode if test == "decode" else self.prefill

    def runs(self, test: Test) -> int:
        return self.decode_runs if test == "decode" else self.prefill_runs

    def covers_size(self, weights_bytes: int | None) -> bool:
        if weights_bytes is None or weights_bytes <= 0:
            return False
        return self.file_bytes / SIZE_SPAN <= weights_bytes <= self.file_bytes * SIZE_SPAN


@dataclass(frozen=True)
class Factor:
    """measured / estimated for one test of one estimate, after shrinkage."""

    value: float
    raw_median: float
    runs: int
    files: int
    through_probes: bool = False  # some file spoke for another kernel path via the probes


@dataclass(frozen=True)
class Scaling:
    """What a calibration does to one estimate: a factor per test, where it has one."""

    decode: Factor | None
    prefill: Factor | None

    @property
    def runs(self) -> int:
        return max(self.decode.runs if self.decode else 0, self.prefill.runs if self.prefill else 0)


@dataclass(frozen=True)
class MeasuredModel:
    """A standard (pp512/tg128) measurement of one file on this machine."""

    model_id: str | None  # the catalog model the file is, when known
    quant: str | None
    backend: str
    placement: PlacementKind
    decode_tokens_per_s: float | None
    prefill_tokens_per_s: float | None
    file_identity: str | None = None  # ModelFile.identity: size and header hash

    def matches(self, model_id: str | None, quant: str | None, file_identity: str | None) -> bool:
        if file_identity is not None and self.file_identity == file_identity:
            return True
        if not (model_id and quant and self.model_id and self.quant):
            return False
        return (self.model_id.lower(), self.quant.upper()) == (model_id.lower(), quant.upper())


@dataclass(frozen=True)
class BatchedRun:
    """One batched throughput test: how a step's time grows with the sequences, measured
    over estimated (the median over its B >= 2)."""

    file_identity: str
    backend: str
    placement: PlacementKind
    growth_ratio: float
    quant_class: str | None = None  # the file's kernel path; None: unknown (speaks for none)
    file_bytes: int = 0


@dataclass(frozen=True)
class BatchedFile:
    """One file's batched runs, reduced to their median growth ratio."""

    file_identity: str
    backend: str
    placement: PlacementKind
    quant_class: str
    file_bytes: int
    growth: float
    runs: int

    def covers_size(self, weights_bytes: int | None) -> bool:
        if weights_bytes is None or weights_bytes <= 0:
            return False
        return self.file_bytes / SIZE_SPAN <= weights_bytes <= self.file_bytes * SIZE_SPAN


@dataclass(frozen=True)
class BatchedGroup:
    """The batched files that speak for one estimate, combined by the calibration rule."""

    backend: str
    placement: PlacementKind
    growth: Factor
    quant_class: str = ""


@dataclass(frozen=True)
class Calibration:
    """One machine's calibration: each measured file's ratios, and its measured figures."""

    machine_fingerprint: str
    files: tuple[FileRatio, ...]
    measured: tuple[MeasuredModel, ...] = ()
    disturbed_tests: int = 0  # tests left out: their repetitions spread past MAX_SPREAD
    batched: tuple[BatchedFile, ...] = ()  # from advisor bench --parallel runs

    def measured_for(
        self,
        model_id: str | None,
        quant: str | None,
        backend: str,
        placement: PlacementKind,
        file_identity: str | None = None,
    ) -> MeasuredModel | None:
        """The latest run of this file (by identity) or catalog model and quant, if any."""
        for m in reversed(self.measured):
            if (m.backend, m.placement) == (backend, placement) and m.matches(
                model_id, quant, file_identity
            ):
                return m
        return None

    @property
    def runs(self) -> int:
        return sum(max(f.decode_runs, f.prefill_runs) for f in self.files)

    def probe_ratio(self, test: Test, backend: str, placement: str, shape: str,
                    path: str) -> float | None:  # fmt: skip
        """The probe of `path` in `shape`: measured / estimated, if it ran undisturbed."""
        for f in self.files:
            if (f.probe_shape, f.quant_class, f.backend, f.placement) == (
                    shape, path, backend, placement):  # fmt: skip
                return f.value(test)
        return None

    def path_ratio(self, test: Test, backend: str, placement: str, to_path: str,
                   from_path: str) -> float | None:  # fmt: skip
        """probe_to / probe_from, from probes of one shape: how much more (or less) the
        estimator misses `to_path` than `from_path` on this machine."""
        shapes = {f.probe_shape for f in self.files if f.probe_shape is not None}
        for shape in sorted(shapes):
            to = self.probe_ratio(test, backend, placement, shape, to_path)
            frm = self.probe_ratio(test, backend, placement, shape, from_path)
            if to is not None and frm is not None:
                return to / frm
        return None


@dataclass(frozen=True)
class Target:
    """What an estimate is of, as far as a calibration's scope is concerned."""

    machine_fingerprint: str
    backend: str
    placement: PlacementKind
    model_id: str | None = None
    quant: str | None = None
    file_identity: str | None = None  # ModelFile.identity, for a file rather than a catalog entry
    weights_bytes: int | None = None  # the file's weights: runs speak only for similar sizes

    @property
    def quant_class(self) -> str | None:
        return quant_class(self.quant) if self.quant else None


def shrink(raw: float, n_files: int, k: float = SHRINK_K) -> float:
    """Pull a ratio toward 1 in log space, less as evidence from more files piles up."""
    if raw <= 0 or n_files <= 0:
        return 1.0
    return math.exp(math.log(raw) * n_files / (n_files + k))


def combine(ratios_by_file: dict[str, list[float]]) -> Factor | None:
    """Median per file, median across files, then shrinkage: the calibration rule."""
    per_file = [statistics.median(r) for r in ratios_by_file.values() if r]
    if not per_file:
        return None
    raw = statistics.median(per_file)
    runs = sum(len(r) for r in ratios_by_file.values())
    return Factor(shrink(raw, len(per_file)), raw, runs, len(per_file))


def build_calibration(
    fingerprint: str,
    runs: Iterable[CalibrationRun],
    measured: tuple[MeasuredModel, ...] = (),
) -> Calibration:
    """Reduce the runs to one FileRatio per file (and backend and placement)."""
    by_file: dict[tuple, list[CalibrationRun]] = defaultdict(list)
    disturbed = 0
    for run in runs:
        if run.quant_class not in QUANT_CLASSES:
            continue  # a file whose kernel path is unknown cannot speak for any
        by_file[(run.file_identity, run.backend, run.placement)].append(run)
        disturbed += sum(1 for r, spread in ((run.decode_ratio, run.decode_spread),
                                              (run.prefill_ratio, run.prefill_spread))
                         if r is not None and spread > MAX_SPREAD)  # fmt: skip
    files = tuple(f for f in (_file_ratio(group) for group in by_file.values()) if f is not None)
    return Calibration(fingerprint, files, measured, disturbed)


def _file_ratio(runs: list[CalibrationRun]) -> FileRatio | None:
    decode = [
        r.decode_ratio
        for r in runs
        if r.decode_ratio is not None and _steady(r.decode_ratio, r.decode_spread)
    ]
    prefill = [
        r.prefill_ratio
        for r in runs
        if r.prefill_ratio is not None and _steady(r.prefill_ratio, r.prefill_spread)
    ]
    if not decode and not prefill:
        return None
    last = runs[-1]
    return FileRatio(
        last.file_identity, last.backend, last.placement, last.quant_class or "",
        last.file_bytes, statistics.median(decode) if decode else None,
        statistics.median(prefill) if prefill else None,
        len(decode), len(prefill), last.probe_shape,
    )  # fmt: skip


def _steady(value: float | None, spread: float) -> bool:
    return value is not None and value > 0 and spread <= MAX_SPREAD


def step_growth_ratio(points: Iterable[tuple[int, float, float]]) -> float | None:
    """(B, measured S_TG, estimated S_TG) of one run, B = 1 among them -> the run's ratio:
    the median over B >= 2 of (T(B)/T(1) - 1) measured / estimated, T = B / S_TG a step."""
    by_b = {b: (measured, estimated) for b, measured, estimated in points}
    if 1 not in by_b or min(by_b[1]) <= 0:
        return None
    m1, e1 = by_b[1]
    ratios = []
    for b, (measured, estimated) in by_b.items():
        if b < 2 or measured <= 0 or estimated <= 0:
            continue
        grown_measured = (b / measured) / (1 / m1) - 1
        grown_estimated = (b / estimated) / (1 / e1) - 1
        if grown_measured > 0 and grown_estimated > 0:
            ratios.append(grown_measured / grown_estimated)
    return statistics.median(ratios) if ratios else None


def build_batched(runs: Iterable[BatchedRun]) -> tuple[BatchedFile, ...]:
    """Batched runs reduced to one median growth ratio per file (and backend and placement).
    A file whose kernel path is unknown cannot speak for any estimate and is left out."""
    by_file: dict[tuple[str, str, str], list[BatchedRun]] = defaultdict(list)
    for run in runs:
        if run.quant_class not in QUANT_CLASSES or run.growth_ratio <= 0:
            continue
        by_file[(run.file_identity, run.backend, run.placement)].append(run)
    files = []
    for (identity, backend, placement), mine in sorted(by_file.items()):
        last = mine[-1]
        files.append(BatchedFile(
            identity, backend, placement, last.quant_class or "", last.file_bytes,  # type: ignore[arg-type]
            statistics.median(r.growth_ratio for r in mine), len(mine)))  # fmt: skip
    return tuple(files)


def batched_group_for(calibration: Calibration | None, target: Target) -> BatchedGroup | None:
    """The batched files that speak for `target` (same machine, backend and placement, kernel
    path, and a size within SIZE_SPAN), combined: median across files, then shrunk."""
    if calibration is None or not speaks_for(calibration, target.machine_fingerprint):
        return None
    path = target.quant_class
    if path is None:
        return None
    files = [f for f in calibration.batched
             if (f.backend, f.placement, f.quant_class) == (target.backend, target.placement, path)
             and f.covers_size(target.weights_bytes)]  # fmt: skip
    if not files:
        return None
    raw = statistics.median(f.growth for f in files)
    factor = Factor(shrink(raw, len(files)), raw, sum(f.runs for f in files), len(files))
    return BatchedGroup(target.backend, target.placement, factor, path)


def speaks_for(calibration: Calibration, machine_fingerprint: str) -> bool:
    """A calibration speaks only for the machine whose runs built it."""
    return calibration.machine_fingerprint == machine_fingerprint


def scaling_for(calibration: Calibration | None, target: Target) -> Scaling | None:
    """How `target`'s estimate is rescaled, if at all: the one rule every caller uses
    (same machine, backend and placement; files of a similar size; the same kernel path,
    or another one through the probes)."""
    if calibration is None or not speaks_for(calibration, target.machine_fingerprint):
        return None
    if target.quant_class is None:
        return None
    decode = _factor(calibration, target, "decode")
    prefill = _factor(calibration, target, "prefill")
    if decode is None and prefill is None:
        return None
    return Scaling(decode, prefill)


def _factor(calibration: Calibration, target: Target, test: Test) -> Factor | None:
    said: list[float] = []
    runs, converted = 0, False
    path = target.quant_class
    for f in calibration.files:
        value = f.value(test)
        if value is None or (f.backend, f.placement) != (target.backend, target.placement):
            continue
        if not f.covers_size(target.weights_bytes):
            continue
        if f.quant_class != path:
            if f.probe_shape is not None:
                continue  # a probe of another path is the conversion's reference, not a file
            through = calibration.path_ratio(test, f.backend, f.placement, path, f.quant_class)  # type: ignore[arg-type]
            if through is None:
                continue
            value, converted = value * through, True
        said.append(value)
        runs += f.runs(test)
    if not said:
        return None
    raw = statistics.median(said)
    return Factor(shrink(raw, len(said)), raw, runs, len(said), converted)


def measured_for(calibration: Calibration | None, target: Target) -> MeasuredModel | None:
    """A stored run of the very file (or catalog model and quant) `target` is, if any."""
    if calibration is None or not speaks_for(calibration, target.machine_fingerprint):
        return None
    return calibration.measured_for(
        target.model_id, target.quant, target.backend, target.placement, target.file_identity
    )


def prefill_speedup_bound(calibration: Calibration | None, fingerprint: str, backend: str) -> float:
    """At least the prefill factor any file at any placement gets on this machine (>= 1): a
    shrunk median is never above the largest ratio any file says, directly or via probes."""
    if calibration is None or not speaks_for(calibration, fingerprint):
        return 1.0
    bound = 1.0
    for f in calibration.files:
        if f.prefill is None or f.backend != backend:
            continue
        bound = max(bound, f.prefill)
        for path in QUANT_CLASSES:
            through = calibration.path_ratio("prefill", backend, f.placement, path, f.quant_class)
            if through is not None:
                bound = max(bound, f.prefill * through)
    return bound


def apply_calibration(speed: Speed, calibration: Calibration | None, target: Target) -> Speed:
    """The estimate rescaled by this machine's runs (see the module docstring)."""
    scaling = scaling_for(calibration, target)
    if scaling is not None:
        speed = _scaled(speed, scaling, target)
    measured = measured_for(calibration, target)
    if measured is not None:
        speed = dataclasses.replace(
            speed,
            measured_decode_tokens_per_s=measured.decode_tokens_per_s,
            measured_prefill_tokens_per_s=measured.prefill_tokens_per_s,
        )
    return speed


def _scaled(speed: Speed, scaling: Scaling, target: Target) -> Speed:
    d = scaling.decode.value if scaling.decode else 1.0
    p = scaling.prefill.value if scaling.prefill else 1.0
    basis = list(speed.basis)
    where = f"{target.backend}.{target.placement}.{target.quant_class}"
    for name, factor in (("decode", scaling.decode), ("prefill", scaling.prefill)):
        if factor is not None:
            via = ", other kernel paths through the probes" if factor.through_probes else ""
            basis.append(
                Figure(
                    name=f"calibration.{where}.{name}_factor",
                    value=factor.value,
                    status="calibrated",
                    source=f"median measured/estimated of {factor.runs} run(s) over "
                    f"{factor.files} file(s) within {SIZE_SPAN:g}x this size on this machine"
                    f"{via}, shrunk toward 1",
                )
            )
    return dataclasses.replace(
        speed,
        decode_tokens_per_s=speed.decode_tokens_per_s * d,
        prefill_tokens_per_s=speed.prefill_tokens_per_s * p,
        decode_range=(speed.decode_range[0] * d, speed.decode_range[1] * d),
        prefill_range=(speed.prefill_range[0] * p, speed.prefill_range[1] * p),
        decode_s_per_token_per_depth=speed.decode_s_per_token_per_depth / d,
        prefill_s_per_token_per_depth=speed.prefill_s_per_token_per_depth / p,
        basis=tuple(basis),
        calibrated_from_runs=scaling.runs,
    )
