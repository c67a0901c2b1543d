"""What this machine's own throughput tests say about the estimator, and how estimates change.

The estimate stage owns the calibration maths; `advisor.bench` measures, pairs each run with
the estimator's prediction and hands the ratios over as `CalibrationRun` values. The rule
(docs/bench.md repeats it):

* A run is one stored pp512/tg128 test on this machine, on every physical core (the thread
  count the estimator assumes), for which the estimator has a prediction: the ratio
  measured / estimated, for decode and prefill.
* Runs are grouped by (backend, placement kind): a CPU run says nothing about a full-GPU
  placement.
* Within a group, runs of the same file are first reduced to their median ratio, so one model
  benchmarked ten times counts once. The group's raw factor is the median over files.
* The factor is shrunk toward 1 in log space: factor = raw ** (n / (n + K)), n the number of
  distinct files and K = 1. One file moves an estimate halfway (in log terms) toward what it
  measured, three files three quarters of the way. The estimator's typical error (~20%) and
  the spread between models on one machine (~20%) are about equal, which is what K = 1 means.
* `group_for` is the one rule deciding whether a calibration speaks for an estimate: the
  same machine (fingerprint), the same backend and the same placement kind.
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

from advisor.estimate.placement import PlacementKind
from advisor.estimate.speed import Figure, Speed

SHRINK_K = 1.0
PLACEMENT_KINDS: tuple[PlacementKind, ...] = ("gpu", "partial", "cpu")


@dataclass(frozen=True)
class CalibrationRun:
    """One throughput test beside the estimator's uncalibrated prediction for it."""

    file_identity: str  # the file that ran (size and header hash): runs of one file count once
    backend: str
    placement: PlacementKind
    decode_ratio: float | None  # measured / estimated; None without either
    prefill_ratio: float | None


def ratio(measured_tokens_per_s: float | None, estimated: float | None) -> float | None:
    """measured / estimated, or None when either is missing or the estimate is not positive."""
    if measured_tokens_per_s is None or not estimated or estimated <= 0:
        return None
    return measured_tokens_per_s / estimated


@dataclass(frozen=True)
class Factor:
    """measured / estimated for one (backend, placement), after shrinkage."""

    value: float
    raw_median: float
    runs: int
    files: int


@dataclass(frozen=True)
class CalibrationGroup:
    backend: str
    placement: PlacementKind
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
class Calibration:
    """One machine's calibration: its factors by (backend, placement) and its measured files."""

    machine_fingerprint: str
    groups: tuple[CalibrationGroup, ...]
    measured: tuple[MeasuredModel, ...] = ()

    def group(self, backend: str, placement: PlacementKind) -> CalibrationGroup | None:
        return next(
            (g for g in self.groups if g.backend == backend and g.placement == placement), None
        )

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
        return sum(g.runs for g in self.groups)


@dataclass(frozen=True)
class Target:
    """What an estimate is of, as far as a calibration's scope is concerned."""

    machine_fingerprint: str
    backend: str
    placement: PlacementKind
    model_id: str | None = None
    quant: str | None = None
    file_identity: str | None = None  # ModelFile.identity, for a file rather than a catalog entry


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
    """Group runs by backend and placement and reduce each group to its factors."""
    decode: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    prefill: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for run in runs:
        key = (run.backend, run.placement)
        if run.decode_ratio is not None:
            decode[key][run.file_identity].append(run.decode_ratio)
        if run.prefill_ratio is not None:
            prefill[key][run.file_identity].append(run.prefill_ratio)
    groups = tuple(
        CalibrationGroup(backend, placement, combine(decode[key]), combine(prefill[key]))  # type: ignore[arg-type]
        for key in sorted(set(decode) | set(prefill))
        for backend, placement in [key]
    )
    return Calibration(fingerprint, groups, measured)


def speaks_for(calibration: Calibration, machine_fingerprint: str) -> bool:
    """A calibration speaks only for the machine whose runs built it."""
    return calibration.machine_fingerprint == machine_fingerprint


def group_for(calibration: Calibration | None, target: Target) -> CalibrationGroup | None:
    """The group that rescales `target`'s estimate, if any: the one rule every caller uses."""
    if calibration is None or not speaks_for(calibration, target.machine_fingerprint):
        return None
    return calibration.group(target.backend, target.placement)


def measured_for(calibration: Calibration | None, target: Target) -> MeasuredModel | None:
    """A stored run of the very file (or catalog model and quant) `target` is, if any."""
    if calibration is None or not speaks_for(calibration, target.machine_fingerprint):
        return None
    return calibration.measured_for(
        target.model_id, target.quant, target.backend, target.placement, target.file_identity
    )


def prefill_speedup_bound(calibration: Calibration | None, fingerprint: str, backend: str) -> float:
    """At least the prefill factor any placement of any file gets on this machine (>= 1)."""
    factors = [1.0]
    for placement in PLACEMENT_KINDS:
        group = group_for(calibration, Target(fingerprint, backend, placement))
        if group is not None and group.prefill is not None:
            factors.append(group.prefill.value)
    return max(factors)


def apply_calibration(speed: Speed, calibration: Calibration | None, target: Target) -> Speed:
    """The estimate rescaled by this machine's runs (see the module docstring)."""
    group = group_for(calibration, target)
    if group is not None:
        speed = _scaled(speed, group)
    measured = measured_for(calibration, target)
    if measured is not None:
        speed = dataclasses.replace(
            speed,
            measured_decode_tokens_per_s=measured.decode_tokens_per_s,
            measured_prefill_tokens_per_s=measured.prefill_tokens_per_s,
        )
    return speed


def _scaled(speed: Speed, group: CalibrationGroup) -> Speed:
    d = group.decode.value if group.decode else 1.0
    p = group.prefill.value if group.prefill else 1.0
    basis = list(speed.basis)
    for name, factor in (("decode", group.decode), ("prefill", group.prefill)):
        if factor is not None:
            basis.append(
                Figure(
                    name=f"calibration.{group.backend}.{group.placement}.{name}_factor",
                    value=factor.value,
                    status="calibrated",
                    source=f"median measured/estimated of {factor.runs} run(s) over "
                    f"{factor.files} file(s) on this machine, shrunk toward 1",
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
        calibrated_from_runs=group.runs,
    )
