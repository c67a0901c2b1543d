"""Decode and prefill speed: bytes moved over bandwidth, FLOPs over compute."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from advisor.catalog.model import Model, Quant
    from advisor.estimate.memory import MemoryBreakdown
    from advisor.estimate.placement import Placement
    from advisor.probe.machine import Machine

FigureStatus = Literal["measured", "spec", "fitted", "calibrated", "estimated", "assumed"]


@dataclass(frozen=True)
class Figure:
    """One input a speed figure rests on, and how we know it."""

    name: str  # e.g. "gpu0.memory_bandwidth_gbs", "decode_efficiency.cuda.Q4_K"
    value: float | None
    status: FigureStatus
    source: str  # where it came from: "nvml", "spec-table", "fit on calibration set", ...


@dataclass(frozen=True)
class Speed:
    """tg128-style decode and pp512-style prefill rates, each with an honest range.

    The per-token costs let callers ask for decode speed at depth and time to first token.
    """

    decode_tokens_per_s: float  # llama-bench tg128: generation at an empty context
    prefill_tokens_per_s: float  # llama-bench pp512
    decode_range: tuple[float, float]
    prefill_range: tuple[float, float]
    basis: tuple[Figure, ...]
    # Seconds each decoded token costs per token already in the context (KV reads).
    decode_s_per_token_per_depth: float = 0.0
    # Seconds each prefilled token costs per token before it in the prompt (attention).
    prefill_s_per_token_per_depth: float = 0.0
    calibrated_from_runs: int = 0  # >0: scaled by this machine's own throughput tests
    measured_decode_tokens_per_s: float | None = None  # a stored run of this exact file
    measured_prefill_tokens_per_s: float | None = None

    def decode_tokens_per_s_at(self, depth_tokens: int) -> float:
        """Generation speed once `depth_tokens` are already in the context."""
        slowdown = self.decode_s_per_token_per_depth * depth_tokens
        per_token = 1.0 / self.decode_tokens_per_s + slowdown
        return 1.0 / per_token

    def time_to_first_token_s(self, prompt_tokens: int) -> float:
        """Seconds to prefill a prompt of `prompt_tokens` and produce the first token."""
        linear = prompt_tokens / self.prefill_tokens_per_s
        attention = self.prefill_s_per_token_per_depth * prompt_tokens * prompt_tokens / 2
        return linear + attention + 1.0 / self.decode_tokens_per_s


KV_BYTES_PER_ELEMENT: dict[str, float] = {
    "f32": 4.0, "f16": 2.0, "bf16": 2.0, "q8_0": 34 / 32, "q5_1": 24 / 32, "q5_0": 22 / 32,
    "q4_1": 20 / 32, "q4_0": 18 / 32,
}  # fmt: skip
ASSUMED_WIDENING = (0.6, 1.6)  # a range resting on an assumed figure is this much wider


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
    constants fitted on published llama-bench results (advisor/estimate/speed_constants.json).
    `context_tokens` only bounds the depth terms callers use through the per-depth costs.
    """
    from advisor.estimate.speed_devices import device_work
    from advisor.estimate.speed_load import token_cost
    from advisor.estimate.speed_model import (
        decode_depth_seconds,
        decode_seconds,
        load_constants,
        prefill_depth_seconds,
        prefill_seconds,
    )

    del context_tokens  # the rates are llama-bench's; depth enters through the slopes
    quant_type = quant if isinstance(quant, str) else quant.type
    kv_bytes = KV_BYTES_PER_ELEMENT.get(kv_type.lower(), 2.0)
    cost = token_cost(model.architecture, quant_type, memory.weights_bytes,
                      kv_bytes_per_element=kv_bytes)  # fmt: skip
    constants = load_constants()
    work = device_work(machine, placement, cost)
    decode_s = sum(decode_seconds(w.cost, w.rate, constants, 63.5) for w in work)
    prefill_s = sum(prefill_seconds(w.cost, w.rate, constants, 255.5) for w in work)
    basis = tuple(f for w in work for f in w.basis) + _fitted_basis(work, constants)
    decode, prefill = 1.0 / decode_s, 1.0 / prefill_s
    return Speed(
        decode_tokens_per_s=decode,
        prefill_tokens_per_s=prefill,
        decode_range=_range(decode, "decode", work, basis, constants),
        prefill_range=_range(prefill, "prefill", work, basis, constants),
        basis=basis,
        decode_s_per_token_per_depth=sum(
            decode_depth_seconds(w.cost, w.rate, constants) for w in work
        ),
        prefill_s_per_token_per_depth=sum(
            prefill_depth_seconds(w.cost, w.rate, constants) for w in work
        ),
    )


def _range(value: float, kind: str, work, basis, constants) -> tuple[float, float]:
    """The measured/predicted spread seen on unseen devices of these backends."""
    lows, highs = zip(*(constants.spread(kind, w.rate.backend) for w in work), strict=True)
    low, high = min(lows), max(highs)
    if any(f.status == "assumed" for f in basis):
        low, high = low * ASSUMED_WIDENING[0], high * ASSUMED_WIDENING[1]
    return (value * low, value * high)


def _fitted_basis(work, constants) -> tuple[Figure, ...]:
    figures: list[Figure] = []
    for w in work:
        figures += _constant_figures(w.rate.backend, w.cost.quant_class, constants)
        if w.rate.dies > 1:
            figures.append(Figure("decode.multi_die", constants.multi_die, "fitted",
                                  _fit_source(constants)))  # fmt: skip
        figures.append(
            Figure(f"{w.rate.device}.weights_bytes_read_per_token",
                   round(w.cost.weight_bytes_read * w.rate.share), "estimated",
                   "weights × active share (embedding lookup and idle experts not read)")
        )  # fmt: skip
    return tuple(dict.fromkeys(figures))


def _fit_source(constants) -> str:
    return f"fit on published llama-bench results ({constants.source.split(':')[0]})"


@lru_cache(maxsize=256)
def _constant_figures(backend: str, family: str, constants) -> tuple[Figure, ...]:
    """The fitted constants one device's figures use (built once per backend and family)."""
    source = _fit_source(constants)
    rho = constants.rho.get(f"{backend}.{family}", constants.get(constants.rho, family))
    return (
        Figure(f"decode.alpha.{backend}", constants.get(constants.alpha, backend),
               "fitted", source),
        Figure(f"decode.beta.{backend}.{family}", constants.quant_extra(backend, family),
               "fitted", source),
        Figure(f"decode.tau_layer_s.{backend}", constants.get(constants.tau_layer_s, backend),
               "fitted", source),
        Figure(f"prefill.kappa.{backend}", constants.get(constants.kappa, backend),
               "fitted", source),
        Figure(f"prefill.rho.{backend}.{family}", rho, "fitted", source),
    )  # fmt: skip
