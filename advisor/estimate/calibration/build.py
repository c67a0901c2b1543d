"""Stored runs reduced to a Calibration: the median ratio per file, disturbed tests left out,
and the shrinkage that pulls a factor toward 1 (advisor.estimate.calibration)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

from advisor.estimate.calibration.values import (
    MAX_SPREAD,
    RUN_NOISE,
    SHRINK_K,
    BatchedFile,
    BatchedRun,
    Calibration,
    CalibrationRun,
    Factor,
    FileRatio,
    MeasuredModel,
)
from advisor.estimate.speed.load import QUANT_CLASSES


def median(values: Iterable[float]) -> float:
    """statistics.median, imported only by a run with stored runs to build from or apply (its
    imports, decimal, fractions and random, cost a warm report ~10 ms)."""
    import statistics

    return statistics.median(values)


def shrink(raw: float, n_files: int, k: float = SHRINK_K, noise: float = RUN_NOISE) -> float:
    """Pull a ratio toward 1 in log space: the part within run-to-run noise counts for nothing,
    and what lies beyond it counts less the fewer files it comes from."""
    if raw <= 0 or n_files <= 0:
        return 1.0
    log = math.log(raw)
    beyond = max(0.0, abs(log) - noise)
    return math.exp(math.copysign(beyond, log) * n_files / (n_files + k))


def combine(ratios_by_file: dict[str, list[float]]) -> Factor | None:
    """Median per file, median across files, then shrinkage: the calibration rule."""
    per_file = [median(r) for r in ratios_by_file.values() if r]
    if not per_file:
        return None
    raw = median(per_file)
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
        last.file_bytes, median(decode) if decode else None,
        median(prefill) if prefill else None,
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
    return median(ratios) if ratios else None


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
            median(r.growth_ratio for r in mine), len(mine)))  # fmt: skip
    return tuple(files)
