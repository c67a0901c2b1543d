"""Which runs speak for an estimate, and the estimate rescaled by them: the one rule every front
end uses (advisor.estimate.calibration)."""

from __future__ import annotations

import dataclasses

from advisor.estimate.calibration.build import median, shrink
from advisor.estimate.calibration.values import (
    SIZE_SPAN,
    BatchedGroup,
    Calibration,
    Factor,
    MeasuredModel,
    Scaling,
    Target,
    Test,
)
from advisor.estimate.speed.figures import Figure, Speed
from advisor.estimate.speed.load import QUANT_CLASSES


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
    raw = median([f.growth for f in files])
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
    raw = median(said)
    return Factor(shrink(raw, len(said)), raw, runs, len(said), converted)


def measured_for(calibration: Calibration | None, target: Target) -> MeasuredModel | None:
    """A stored run of the very file (or catalog model and quant) `target` is, if any."""
    if calibration is None or not speaks_for(calibration, target.machine_fingerprint):
        return None
    return calibration.measured_for(
        target.model_id, target.quant, target.backend, target.placement, target.file_identity
    )


def measured_models(calibration: Calibration | None, fingerprint: str) -> frozenset[str]:
    """The catalog ids (lower case) of the models this machine's stored runs measured: their
    measured speed may replace an estimate, so no bound on the estimate holds for them."""
    if calibration is None or not speaks_for(calibration, fingerprint):
        return frozenset()
    return frozenset(m.model_id.lower() for m in calibration.measured if m.model_id)


def prefill_speedup_bound(calibration: Calibration | None, fingerprint: str, backend: str) -> float:
    """At least the prefill factor any file at any placement gets on this machine (>= 1): a
    shrunk median is never above the largest ratio any file says, directly or via probes."""
    return _speedup_bound(calibration, fingerprint, backend, "prefill")


def decode_speedup_bound(calibration: Calibration | None, fingerprint: str, backend: str) -> float:
    """prefill_speedup_bound for decode: at least the decode factor any file gets here."""
    return _speedup_bound(calibration, fingerprint, backend, "decode")


def _speedup_bound(calibration: Calibration | None, fingerprint: str, backend: str,
                   test: Test) -> float:  # fmt: skip
    if calibration is None or not speaks_for(calibration, fingerprint):
        return 1.0
    bound = 1.0
    for f in calibration.files:
        value = f.value(test)
        if value is None or f.backend != backend:
            continue
        bound = max(bound, value)
        for path in QUANT_CLASSES:
            through = calibration.path_ratio(test, backend, f.placement, path, f.quant_class)
            if through is not None:
                bound = max(bound, value * through)
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
                    f"{via}, less the run-to-run noise band, shrunk toward 1",
                )
            )
    return dataclasses.replace(
        speed,
        decode_tokens_per_s=speed.decode_tokens_per_s * d,
        prefill_tokens_per_s=speed.prefill_tokens_per_s * p,
        decode_range=(speed.decode_range[0] * d, speed.decode_range[1] * d),
        prefill_range=(speed.prefill_range[0] * p, speed.prefill_range[1] * p),
        decode_s_per_token_per_depth=speed.decode_s_per_token_per_depth / d,
        decode_s_per_window_cell=speed.decode_s_per_window_cell / d,
        prefill_s_per_token_per_depth=speed.prefill_s_per_token_per_depth / p,
        basis=tuple(basis),
        calibrated_from_runs=scaling.runs,
    )
