"""Fitting the batched constants on published llama-batched-bench sweeps, and checking them.

Rows come from a CSV with benchmarks/data/batched_bench.csv's columns (one llama-batched-bench
table line each). Every row is predicted with the same physics the estimate uses
(advisor.estimate.speed.batched_physics), its single-stream part from the shipped speed constants.

The fit minimises the squared log error of the scaling ratio S_TG(B) / S_TG(1) over the rows
with B >= 2 (the single-stream speed is the speed model's business, not this one's), by a
coordinate search in log space: first the shared constants ("*") on every row, then each
backend's own on its rows. Leave-one-device-out refits without a device and predicts it; a
held-out device's backend then falls back to "*" when no other device shares it.
"""

from __future__ import annotations

import csv
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from advisor.estimate.speed.batched_physics import (
    GRAPH_BACKENDS,
    PARAMS,
    BatchConstants,
    DeviceStep,
    decode_step_s,
    prefill_s,
)
from advisor.estimate.speed.model import DeviceRate, SpeedConstants, coefficients, load_constants
from advisor.units import GIB

START = {"g_vector": 2.0, "g_matrix": 2.0, "tau_multi_layer_s": 3e-5, "expert_pool": 0.8}
START_RECURRENT_S = 1e-4
SPREAD_QUANTILES = (0.1, 0.9)  # the range quoted: 10th to 90th percentile of unseen errors


@dataclass(frozen=True)
class BatchRow:
    line: int
    source: str
    device: str
    backend: str
    model: str
    quant: str
    pp: int
    tg: int
    b: int
    n_ubatch: int
    s_pp: float
    s_tg: float
    step: DeviceStep
    skip_fit: str | None = None  # why the fit leaves the row out (it is still predicted)


def load_rows(path: Path, specs, catalog, resolve=None,
              not_fitted: str | None = None) -> list[BatchRow]:  # fmt: skip
    """Every row of the CSV, its model's per-token work and its device's rates.

    `resolve(name) -> Architecture | None` names models the catalog lacks (the scripts pass
    advisor.bench.kernels.synthetic.synthetic_architecture, for `synthetic:SPEC` rows).
    `not_fitted`: why none of the file's rows may join the fit (they are still predicted).
    """
    from advisor.estimate.speed.hardware import memory_dies
    from advisor.estimate.speed.load import token_cost
    from advisor.estimate.speed.paths import device_arch
    from scripts.fitting.speed_rows import device_spec

    constants = load_constants()
    rows = []
    with path.open(newline="", encoding="utf-8") as handle:
        for line, rec in enumerate(csv.DictReader(handle), start=2):
            arch = _architecture(rec["model"], catalog, resolve)
            if arch is None:
                raise ValueError(f"{path}:{line}: model {rec['model']!r} is not in the catalog")
            cost = token_cost(arch, rec["quant"], float(rec["file_gib"]) * GIB)
            spec = device_spec(rec["device"], specs)
            backend = rec["backend"]
            bandwidth = _number(rec.get("mem_bandwidth_gbs")) or spec.bandwidth_gbs
            compute = _number(rec.get("compute_tflops")) or spec.compute_tflops
            if bandwidth is None or compute is None:
                raise ValueError(f"{path}:{line}: no bandwidth or compute figure for the device")
            gpu_arch = device_arch(None, rec["device"]) if backend != "cpu" else ""
            rate = DeviceRate("cpu" if backend == "cpu" else "gpu0", backend, bandwidth, compute,
                              1.0, memory_dies(rec["device"]), gpu_arch)  # fmt: skip
            k = coefficients(constants, rate, cost.quant_class)
            step = DeviceStep(cost, 1.0, k, backend, arch.n_linear_attention_layers)
            skip = not_fitted
            if skip is None and "n_full_attention_layers" in arch.unknown:
                skip = (
                    f"the catalog does not know which of {rec['model']}'s layers are "
                    "attention and which recurrent"
                )
            rows.append(BatchRow(
                line=line, source=rec["source"], device=rec["device"], backend=backend,
                model=rec["model"], quant=rec["quant"], pp=int(rec["pp"]), tg=int(rec["tg"]),
                b=int(rec["b"]), n_ubatch=int(rec["n_ubatch"]), s_pp=float(rec["s_pp"]),
                s_tg=float(rec["s_tg"]), step=step, skip_fit=skip))  # fmt: skip
    return rows


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _architecture(name: str, catalog, resolve=None):
    """A catalog id's architecture, else what `resolve` (e.g. a generated model's) says."""
    model = catalog.find(name) if catalog is not None else None
    if model is not None:
        return model.architecture
    return resolve(name) if resolve is not None else None


