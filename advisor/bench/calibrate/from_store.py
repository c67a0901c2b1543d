"""This machine's calibration, built from its stored throughput tests.

The maths (grouping, medians, shrinkage, applying it to an estimate) belongs to the estimate
stage, in advisor.estimate.calibration. This module pairs runs with the estimator's
predictions (advisor.bench.calibrate.estimates.observe) and hands the ratios over.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from advisor.bench.batched import BatchedMeasurement
from advisor.bench.calibrate.estimates import can_calibrate, kernel_path, observe
from advisor.bench.measurement import Measurement
from advisor.estimate.calibration.build import build_batched, build_calibration, step_growth_ratio
from advisor.estimate.calibration.values import BatchedRun, Calibration, MeasuredModel
from advisor.probe.machine import Machine


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


def calibration_from(machine: Machine, measurements: Sequence[Measurement]) -> Calibration | None:
    """The calibration `measurements` imply for `machine`; None when none of them can calibrate.

    The runs that can calibrate (advisor.bench.calibrate.estimates.can_calibrate) are paired with
    the estimator's prediction afresh (observe); the result carries `machine`'s fingerprint.
    """
    from advisor.probe import machine_fingerprint

    usable = [m for m in measurements if can_calibrate(machine, m)]
    if not usable:
        return None
    runs = [o.run for o in observe(machine, usable)]
    calibration = build_calibration(machine_fingerprint(machine), runs, measured_models(usable))
    if not calibration.files and not calibration.measured:
        return None
    return calibration


def batched_runs(machine: Machine, measurements: Sequence[BatchedMeasurement]) -> list[BatchedRun]:
    """The growth ratio of each --parallel run that can calibrate: on every physical core,
    with B = 1 and some B >= 2 finished, the estimate made afresh where the file is known."""
    from advisor.bench.calibrate.estimates import with_batched_estimates

    cores = machine.cpu.physical_cores
    found = []
    for m in measurements:
        if cores is not None and m.settings.n_threads != cores:
            continue
        if m.point(1) is None or len(m.points) < 2:
            continue
        fresh = with_batched_estimates(machine, m)
        points = [(p.sequences, p.decode_tokens_per_s, p.estimated_decode_tokens_per_s)
                  for p in fresh.points if p.estimated_decode_tokens_per_s]  # fmt: skip
        growth = step_growth_ratio(points)
        if growth is not None:
            found.append(BatchedRun(m.model.identity, m.settings.backend, m.placement, growth,
                                    kernel_path(m.model.quant or m.model.file_type),
                                    m.model.size_bytes))  # fmt: skip
    return found


def load_calibration(machine: Machine, store=None) -> Calibration | None:
    """This machine's calibration from the store, or None when it has no usable runs.

    `store` is a BenchStore or a path to one; None opens the default store (if it exists).
    """
    from advisor.bench.store.db import BenchStore, default_store_path
    from advisor.probe import machine_fingerprint

    fingerprint = machine_fingerprint(machine)
    if store is None or not isinstance(store, BenchStore):
        path = default_store_path() if store is None else Path(store)
        if not path.exists():
            return None
        with BenchStore(path) as opened:
            runs = opened.calibration_runs(fingerprint)
            parallel = opened.batched_history(fingerprint)
    else:
        runs = store.calibration_runs(fingerprint)
        parallel = store.batched_history(fingerprint)
    # An interrupted run still counts: its finished repetitions are real measurements.
    calibration = calibration_from(machine, [r.measurement for r in runs])
    batched = build_batched(batched_runs(machine, [r.measurement for r in parallel]))
    if not batched:
        return calibration
    if calibration is None:
        calibration = Calibration(fingerprint, ())
    return dataclasses.replace(calibration, batched=batched)
