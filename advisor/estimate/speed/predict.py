"""Decode and prefill speed: bytes moved over bandwidth, FLOPs over compute."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from advisor.estimate.kv_types import kv_cache_type
from advisor.estimate.speed.figures import Figure, Speed
from advisor.estimate.speed.paths import ENGINE, matvec_int8, prefill_path

if TYPE_CHECKING:
    from collections.abc import Callable

    from advisor.catalog.model import Model, Quant
    from advisor.estimate.memory import MemoryBreakdown
    from advisor.estimate.placement import Placement
    from advisor.estimate.speed.load import TokenCost
    from advisor.probe.machine import Machine

ASSUMED_WIDENING = (0.6, 1.6)  # a range resting on an assumed figure is this much wider


TG_DEPTH = (128 - 1) / 2.0  # tg128: the mean depth over 128 tokens generated from empty
PP_DEPTH = (512 - 1) / 2.0  # pp512: the mean depth of a 512-token prompt
_COST_MEMO_SIZE = 4096


def predict_speed(
    machine: Machine,
    model: Model,
    quant: Quant | str,
    placement: Placement,
    memory: MemoryBreakdown,
    *,
    context_tokens: int,
    kv_type: str = "f16",
) -> Speed:
    """Decode (tg128) and prefill (pp512) rates for one model file placed on this machine.

    Bytes moved per token over each device's bandwidth, FLOPs over its compute, with the
    constants fitted on published llama-bench results (advisor/estimate/speed/speed_constants.json).
    `context_tokens` only bounds the depth terms callers use through the per-depth costs.
    """
    del context_tokens  # the rates are llama-bench's; depth enters through the slopes
    return speed_of_placement(machine, model, quant, placement, memory.weights_bytes, kv_type)


def speed_of_placement(
    machine: Machine,
    model: Model,
    quant: Quant | str,
    placement: Placement,
    weights_bytes: int,
    kv_type: str = "f16",
    *,
    basis: bool = True,
) -> Speed:
    """predict_speed's figures; `basis` False leaves Speed.basis empty (a search's estimates,
    whose rates alone are read, skip building it)."""
    from advisor.estimate.speed.devices import device_work, work_terms
    from advisor.estimate.speed.model import (
        decode_terms,
        load_constants,
        prefill_terms,
        swa_cells,
        window_s_per_cell,
    )

    quant_type = quant if isinstance(quant, str) else quant.type
    kv_bytes = kv_cache_type(kv_type).bytes_per_element
    cost = file_token_cost(model.architecture, quant_type, weights_bytes, kv_bytes)
    constants = load_constants()
    terms = work_terms(machine, placement, cost, constants)
    decode_s = decode_slope = prefill_s = prefill_slope = window_s = 0.0
    for part, share, k, _, _ in terms:
        base, slope = decode_terms(part, share, k, constants)
        decode_s, decode_slope = decode_s + base, decode_slope + slope
        window_s += window_s_per_cell(part, share, k)
        base, slope = prefill_terms(part, share, k)
        prefill_s, prefill_slope = prefill_s + base, prefill_slope + slope
    window_cells = swa_cells(cost, TG_DEPTH)  # the sliding-window layers' cells at tg128
    decode = 1.0 / (decode_s + decode_slope * TG_DEPTH + window_s * window_cells)
    prefill = 1.0 / (prefill_s + prefill_slope * PP_DEPTH)
    # Only a device's own figures can be assumed; the fitted constants never are.
    assumed = any(t[4] for t in terms)
    paths = tuple((t[3], t[2].path) for t in terms)
    d_low, d_high = _spread("decode", paths, assumed, constants)
    p_low, p_high = _spread("prefill", paths, assumed, constants)
    # A compute figure known only as a range (a CPU clock from its family's table) widens prefill.
    p_low *= min(t[2].compute_range[0] for t in terms)
    p_high *= max(t[2].compute_range[1] for t in terms)
    figures: tuple[Figure, ...] = ()
    if basis:
        work = device_work(machine, placement, cost)
        figures = tuple(f for w in work for f in w.basis) + _fitted_basis(work, constants)
    return Speed(
        decode_tokens_per_s=decode,
        prefill_tokens_per_s=prefill,
        decode_range=(decode * d_low, decode * d_high),
        prefill_range=(prefill * p_low, prefill * p_high),
        basis=figures,
        decode_s_per_token_per_depth=decode_slope,
        decode_s_per_window_cell=window_s,
        window_cells_left=swa_cells(cost, float("inf")) - window_cells,
        prefill_s_per_token_per_depth=prefill_slope,
    )


@lru_cache(maxsize=_COST_MEMO_SIZE)
def file_token_cost(arch, quant_type: str, weights_bytes: int, kv_bytes: float) -> TokenCost:
    """token_cost, remembered per architecture: ranking asks for each file many times, and
    the bounds of a search (advisor.estimate.speed.floor, .ceiling) ask for it at the file's
    tensors' total, which is what a placement in RAM holds."""
    from advisor.estimate.speed.load import token_cost

    return token_cost(arch, quant_type, weights_bytes, kv_bytes_per_element=kv_bytes)


