"""What this machine's own throughput tests say about the estimator, and how estimates change.

The rule (docs/bench.md repeats it):

* An observation is one stored pp512/tg128 run on this machine (same fingerprint), on every
  physical core (the thread count the estimator assumes), for which the estimator has a
  prediction: the ratio measured / estimated, for decode and prefill.
* Observations are grouped by (backend, placement kind): a CPU run says nothing about a
  full-GPU placement.
* Within a group, runs of the same file are first reduced to their median ratio, so one model
  benchmarked ten times counts once. The group's raw factor is the median over files.
* The factor is shrunk toward 1 in log space: factor = raw ** (n / (n + K)), n the number of
  distinct files and K = 1. One file moves an estimate halfway (in log terms) toward what it
  measured, three files three quarters of the way. The estimator's typical error (~20%) and
  the spread between models on one machine (~20%) are about equal, which is what K = 1 means.
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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from advisor.bench.measurement import Measurement, PlacementKind
from advisor.estimate.speed import Figure, Speed

SHRINK_K = 1.0


@dataclass(frozen=True)
class Observation:
    """One run with the estimator's uncalibrated prediction beside it."""

    measurement: Measurement
    estimated_decode_tokens_per_s: float | None
    estimated_prefill_tokens_per_s: float | None

    @property
    def decode_ratio(self) -> float | None:
        return _ratio(self.measurement.decode, self.estimated_decode_tokens_per_s)

    @property
    def prefill_ratio(self) -> float | None:
        return _ratio(self.measurement.prefill, self.estimated_prefill_tokens_per_s)


def _ratio(result, estimated: float | None) -> float | None:
    if result is None or not estimated or estimated <= 0:
        return None
    return result.mean_tokens_per_s / estimated


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


def build_calibration(fingerprint: str, observations: Iterable[Observation]) -> Calibration:
    """Group observations by backend and placement and reduce each group to its factors."""
    decode: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    prefill: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for obs in observations:
        m = obs.measurement
        key = (m.settings.backend, m.placement)
        if obs.decode_ratio is not None:
            decode[key][m.model.identity].append(obs.decode_ratio)
        if obs.prefill_ratio is not None:
            prefill[key][m.model.identity].append(obs.prefill_ratio)
    groups = tuple(
        CalibrationGroup(backend, placement, combine(decode[key]), combine(prefill[key]))  # type: ignore[arg-type]
        for key in sorted(set(decode) | set(prefill))
        for backend, placement in [key]
    )
    return Calibration(fingerprint, groups)


def measured_models(measurements: Sequence[Measurement]) -> tuple[MeasuredModel, ...]:
    """Files measured with the standard test, oldest first (the last one wins)."""
    return tuple(
        MeasuredModel(
            m.model.model_id,
            m.model.quant,
            m.settings.backend,
            m.placement,
            m.decode.mean_tokens_per_s if m.decode else None,
            m.prefill.mean_tokens_per_s if m.prefill else None,
            m.model.identity,
        )
        for m in measurements
        if m.settings.is_standard
    )


def apply_calibration(
    speed: Speed,
    calibration: Calibration | None,
    placement,
    *,
    backend: str | None = None,
    model_id: str | None = None,
    quant: str | None = None,
    file_identity: str | None = None,
) -> Speed:
    """The estimate rescaled by this machine's runs (see the module docstring).

    `placement` is an advisor.estimate.placement.Placement or a placement kind string.
    `backend` defaults to the one the calibration's runs used when they all share one.
    A stored measurement of the same catalog model and quant (`model_id`, `quant`) or of the
    same file (`file_identity`, a ModelFile.identity) fills Speed.measured_*.
    """
    if calibration is None:
        return speed
    kind = getattr(placement, "kind", placement)
    backend = backend or _only_backend(calibration)
    if backend is None:
        return speed
    group = calibration.group(backend, kind)
    measured = calibration.measured_for(model_id, quant, backend, kind, file_identity)
    if group is not None:
        speed = _scaled(speed, group)
    if measured is not None:
        speed = dataclasses.replace(
            speed,
            measured_decode_tokens_per_s=measured.decode_tokens_per_s,
            measured_prefill_tokens_per_s=measured.prefill_tokens_per_s,
        )
    return speed


def _only_backend(calibration: Calibration) -> str | None:
    backends = {g.backend for g in calibration.groups} | {m.backend for m in calibration.measured}
    return backends.pop() if len(backends) == 1 else None


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


def load_calibration(machine, store=None) -> Calibration | None:
    """This machine's calibration from the store, or None when it has no usable runs.

    `store` is a BenchStore or a path to one; None opens the default store (if it exists).
    """
    from advisor.bench.estimates import can_calibrate, observe
    from advisor.bench.store import BenchStore, default_store_path
    from advisor.probe import machine_fingerprint

    fingerprint = machine_fingerprint(machine)
    if store is None or not isinstance(store, BenchStore):
        path = default_store_path() if store is None else Path(store)
        if not path.exists():
            return None
        with BenchStore(path) as opened:
            runs = opened.calibration_runs(fingerprint)
    else:
        runs = store.calibration_runs(fingerprint)
    # An interrupted run still counts: its finished repetitions are real measurements.
    measurements = [r.measurement for r in runs if can_calibrate(machine, r.measurement)]
    if not measurements:
        return None
    observations = observe(machine, measurements)
    calibration = build_calibration(fingerprint, observations)
    calibration = dataclasses.replace(calibration, measured=measured_models(measurements))
    if not calibration.groups and not calibration.measured:
        return None
    return calibration
