"""This machine's calibration, built from its stored throughput tests.

The maths (grouping, medians, shrinkage, applying it to an estimate) belongs to the estimate
stage, in advisor.estimate.calibration. This module pairs runs with the estimator's
predictions (advisor.bench.estimates.observe) and hands the ratios over.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from advisor.bench.estimates import can_calibrate, observe
from advisor.bench.measurement import Measurement
from advisor.estimate.calibration import Calibration, MeasuredModel, build_calibration
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

    The runs that can calibrate (advisor.bench.estimates.can_calibrate) are paired with the
    estimator's prediction afresh (observe); the result carries `machine`'s fingerprint.
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


def load_calibration(machine: Machine, store=None) -> Calibration | None:
    """This machine's calibration from the store, or None when it has no usable runs.

    `store` is a BenchStore or a path to one; None opens the default store (if it exists).
    """
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
    return calibration_from(machine, [r.measurement for r in runs])