@lru_cache(maxsize=_COST_MEMO_SIZE)
def least_token_cost(arch, quant_type: str, kv_bytes: float) -> TokenCost | None:
    """The file's token cost at the fewest weights any placement holds, its tensors' total
    (file_token_cost there: an estimate's on a CPU); None where its layout is unknown. The
    bounds of a search ask for it (advisor.estimate.speed.ceiling, .floor)."""
    try:
        from advisor.catalog.tensors.layout import quant_tensor_bytes

        total = quant_tensor_bytes(arch, quant_type).total_bytes
    except (KeyError, ValueError):
        return None
    return _one(file_token_cost(arch, quant_type, total, kv_bytes))


@lru_cache(maxsize=_COST_MEMO_SIZE)
def layer_bytes(arch, quant_type: str) -> float:
    """The file's repeating layers' weights (the input and output layers aside): every
    placement streams them from some device, so no more of them than the GPUs' room sits on
    the GPUs (the bounds' GPU share, advisor.estimate.speed.floor, .ceiling). 1 byte where the
    layout is unknown, which leaves that share unbounded."""
    try:
        from advisor.catalog.tensors.layout import quant_tensor_bytes

        return max(float(sum(quant_tensor_bytes(arch, quant_type).layer_bytes)), 1.0)
    except (KeyError, ValueError):
        return 1.0


@lru_cache(maxsize=_COST_MEMO_SIZE)
def least_moe_parts(arch, quant_type: str, kv_bytes: float) -> tuple[TokenCost, TokenCost]:
    """The least cost's --cpu-moe parts (devices.dense_part, devices.expert_part): the same on
    every machine, where the bounds of each machine with GPUs ask for them again."""
    from advisor.estimate.speed.devices import dense_part, expert_part

    cost = least_token_cost(arch, quant_type, kv_bytes)
    assert cost is not None  # asked only of a file whose least cost is known
    return _one(dense_part(cost)), _one(expert_part(cost))


# Each distinct least cost (and --cpu-moe part) once: files of catalog entries alike then
# share the bounds' per-device terms (advisor.estimate.speed.floor, .ceiling) by identity,
# where look-ups would otherwise compare the costs field by field. At most one per file of
# the least-cost memos above.
_LEAST: dict[TokenCost, TokenCost] = {}


def _one(cost: TokenCost) -> TokenCost:
    return _LEAST.setdefault(cost, cost)


def least_split(terms: Callable[[TokenCost, str], tuple[float, float]], cost: TokenCost,
                file: tuple, kv_bytes: float, gpus: tuple[str, ...], share: float,
                moe: bool) -> tuple[float, float]:  # fmt: skip
    """The least (seconds at depth 0, seconds per token of depth) of a token of `cost` over the
    placements a bound allows, from `terms` (one device alone; `file`: its architecture and
    quant type, whose least cost `cost` is): all on the CPU; `share` of it
    on the cheapest GPU and the rest on the CPU (a layer split, `share` the most the GPUs can
    hold); with `moe`, the dense part on the cheapest GPU and the experts on the CPU
    (--cpu-moe, least_moe_parts). The prefill floor and the decode ceiling both take it."""
    cpu = terms(cost, "cpu")
    base, slope = cpu
    if not gpus:
        return base, slope
    gpu_base, gpu_slope = _cheapest(terms, cost, gpus)
    base = min(base, share * gpu_base + (1 - share) * cpu[0])
    slope = min(slope, share * gpu_slope + (1 - share) * cpu[1])
    if moe:
        dense_cost, expert_cost = least_moe_parts(*file, kv_bytes)
        dense_base, dense_slope = _cheapest(terms, dense_cost, gpus)
        experts = terms(expert_cost, "cpu")
        base = min(base, dense_base + experts[0])
        slope = min(slope, dense_slope + experts[1])
    return base, slope


def _cheapest(terms: Callable[[TokenCost, str], tuple[float, float]], cost: TokenCost,
              gpus: tuple[str, ...]) -> tuple[float, float]:  # fmt: skip
    """The least (base, slope) of `cost` on any one of `gpus`, each taken on its own."""
    if len(gpus) == 1:  # most machines: the GPU's own terms
        return terms(cost, gpus[0])
    on_gpus = [terms(cost, d) for d in gpus]
    return min(b for b, _ in on_gpus), min(s for _, s in on_gpus)