def predicted_decode(row: BatchRow, c: SpeedConstants, bc: BatchConstants, b: int | None = None):
    """S_TG of the row's run (or of the same run with `b` sequences)."""
    b = row.b if b is None else b
    depth = row.pp + (row.tg - 1) / 2.0
    return b / decode_step_s(row.step, c, bc, b, depth, ubatch_tokens=row.n_ubatch)


def predicted_prefill(row: BatchRow) -> float:
    return row.b * row.pp / prefill_s(row.step, row.b, row.pp, row.n_ubatch)


def _key(row: BatchRow) -> tuple:
    return (row.device, row.model, row.quant, row.pp, row.tg)


def single_runs(rows: Sequence[BatchRow]) -> dict[tuple, float]:
    """S_TG with one sequence, by (device, model, quant, prompt, generated) of the sweep."""
    return {_key(r): r.s_tg for r in rows if r.b == 1}


@dataclass(frozen=True)
class Prediction:
    row: BatchRow
    decode: float  # predicted S_TG
    scaling: float  # predicted S_TG(B) / S_TG(1)
    measured_scaling: float | None

    @property
    def decode_error(self) -> float:
        return self.decode / self.row.s_tg - 1.0

    @property
    def scaling_error(self) -> float | None:
        if self.measured_scaling is None:
            return None
        return self.scaling / self.measured_scaling - 1.0


def predict(rows: Sequence[BatchRow], bc: BatchConstants, everything: Sequence[BatchRow] = ()):
    """Predictions for `rows`; `everything` is where their B = 1 partners are looked up."""
    c = load_constants()
    singles = single_runs(everything or rows)
    out = []
    for row in rows:
        decode = predicted_decode(row, c, bc)
        single = predicted_decode(row, c, bc, 1)
        one = singles.get(_key(row))
        out.append(Prediction(row, decode, decode / single, row.s_tg / one if one else None))
    return out


def _constants(per_backend: dict, recurrent: float, source: str = "") -> BatchConstants:
    return BatchConstants(per_backend, recurrent, {"*": (1.0, 1.0)}, source)


def _loss(rows: Sequence[BatchRow], bc: BatchConstants, everything) -> float:
    total = 0.0
    for p in predict(rows, bc, everything):
        if p.row.b > 1 and p.measured_scaling:
            total += math.log(p.scaling / p.measured_scaling) ** 2
    return total


def _search(values: list[float], bounds: list[tuple[float, float]], loss) -> list[float]:
    """Nelder-Mead in log space (values clipped to their bounds), restarted until it settles."""
    lows = np.log([b[0] for b in bounds])
    highs = np.log([b[1] for b in bounds])

    def f(x):
        return loss(list(np.exp(np.clip(x, lows, highs))))

    x = np.clip(np.log(values), lows, highs)
    best = f(x)
    for _ in range(4):
        x, value = _nelder_mead(f, x, step=0.7)
        if value > best - 1e-9:
            break
        best = value
    return list(np.exp(np.clip(x, lows, highs)))


def _nelder_mead(f, x0, step: float, iterations: int = 400):
    n = len(x0)
    simplex = [x0] + [x0 + step * np.eye(n)[i] for i in range(n)]
    values = [f(x) for x in simplex]
    for _ in range(iterations):
        order = np.argsort(values)
        simplex = [simplex[i] for i in order]
        values = [values[i] for i in order]
        if values[-1] - values[0] < 1e-10:
            break
        centre = np.mean(simplex[:-1], axis=0)
        worst = simplex[-1]
        reflected = centre + (centre - worst)
        fr = f(reflected)
        if fr < values[0]:
            expanded = centre + 2.0 * (centre - worst)
            fe = f(expanded)
            simplex[-1], values[-1] = (expanded, fe) if fe < fr else (reflected, fr)
        elif fr < values[-2]:
            simplex[-1], values[-1] = reflected, fr
        else:
            contracted = centre + 0.5 * (worst - centre)
            fc = f(contracted)
            if fc < values[-1]:
                simplex[-1], values[-1] = contracted, fc
            else:
                simplex = [simplex[0] + 0.5 * (x - simplex[0]) for x in simplex]
                values = [f(x) for x in simplex]
    i = int(np.argmin(values))
    return simplex[i], values[i]


