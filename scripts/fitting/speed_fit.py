"""Fitting the speed model's constants on calibration rows, and checking them device by device.

Decode time is linear in its constants, so it is one weighted least-squares solve. Prefill is
bilinear (backend efficiency × quant factor), solved by alternating two linear solves. Both
minimise the relative error of the time per token, and every constant has a prior (a value
and a spread) that pulls it back when the data say little: a backend seen on one device, a
quant family with three rows. That is what keeps the model from fitting noise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from advisor.estimate.speed.cpu_paths import cpu_decode_factor, cpu_path_factor
from advisor.estimate.speed.model import (
    SpeedConstants,
    constants_from_dict,
    quant_group,
    run_decode_tokens_per_s,
    run_prefill_tokens_per_s,
    swa_cells,
)
from advisor.estimate.speed.paths import (
    ENGINE,
    PATHS,
    expert_tile_passes,
    matvec_int8,
    prefill_path,
    rated_compute,
    shader_ratio,
    streams_activations,
    unpacks_tiles,
)
from scripts.fitting.speed_rows import CalibrationRow

NOISE = 0.15  # relative scatter expected between llama.cpp builds on one machine
# Quant families with no rows borrow the nearest family's constants.
QUANT_FALLBACK = {"iquant": "kquant", "kquant": "legacy", "legacy": "q8_0", "mxfp4": "legacy",
                  "q8_0": "f16"}  # fmt: skip
# name -> (prior value, prior spread). "alpha:cuda" etc. are offsets from the shared value.
# "betab:metal.kquant": a backend's own offset from the family's shared beta (each backend has
# its own dequantizing kernels; F16 vs Q4_0 efficiency differs by ~0.15-0.2 between backends).
# multi_die: reading across two dies costs nothing extra until the data say otherwise; the
# spread lets it reach the size of a backend's whole efficiency gap (alpha ~1.2, so ±40%).
# gamma_gpu: shader instructions per weight of a GPU's mat-vec kernels (model.coefficients),
# counted in ggml-cuda's vec_dot_q4_0_q8_1 (mmvq, VDR 2): per 16 weights 4 shift/mask ops, 4
# dp4a, 6 loads, ~8 for the block scales (half-to-float conversions, the q8_1 sum term) and
# ~6 for addresses and the loop, about 2 a weight; the F16 kernel (mmvf) converts, multiplies
# The spread lets the rows move it by as much again. gamma_float is the float-FMA kernels'
# (paths.matvec_int8: Metal's mul_mv, Vulkan's dequantizing shaders, mmvf for F16/BF16),
# counted in Metal's block_q_n_dot_y for Q4_0: a mask, a conversion and an FMA a weight, about
# 3 (mmvf's BF16 loop on HIP: a shift to convert, an FMA and half a load of each operand).
DECODE_PRIORS = {
    "alpha0": (1.2, 1.0), "alpha:": (0.0, 0.25), "beta:": (0.0, 0.3), "betab:": (0.0, 0.2),
    "tau0": (3e-5, 1e-4), "tau:": (0.0, 5e-5), "tau_moe": (0.0, 2e-4), "gamma_cpu": (2.0, 3.0),
    "multi_die": (0.0, 0.5), "gamma_gpu": (2.0, 2.0), "gamma_float": (3.0, 2.0),
}  # fmt: skip
# Prefill efficiency is kappa0 + the matrix engine's offset ("kappae:nv_tensor", shared by every
# path on that hardware) + the kernel path's own ("kappap:cuda.mmq"); see speed/paths.py. An engine
# differs from the rest by up to ~2 (ROCm vs CUDA today), a path from its engine by less.
# shader: CUDA MMQ's extra cost per unit of the chip's fp16/FP32 excess (A100, H100, Turing).
# mu_tile: FLOPs of the path's rate per weight FLOP to unpack a routed expert's weights once
# more (paths.expert_tile_passes). Its prior comes from the hardware, not the rows: ~4 shader
# instructions to unpack a weight (load_tiles_q4_K: load, shift/mask, scale) × ~8 matrix FLOPs
# per shader instruction (RDNA3: 512 FP16 WMMA FLOPs a clock per CU, 64 lanes). Every MoE row
# off Strix Halo is an MXFP4 gpt-oss file, whose quant factor would otherwise absorb it.
PREFILL_PRIORS = {"kappa0": (1.0, 3.0), "kappae:": (0.0, 2.0), "kappap:": (0.0, 1.0),
                  "shader": (0.0, 0.5), "rho:": (1.0, 0.5), "rhob:": (0.0, 0.3),
                  "mu_moe": (0.0, 3.0), "mu_tile": (32.0, 16.0),
                  "activation": (1.0, 1.0)}  # fmt: skip
HUBER = 0.2  # relative error beyond which a row's pull grows linearly
HUBER_ITERATIONS = 12
# The quoted range: the central 75% (12.5th-87.5th percentile) of log(measured/predicted) on
# held-out devices, each device counting once however many rows it has (errors cluster by device:
# one build, one machine, so 20 rows of one machine are one piece of evidence, not 20). A band
# estimated from n devices is itself uncertain by about 1/sqrt(n) of its size, so its distance
# from the estimate on each side grows by that much: a group few devices back gets more room.
# That holds ~80% of the rows of a device the range never saw (benchmarks/speed_accuracy.py
# checks it); the plain 5th-95th row percentiles held 81% but at a median half-width of 40%,
# with the accurate paths (Metal: 66 rows within 10%) quoted as wide as the loose ones.
# Decode takes the central 80% (10th-90th): since the shader-compute term (gamma_gpu) its
# central errors are narrow (CUDA's held-out p90 43% -> 21%) while a few devices' tails stay
# (the A100, Strix Halo's MoE files, a 2024 Vulkan build), so its central 75% held only 77% of
# unseen devices' rows, at a median half-width of 19%; the central 80% holds 81% at 20%.
SPREAD_PERCENTILES = {"decode": (10.0, 90.0), "prefill": (12.5, 87.5)}
# A row whose kernel path and backend have fewer devices behind them gets the range over every
# row, and a wider cut of it: a path the fit has hardly seen errs like the worst devices.
FALLBACK_PERCENTILES = (0.5, 99.5)
# A backend gets its own range once three devices back it; fewer, and one machine's build
# would set the range for every user of that backend.
MIN_DEVICES_FOR_OWN_SPREAD = 3
DEFAULT_SPREADS = {"decode": {"*": [0.8, 1.2]}, "prefill": {"*": [0.7, 1.4]}}


def _depth(row: CalibrationRow) -> float:
    return (row.n_tokens - 1) / 2.0


def _prior(priors: dict[str, tuple[float, float]], name: str) -> tuple[float, float]:
    return priors.get(name) or priors[name.split(":")[0] + ":"]


Row = tuple[dict[str, float], float, float, float]


def _solve(rows: list[Row], priors: dict[str, tuple[float, float]]) -> dict[str, float]:
    """Weighted relative least squares with a Gaussian prior on every parameter.

    Each row is (features, target seconds, observed seconds, weight): the prediction
    Σ feature × param should meet the target, with errors counted relative to the observed
    time (the target is the observed time less any part fixed outside this solve). The loss
    is Huber's (iteratively reweighted): a row off by more than HUBER counts linearly, not
    squared, so one mistranscribed or odd-build row cannot drag a whole backend.
    """
    names = sorted({name for features, *_ in rows for name in features})
    index = {name: i for i, name in enumerate(names)}
    design = np.zeros((len(rows), len(names)))
    for i, (features, _, observed, _) in enumerate(rows):
        for name, value in features.items():
            design[i, index[name]] = value / observed
    target = np.array([t / observed for _, t, observed, _ in rows])
    weight = np.array([w for *_, w in rows])
    prior_a = np.zeros((len(names), len(names)))
    prior_b = np.zeros(len(names))
    for name, i in index.items():
        mean, spread = _prior(priors, name)
        prior_a[i, i] = NOISE / spread
        prior_b[i] = NOISE * mean / spread
    robust = np.ones(len(rows))
    for _ in range(HUBER_ITERATIONS):
        scale = np.sqrt(weight * robust)[:, None]
        a = np.vstack([design * scale, prior_a])
        b = np.concatenate([target * scale[:, 0], prior_b])
        solution, *_ = np.linalg.lstsq(a, b, rcond=None)
        residual = np.abs(design @ solution - target)
        robust = np.where(residual <= HUBER, 1.0, HUBER / np.maximum(residual, 1e-12))
    return dict(zip(names, solution.tolist(), strict=True))


def _cpu_decode_path(row: CalibrationRow) -> bool:
    """Whether a CPU row's decode compute is its kernel paths' constants (model.coefficients:
    they replace gamma_cpu and the family's beta)."""
    mix = row.cost.kernel_mix
    return row.backend == "cpu" and cpu_decode_factor(row.rate.simd_level, mix) is not None


def _decode_features(row: CalibrationRow) -> dict[str, float]:
    cost, rate, depth = row.cost, row.rate, _depth(row)
    cells = swa_cells(cost, depth)  # the sliding-window layers' cache
    kv = cost.kv_bytes_per_depth * depth + cost.swa_kv_bytes_per_cell * cells
    x = (cost.weight_bytes_read + cost.state_bytes + kv) / (rate.bandwidth_gbs * 1e9)
    features = {"alpha0": x, f"alpha:{rate.backend}": x, "tau0": float(cost.n_layers),
                f"tau:{rate.backend}": float(cost.n_layers)}  # fmt: skip
    if cost.quant_class != "f16":
        features[f"beta:{cost.quant_class}"] = x
        features[f"betab:{rate.backend}.{cost.quant_class}"] = x
    if rate.dies > 1:
        features["multi_die"] = x
    if cost.n_moe_layers:
        features["tau_moe"] = float(cost.n_moe_layers)
    flops = cost.flops + cost.attn_flops_per_depth * depth + cost.swa_attn_flops_per_cell * cells
    if rate.backend == "cpu":
        features["gamma_cpu"] = flops / (rate.compute_tflops * 1e12)
    else:
        kernel = (
            "gamma_gpu" if matvec_int8(rate.backend, rate.arch, cost.quant_class) else "gamma_float"
        )
        features[kernel] = flops * shader_ratio(rate.arch) / (rate.compute_tflops * 1e12)
    return features


def fit_decode(rows: Sequence[CalibrationRow]) -> dict[str, float]:
    """The decode constants. A CPU row whose decode has kernel-path constants sits out: they,
    not gamma_cpu and beta, price its compute. The published ones (M2 Max) are counted and hide
    the weight stream (cpu_paths.COUNTED_LEVELS), so no bandwidth efficiency is left in them
    either, and their per-layer time moves with the thread count as no other device's does
    (docs/speed.md, "Arm without the runtime repack"): fitted, it raised every backend's
    shared per-layer time by 30%."""
    data = [(_decode_features(r), 1.0 / r.tokens_per_s, 1.0 / r.tokens_per_s, r.weight)
            for r in rows if not _cpu_decode_path(r)]  # fmt: skip
    return _solve(data, DECODE_PRIORS)


def _table(params: dict[str, float], prefix: str, base: str | None, fallback=None) -> dict:
    """{key: value} from 'prefix:key' params, with '*' the shared value."""
    shared = params.get(base, _prior(DECODE_PRIORS | PREFILL_PRIORS, base)[0]) if base else 0.0
    table = {"*": shared}
    for name, value in params.items():
        if name.startswith(prefix + ":"):
            table[name.split(":", 1)[1]] = shared + value
    for missing, nearest in (fallback or {}).items():
        table.setdefault(missing, table.get(nearest, table["*"]))
    return table


def _beta_table(params: dict[str, float]) -> dict[str, float]:
    """'family' keys (shared, with fallbacks for unseen families) and 'backend.family' sums."""
    table = _table(params, "beta", None, QUANT_FALLBACK) | {"f16": 0.0}
    for name, offset in params.items():
        if name.startswith("betab:"):
            key = name.split(":", 1)[1]
            table[key] = table[key.split(".")[1]] + offset
    return table


def _prefill_parts(row: CalibrationRow,
                   per_byte: float) -> tuple[float, float, float, float, float]:  # fmt: skip
    """(FLOP seconds at full compute, expert-FLOP seconds, weight-read seconds, expert-tile
    seconds, activation seconds at full bandwidth) of a row."""
    cost, rate = row.cost, row.rate
    _, per_s, _ = rated_compute(rate.backend, rate.arch, rate.compute_tflops, cost.quant_class)
    ubatch = min(row.ubatch_tokens, row.n_tokens)
    flops = (cost.prefill_flops(ubatch) + cost.attn_flops_per_depth * _depth(row)) / per_s
    read = cost.prefill_bytes * per_byte / (ubatch * rate.bandwidth_gbs * 1e9)
    tile = cost.expert_flops * expert_tile_passes(cost, ubatch) / per_s
    if not unpacks_tiles(rate.backend):
        tile = 0.0
    act = cost.activation_bytes / (rate.bandwidth_gbs * 1e9)
    if not streams_activations(rate.backend):
        act = 0.0
    return flops, cost.expert_flops / per_s, read, tile, act


def _rho(rho: dict[str, float], row: CalibrationRow) -> float:
    family = row.cost.quant_class
    return rho.get(f"{_quant_group(row)}.{family}", rho.get(family, 1.0))


def _quant_group(row: CalibrationRow) -> str:
    """Whose quant factors a row's prefill takes (model.quant_group: its path's engine)."""
    return quant_group(row.backend, row.rate.arch, row.cost.quant_class)


def _cpu_path(row: CalibrationRow) -> float | None:
    """A CPU row's kernel-path cost relative to the F16 GEMM where its level has one (the
    runtime model uses it in place of the family's rho: model.coefficients)."""
    if row.backend != "cpu":
        return None
    return cpu_path_factor(row.rate.simd_level, row.cost.kernel_mix)


def _kappa_features(row: CalibrationRow, x: float) -> dict[str, float]:
    """The efficiency parameters a row's prefill rests on, each times its scaled FLOPs."""
    rate = row.rate
    path, _, excess = rated_compute(rate.backend, rate.arch, 1.0, row.cost.quant_class)
    features = {"kappa0": x, f"kappae:{ENGINE[path]}": x}
    if path != ENGINE[path]:  # the CPU (and SYCL) path is its own engine: one offset
        features[f"kappap:{path}"] = x
    if excess:
        features["shader"] = x * excess
    return features


def _kappa_of(params: dict[str, float], row: CalibrationRow) -> float:
    return sum(params.get(n, 0.0) * v for n, v in _kappa_features(row, 1.0).items())


def fit_prefill(
    rows: Sequence[CalibrationRow], alpha: dict[str, float], multi_die: float = 0.0
) -> dict[str, float]:
    """Alternate: path efficiencies given quant factors, then quant factors given those."""
    parts = [
        _prefill_parts(r, alpha.get(r.backend, alpha["*"]) + (multi_die if r.rate.dies > 1 else 0))
        for r in rows
    ]
    paths = [_cpu_path(r) for r in rows]
    rho: dict[str, float] = {}
    mu = tile_mu = 0.0
    kappa: dict[str, float] = {}
    for _ in range(30):
        data = []
        for row, path, (flops, expert, read, tile, act) in zip(rows, paths, parts, strict=True):
            factor = path if path is not None else _rho(rho, row)
            x = flops * factor + expert * mu + tile * tile_mu
            observed = 1.0 / row.tokens_per_s
            features = _kappa_features(row, x) | ({"activation": act} if act else {})
            data.append((features, observed - read, observed, row.weight))
        kappa = _solve(data, PREFILL_PRIORS)
        activation = kappa.get("activation", 0.0)
        data = []
        for row, path, (flops, expert, read, tile, act) in zip(rows, paths, parts, strict=True):
            k = _kappa_of(kappa, row)
            observed = 1.0 / row.tokens_per_s
            features = {"mu_moe": k * expert, "mu_tile": k * tile}
            target = observed - read - act * activation
            if path is not None:
                target -= k * flops * path  # its kernel paths' own cost, not a family's
            elif row.cost.quant_class == "f16":
                target -= k * flops  # the reference family: its factor is 1
            else:
                # A shared factor per family, and each matrix engine's own offset from it.
                features[f"rho:{row.cost.quant_class}"] = k * flops
                features[f"rhob:{_quant_group(row)}.{row.cost.quant_class}"] = k * flops
            data.append((features, target, observed, row.weight))
        factors = _solve(data, PREFILL_PRIORS)
        mu = factors.pop("mu_moe", 0.0)
        tile_mu = factors.pop("mu_tile", 0.0)
        rho = _rho_table(factors)
    return kappa | {f"rho:{q}": v for q, v in rho.items()} | {"mu_moe": mu, "mu_tile": tile_mu}


def _kappa_table(params: dict[str, float]) -> dict[str, float]:
    """Every kernel path's efficiency ("*": the shared one), seen in the rows or not."""
    shared = params.get("kappa0", PREFILL_PRIORS["kappa0"][0])
    table = {"*": shared}
    for path in PATHS:
        table[path] = (shared + params.get(f"kappae:{ENGINE[path]}", 0.0)
                       + params.get(f"kappap:{path}", 0.0))  # fmt: skip
    return table


def _rho_table(factors: dict[str, float]) -> dict[str, float]:
    """'family' and 'engine.family' keys: the shared factor, and per matrix engine the sum."""
    shared = {n.split(":", 1)[1]: v for n, v in factors.items() if n.startswith("rho:")}
    table = dict(shared)
    for name, offset in factors.items():
        if name.startswith("rhob:"):
            key = name.split(":", 1)[1]
            table[key] = shared[key.rpartition(".")[2]] + offset
    return table


def fit_constants(rows: Sequence[CalibrationRow], spread: dict | None = None) -> dict:
    """The constants file's content (without the spreads unless given)."""
    decode_rows = [r for r in rows if r.kind == "decode"]
    prefill_rows = [r for r in rows if r.kind == "prefill"]
    d = fit_decode(decode_rows)
    alpha = _table(d, "alpha", "alpha0")
    multi_die = d.get("multi_die", DECODE_PRIORS["multi_die"][0])
    p = fit_prefill(prefill_rows, alpha, multi_die)
    rho = {"f16": 1.0} | {k.split(":", 1)[1]: v for k, v in p.items() if k.startswith("rho:")}
    rho["*"] = 1.0
    for missing, nearest in QUANT_FALLBACK.items():
        rho.setdefault(missing, rho.get(nearest, 1.0))
    return {
        "decode": {
            "alpha": alpha,
            "beta": _beta_table(d),
            "tau_layer_s": _table(d, "tau", "tau0"),
            "tau_moe_layer_s": d.get("tau_moe", 0.0),
            "gamma_cpu": d.get("gamma_cpu", DECODE_PRIORS["gamma_cpu"][0]),
            "multi_die": multi_die,
            "gamma_gpu": d.get("gamma_gpu", DECODE_PRIORS["gamma_gpu"][0]),
            "gamma_float": d.get("gamma_float", DECODE_PRIORS["gamma_float"][0]),
        },
        "prefill": {
            "kappa": _kappa_table(p),
            "shader_mmq": p.get("shader", 0.0),
            "rho": rho,
            "mu_moe": p.get("mu_moe", 0.0),
            "mu_tile": p.get("mu_tile", 0.0),
            "activation": p.get("activation", PREFILL_PRIORS["activation"][0]),
        },
        # A kind with no held-out rows (a CSV of decode tests only) keeps a plain default.
        "spread": DEFAULT_SPREADS | (spread or {}),
    }


def predict(row: CalibrationRow, constants: SpeedConstants) -> float:
    """The row's tokens/s as the runtime model computes it."""
    if row.kind == "decode":
        return run_decode_tokens_per_s(row.cost, (row.rate,), constants, row.n_tokens)
    return run_prefill_tokens_per_s(
        row.cost, (row.rate,), constants, row.n_tokens, row.ubatch_tokens
    )


@dataclass(frozen=True)
class Prediction:
    row: CalibrationRow
    predicted_tokens_per_s: float

    @property
    def error(self) -> float:
        """Signed relative error of the prediction against the measurement."""
        return self.predicted_tokens_per_s / self.row.tokens_per_s - 1.0


def leave_one_device_out(
    rows: Sequence[CalibrationRow], fit: Callable[[Sequence[CalibrationRow]], dict] | None = None
) -> list[Prediction]:
    """Refit without each device in turn and predict that device's rows."""
    fit = fit if fit is not None else fit_constants
    out: list[Prediction] = []
    for device in sorted({r.device for r in rows}):
        held = [r for r in rows if r.device == device]
        constants = constants_from_dict(fit([r for r in rows if r.device != device]))
        out.extend(Prediction(r, predict(r, constants)) for r in held)
    return out


def row_path(row: CalibrationRow) -> str:
    """The kernel path a row's prefill ran on (advisor.estimate.speed.paths.prefill_path)."""
    return prefill_path(row.backend, row.rate.arch, row.cost.quant_class)


def _range_groups(row: CalibrationRow, kind: str) -> tuple[str, ...]:
    """The range a row gets: its kernel path's (prefill), else its backend's, else all rows'."""
    return (row_path(row), row.backend) if kind == "prefill" else (row.backend,)


def spreads(predictions: Sequence[Prediction]) -> dict:
    """Per kernel path and backend, the band of measured/predicted we quote (SPREAD_PERCENTILES,
    device-weighted, widened by 1/sqrt(devices)). A group gets its own once
    MIN_DEVICES_FOR_OWN_SPREAD devices back it; a path with fewer falls back to its backend's
    and then to the range over every row, the widest, so a path few devices have measured is
    quoted with the most room."""
    result: dict[str, dict[str, list[float]]] = {}
    for kind in ("decode", "prefill"):
        chosen = [p for p in predictions if p.row.kind == kind]
        if not chosen:
            continue
        table = {"*": _band(chosen, FALLBACK_PERCENTILES, widen=False)}
        groups: dict[str, list[Prediction]] = {}
        for p in chosen:
            for group in _range_groups(p.row, kind):
                groups.setdefault(group, []).append(p)
        for group, mine in sorted(groups.items()):
            if len({p.row.device for p in mine}) >= MIN_DEVICES_FOR_OWN_SPREAD:
                table[group] = _band(mine, SPREAD_PERCENTILES[kind])
        result[kind] = table
    return result


def quoted_range(table: dict[str, list[float]], row: CalibrationRow) -> tuple[float, float]:
    """The (low, high) ratio a row's estimate is quoted with, from one kind's spread table."""
    for group in _range_groups(row, row.kind):
        if group in table:
            low, high = table[group]
            return low, high
    low, high = table["*"]
    return low, high


@dataclass(frozen=True)
class RangeCheck:
    """One held-out row against the range quoted for it (from the other devices only)."""

    prediction: Prediction
    low: float  # ratio measured/predicted at the range's ends
    high: float

    @property
    def inside(self) -> bool:
        ratio = self.prediction.row.tokens_per_s / self.prediction.predicted_tokens_per_s
        return self.low <= ratio <= self.high

    @property
    def half_width(self) -> float:
        """Half the range's width, relative to the point estimate."""
        return (self.high - self.low) / 2.0


def range_checks(predictions: Sequence[Prediction]) -> list[RangeCheck]:
    """Every held-out row with the range quoted for it, that range taken from the other
    devices' held-out ratios only, as a user's machine would get it."""
    checks: list[RangeCheck] = []
    for device in sorted({p.row.device for p in predictions}):
        table = spreads([p for p in predictions if p.row.device != device])
        for p in predictions:
            if p.row.device != device or p.row.kind not in table:
                continue  # no other device measured this kind: no range to check against
            checks.append(RangeCheck(p, *quoted_range(table[p.row.kind], p.row)))
    return checks


def range_coverage(predictions: Sequence[Prediction]) -> dict[str, float]:
    """Per kind, the share of rows whose measurement falls inside the range quoted for them."""
    inside: dict[str, list[bool]] = {}
    for check in range_checks(predictions):
        inside.setdefault(check.prediction.row.kind, []).append(check.inside)
    return {kind: sum(v) / len(v) for kind, v in inside.items() if v}


def _band(predictions: Sequence[Prediction], percentiles: tuple[float, float],
          widen: bool = True) -> list[float]:  # fmt: skip
    """(low, high) ratio measured/predicted: the device-weighted percentiles of the log ratio,
    each side's distance from the estimate grown by 1/sqrt(devices) when `widen`; the
    estimate itself always inside."""
    rows_of: dict[str, int] = {}
    for p in predictions:
        rows_of[p.row.device] = rows_of.get(p.row.device, 0) + 1
    logs = np.log([p.row.tokens_per_s / p.predicted_tokens_per_s for p in predictions])
    weights = np.array([1.0 / rows_of[p.row.device] for p in predictions])
    low, high = (_weighted_percentile(logs, weights, q) for q in percentiles)
    scale = 1.0 + 1.0 / np.sqrt(len(rows_of)) if widen else 1.0
    return [round(float(np.exp(min(low, 0.0) * scale)), 4),
            round(float(np.exp(max(high, 0.0) * scale)), 4)]  # fmt: skip


def _weighted_percentile(values: np.ndarray, weights: np.ndarray, percent: float) -> float:
    """The percentile of `values` where each carries its weight (midpoint rule, interpolated)."""
    order = np.argsort(values)
    ordered, w = values[order], weights[order]
    position = (np.cumsum(w) - 0.5 * w) / w.sum()
    return float(np.interp(percent / 100.0, position, ordered))