@lru_cache(maxsize=256)
def _spread(kind: str, paths: tuple[tuple[str, str], ...], assumed: bool,
            constants) -> tuple[float, float]:  # fmt: skip
    """The measured/predicted spread seen on unseen devices of these (backend, kernel path)
    pairs (the widest)."""
    lows, highs = zip(*(constants.spread(kind, b, p) for b, p in paths), strict=True)
    low, high = min(lows), max(highs)
    if assumed:
        low, high = low * ASSUMED_WIDENING[0], high * ASSUMED_WIDENING[1]
    return low, high


def _fitted_basis(work, constants) -> tuple[Figure, ...]:
    if len(work) == 1:  # the common case: nothing to deduplicate
        w = work[0]
        fitted = _device_constants(w.rate.backend, w.cost.quant_class, w.rate.dies > 1,
                                   constants, w.rate.arch)  # fmt: skip
        return fitted + _cpu_path_figures(w) + (_bytes_read_figure(w),)
    figures: list[Figure] = []
    for w in work:
        figures += _device_constants(w.rate.backend, w.cost.quant_class, w.rate.dies > 1,
                                     constants, w.rate.arch)  # fmt: skip
        figures += _cpu_path_figures(w)
        figures.append(_bytes_read_figure(w))
    return tuple(dict.fromkeys(figures))


def _cpu_path_figures(w) -> tuple[Figure, ...]:
    """The measured kernel-path constants a CPU uses instead of the family's fitted factors."""
    from advisor.estimate.speed.cpu_paths import cpu_decode_factor, cpu_path_factor, path_names

    if w.rate.backend != "cpu":
        return ()
    factor = cpu_path_factor(w.rate.simd_level, w.cost.kernel_mix)
    vector = cpu_decode_factor(w.rate.simd_level, w.cost.kernel_mix)
    if factor is None:
        return ()
    names = path_names(w.rate.simd_level, w.cost.kernel_mix)
    source = "relative to the F16 GEMM's prefill cost per FLOP, advisor/estimate/speed/cpu_paths.py"
    level = w.rate.simd_level
    prefill = Figure(f"prefill.cpu_path.{level}.{names}", round(factor, 4), "measured", source)
    if vector is None:
        return (prefill,)
    return prefill, Figure(f"decode.cpu_path.{level}.{names}", round(vector, 4), "measured", source)


def _bytes_read_figure(w) -> Figure:
    return Figure(
        f"{w.rate.device}.weights_bytes_read_per_token",
        round(w.cost.weight_bytes_read * w.rate.share),
        "estimated",
        "weights × active share (embedding lookup and idle experts not read)",
    )


@lru_cache(maxsize=256)
def _device_constants(backend: str, family: str, multi_die: bool, constants,
                      arch: str = "") -> tuple[Figure, ...]:  # fmt: skip
    """The fitted constants one device's part rests on (built once per backend and family)."""
    source = f"fit on published llama-bench results ({constants.source.split(':')[0]})"
    path = prefill_path(backend, arch, family)
    group = ENGINE[path]  # the quant factors follow the path's matrix engine (model.quant_group)
    figures: tuple[Figure, ...] = (
        Figure(f"decode.alpha.{backend}", constants.get(constants.alpha, backend),
               "fitted", source),
        Figure(f"decode.beta.{backend}.{family}", constants.quant_extra(backend, family),
               "fitted", source),
        Figure(f"decode.tau_layer_s.{backend}", constants.get(constants.tau_layer_s, backend),
               "fitted", source),
        Figure(f"prefill.kappa.{path}", constants.kappa.get(path, constants.kappa["*"]),
               "fitted", source),
        Figure(f"prefill.rho.{group}.{family}", constants.quant_factor(group, family),
               "fitted", source),
    )  # fmt: skip
    if multi_die:
        figures += (Figure("decode.multi_die", constants.multi_die, "fitted", source),)
    if backend != "cpu":  # the mat-vec kernels' shader work (model.coefficients)
        kernel = "gamma_gpu" if matvec_int8(backend, arch, family) else "gamma_float"
        figures += (Figure(f"decode.{kernel}", getattr(constants, kernel), "fitted", source),)
    return figures + _range_figures(backend, path, constants)


RANGE_SOURCE = (
    "measured/predicted on devices left out of the fit: central 80% (decode) or 75% "
    "(prefill), each device weighing one, widened by 1/sqrt(devices) "
    "(scripts/fitting/speed_fit.py spreads)"
)


def _range_figures(backend: str, path: str, constants) -> tuple[Figure, ...]:
    """The bands the quoted ranges come from, named by the group that backs them (a kernel
    path, a backend, or "all_rows", cut wider, where fewer than three devices back them)."""
    figures: tuple[Figure, ...] = ()
    for kind in ("decode", "prefill"):
        group = constants.spread_group(kind, backend, path).replace("*", "all_rows")
        low, high = constants.spread(kind, backend, path)
        figures += (Figure(f"{kind}.range_low.{group}", low, "fitted", RANGE_SOURCE),
                    Figure(f"{kind}.range_high.{group}", high, "fitted", RANGE_SOURCE))  # fmt: skip
    return figures