_BOUNDS = {"g_vector": (0.1, 100.0), "g_matrix": (0.1, 100.0),
           "tau_multi_layer_s": (1e-7, 1e-3), "expert_pool": (0.05, 1.0)}  # fmt: skip


def fit(rows: Sequence[BatchRow], everything: Sequence[BatchRow] = ()) -> BatchConstants:
    """The shared constants on every row, then each backend's on its own rows.

    Rows with `skip_fit` set are left out. Without a graph backend's rows (GRAPH_BACKENDS),
    nothing measures the launch cost, and the shared value is 0.
    """
    everything = everything or rows
    rows = [r for r in rows if r.skip_fit is None]
    names = list(PARAMS)
    bounds = [_BOUNDS[n] for n in names] + [(1e-7, 1e-2)]

    def shared_loss(values):
        table = {"*": dict(zip(names, values[:-1], strict=True))}
        return _loss(rows, _constants(table, values[-1]), everything)

    start = [START[n] for n in names] + [START_RECURRENT_S]
    shared = _search(start, bounds, shared_loss)
    tables = {"*": dict(zip(names, shared[:-1], strict=True))}
    if not any(r.backend in GRAPH_BACKENDS for r in rows):
        tables["*"]["tau_multi_layer_s"] = 0.0
    recurrent = shared[-1]
    if not any(r.step.recurrent_layers for r in rows):
        recurrent = 0.0
    for backend in sorted({r.backend for r in rows}):
        mine = [r for r in rows if r.backend == backend]

        def backend_loss(values, mine=mine, backend=backend):
            table = dict(tables, **{backend: dict(zip(names, values, strict=True))})
            return _loss(mine, _constants(table, recurrent), everything)

        values = _search(list(shared[:-1]), bounds[:-1], backend_loss)
        tables[backend] = dict(zip(names, values, strict=True))
    return _constants(tables, recurrent)


def leave_one_device_out(rows: Sequence[BatchRow]) -> list[Prediction]:
    """Each device predicted by constants fitted without it."""
    out: list[Prediction] = []
    for device in sorted({r.device for r in rows}):
        train = [r for r in rows if r.device != device]
        test = [r for r in rows if r.device == device]
        out += predict(test, fit(train, rows), rows)
    return out


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def spreads(held_out: Sequence[Prediction]) -> dict[str, tuple[float, float]]:
    """measured / predicted scaling on unseen devices, 10th to 90th percentile, per backend."""
    ratios: dict[str, list[float]] = {"*": []}
    for p in held_out:
        if p.row.b > 1 and p.measured_scaling:
            ratio = p.measured_scaling / p.scaling
            ratios["*"].append(ratio)
            ratios.setdefault(p.row.backend, []).append(ratio)
    return {
        k: (
            round(_quantile(v, SPREAD_QUANTILES[0]), 4),
            round(_quantile(v, SPREAD_QUANTILES[1]), 4),
        )
        for k, v in ratios.items()
        if v
    }


def median_abs(errors: Sequence[float]) -> float:
    return statistics.median(abs(e) for e in errors) if errors else float("nan")


def constants_to_dict(bc: BatchConstants, spread: dict[str, tuple[float, float]],
                      source: str) -> dict:  # fmt: skip
    """What batched_constants.json holds: a backend's launch cost only where it applies."""
    per_backend = {}
    for backend, table in bc.per_backend.items():
        values = {name: float(f"{float(table[name]):.6g}") for name in PARAMS}
        if backend != "*" and backend not in GRAPH_BACKENDS:
            values["tau_multi_layer_s"] = 0.0
        per_backend[backend] = values
    return {
        "per_backend": per_backend,
        "tau_recurrent_s": float(f"{bc.tau_recurrent_s:.6g}"),
        "spread": {k: [float(v[0]), float(v[1])] for k, v in spread.items()},
        "source": source,
    }
