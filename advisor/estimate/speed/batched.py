"""Batched speed: B sequences served at once, as `llama-batched-bench -npp P -ntg TG -npl B`.

`parallel_speed(machine, model, est, sequences=B)` gives the aggregate prefill and decode rates
of B sequences, each with its own prompt of P tokens (P = 512 unless told), generating TG = 128
tokens each. `batch_model(...)` gives the per-step costs a queue model needs. The physics is in
advisor.estimate.speed.batched_physics; the single-stream estimate anchors B = 1, so S(1) is the
estimate's own decode speed (calibrated when this machine's runs calibrated it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisor.estimate.kv_types import kv_cache_type
from advisor.estimate.speed.batched_physics import (
    BatchConstants,
    DeviceStep,
    decode_step_s,
    distinct_expert_share,
    load_batch_constants,
    prefill_s,
)
from advisor.estimate.speed.figures import Figure
from advisor.estimate.speed.model import UBATCH_TOKENS, SpeedConstants, load_constants
from advisor.estimate.speed.predict import speed_of_placement

if TYPE_CHECKING:
    from advisor.catalog.model import Model
    from advisor.estimate.estimate import Estimate
    from advisor.probe.machine import Machine

DEFAULT_PROMPT_TOKENS = 512  # llama-batched-bench -npp
GENERATED_TOKENS = 128  # -ntg: the contract's tg128


@dataclass(frozen=True)
class ParallelSpeed:
    """Aggregates of B sequences at once, with llama-batched-bench's meaning (is_pp_shared 0)."""

    sequences: int  # B
    prompt_tokens: int  # P, each sequence its own prompt
    generated_tokens: int  # TG per sequence
    prefill_tokens_per_s: float  # B·P / T_PP (S_PP)
    decode_tokens_per_s: float  # B·TG / T_TG (S_TG), all sequences together
    decode_tokens_per_s_per_sequence: float  # decode_tokens_per_s / B
    decode_range: tuple[float, float]  # of the aggregate decode
    prefill_range: tuple[float, float]
    scaling: float  # S_TG(B) / S_TG(1) at the same P and TG
    context_tokens_needed: int  # B·(P + TG): the KV cells the run fills (llama.cpp's n_ctx)
    prefill_s: float  # T_PP: every prompt prefilled
    decode_s: float  # T_TG: TG steps from depth P
    basis: tuple[Figure, ...]
    calibrated_from_runs: int = 0  # >0: this machine's runs rescaled the figures


@dataclass(frozen=True)
class BatchModel:
    """Per-step costs of one model file placed on one machine, for any number of sequences."""

    steps: tuple[DeviceStep, ...]
    constants: SpeedConstants
    batch: BatchConstants
    decode_time_scale: float  # raw decode rate / the estimate's (calibrated) decode rate
    prefill_time_scale: float
    decode_range: tuple[float, float]  # the single-stream range as ratios of its rate
    prefill_range: tuple[float, float]
    basis: tuple[Figure, ...]
    ubatch_tokens: int = UBATCH_TOKENS
    calibrated_from_runs: int = 0
    growth: float = 1.0  # this machine's batched calibration of the extra sequences' cost

    def decode_step_s(self, sequences: int, depth_tokens: float) -> float:
        """Seconds of one step yielding a token for each of `sequences` sequences.

        `depth_tokens` is the mean number of tokens already in their contexts: KV reads are
        linear in depth, so the mean is exact for sequences at mixed depths.
        """
        _check_sequences(sequences)
        raw = sum(decode_step_s(s, self.constants, self.batch, sequences, depth_tokens,
                                self.growth) for s in self.steps)  # fmt: skip
        return raw * self.decode_time_scale

    def prefill_s(self, sequences: int, prompt_tokens: int) -> float:
        """Seconds to prefill `sequences` prompts of `prompt_tokens` each, submitted together."""
        _check_sequences(sequences)
        if prompt_tokens < 1:
            raise ValueError("prompt_tokens must be at least 1")
        raw = sum(prefill_s(s, sequences, prompt_tokens, self.ubatch_tokens) for s in self.steps)
        return raw * self.prefill_time_scale

    def decode_s(self, sequences: int, prompt_tokens: int, generated_tokens: int) -> float:
        """T_TG: `generated_tokens` steps, the depth growing from `prompt_tokens` (KV is linear,
        so the mean depth gives the exact sum)."""
        depth = prompt_tokens + (generated_tokens - 1) / 2.0
        return generated_tokens * self.decode_step_s(sequences, depth)

    def speed(self, sequences: int, prompt_tokens: int = DEFAULT_PROMPT_TOKENS,
              generated_tokens: int = GENERATED_TOKENS) -> ParallelSpeed:  # fmt: skip
        if generated_tokens < 1:
            raise ValueError("generated_tokens must be at least 1")
        t_pp = self.prefill_s(sequences, prompt_tokens)
        t_tg = self.decode_s(sequences, prompt_tokens, generated_tokens)
        single = generated_tokens / self.decode_s(1, prompt_tokens, generated_tokens)
        decode = sequences * generated_tokens / t_tg
        prefill = sequences * prompt_tokens / t_pp
        low, high = self._spread(sequences)
        return ParallelSpeed(
            sequences=sequences, prompt_tokens=prompt_tokens, generated_tokens=generated_tokens,
            prefill_tokens_per_s=prefill, decode_tokens_per_s=decode,
            decode_tokens_per_s_per_sequence=decode / sequences,
            decode_range=(decode * low, decode * high),
            prefill_range=(prefill * self.prefill_range[0], prefill * self.prefill_range[1]),
            scaling=decode / single,
            context_tokens_needed=sequences * (prompt_tokens + generated_tokens),
            prefill_s=t_pp, decode_s=t_tg,
            basis=self.basis + self._experts_figure(sequences),
            calibrated_from_runs=self.calibrated_from_runs,
        )  # fmt: skip

    def _spread(self, sequences: int) -> tuple[float, float]:
        """The single-stream range, widened by the batched model's own spread on unseen
        devices when more than one sequence runs: the two errors are independent, so their
        logs add in quadrature."""
        low, high = self.decode_range
        if sequences == 1:
            return low, high
        backends = {s.backend for s in self.steps}
        lows, highs = zip(*(self.batch.range_for(b) for b in backends), strict=True)
        return _quadrature(low, min(lows)), _quadrature(high, max(highs))

    def _experts_figure(self, sequences: int) -> tuple[Figure, ...]:
        moe = [s for s in self.steps if s.cost.expert_bytes_total > 0]
        if not moe:
            return ()
        s = moe[0]
        share = distinct_expert_share(s.cost, sequences, self.batch.get(s.backend, "expert_pool"))
        return (Figure("parallel.expert_bytes_read_share", round(share, 4), "estimated",
                       f"routed-expert bytes {sequences} tokens read per step "
                       "(pool·(1-(1-k/(pool·E))^B))"),)  # fmt: skip


def _quadrature(a: float, b: float) -> float:
    """The ratio whose log is the two logs added in quadrature (on the side of 1 they are)."""
    la, lb = math.log(a), math.log(b)
    sign = -1.0 if la + lb < 0 else 1.0
    return math.exp(sign * math.hypot(la, lb))


def _check_sequences(sequences: int) -> None:
    if sequences < 1:
        raise ValueError("sequences must be at least 1")


def _recurrent_layers(model: Model) -> int:
    return model.architecture.n_linear_attention_layers


def _constant_figures(backends: tuple[str, ...], bc: BatchConstants) -> tuple[Figure, ...]:
    source = f"fit on llama.cpp's published llama-batched-bench sweeps ({bc.source.split(':')[0]})"
    figures: list[Figure] = []
    for backend in dict.fromkeys(backends):
        key = backend if bc.fitted_for(backend) else "*"
        figures += [
            Figure(f"parallel.{name}.{key}", bc.get(backend, name), "fitted", source)
            for name in ("g_vector", "g_matrix", "tau_multi_layer_s", "expert_pool")
        ]
    figures.append(Figure("parallel.tau_recurrent_s", bc.tau_recurrent_s, "fitted", source))
    return tuple(figures)


def batch_model(machine: Machine, model: Model, est: Estimate, *, calibration=None,
                ubatch_tokens: int = UBATCH_TOKENS) -> BatchModel:  # fmt: skip
    """The batched step costs for the file, placement and KV type of `est` (which must fit).

    `est.speed` anchors one sequence: the step times are scaled so B = 1 gives its decode and
    prefill rates, calibrated or not. `calibration` (advisor.estimate.calibration.Calibration)
    adds this machine's batched runs (advisor bench --parallel): the cost of the sequences
    beyond the first is scaled by their group's factor (batched_group_for's rule).
    """
    from advisor.estimate.speed.devices import work_terms
    from advisor.estimate.speed.load import token_cost

    if est.speed is None:
        raise ValueError(f"{est.model_id} {est.quant} does not fit: no batched speed")
    constants = load_constants()
    kv_bytes = kv_cache_type(est.kv_type).bytes_per_element
    cost = token_cost(model.architecture, est.quant, est.memory.weights_bytes,
                      kv_bytes_per_element=kv_bytes)  # fmt: skip
    terms = work_terms(machine, est.placement, cost, constants)
    recurrent = _recurrent_layers(model)
    steps = tuple(DeviceStep(c, share, k, backend, recurrent)
                  for c, share, k, backend, _ in terms)  # fmt: skip
    raw = speed_of_placement(machine, model, est.quant, est.placement, est.memory.weights_bytes,
                             est.kv_type, basis=False)  # fmt: skip
    speed = est.speed
    bc = load_batch_constants()
    growth, runs, figures = _batched_calibration(machine, model, est, calibration)
    return BatchModel(
        steps=steps, constants=constants, batch=bc,
        decode_time_scale=raw.decode_tokens_per_s / speed.decode_tokens_per_s,
        prefill_time_scale=raw.prefill_tokens_per_s / speed.prefill_tokens_per_s,
        decode_range=(speed.decode_range[0] / speed.decode_tokens_per_s,
                      speed.decode_range[1] / speed.decode_tokens_per_s),
        prefill_range=(speed.prefill_range[0] / speed.prefill_tokens_per_s,
                       speed.prefill_range[1] / speed.prefill_tokens_per_s),
        basis=_constant_figures(tuple(s.backend for s in steps), bc) + figures,
        ubatch_tokens=ubatch_tokens, calibrated_from_runs=speed.calibrated_from_runs + runs,
        growth=growth,
    )  # fmt: skip


def _batched_calibration(machine: Machine, model: Model, est: Estimate, calibration):
    """(growth factor, runs behind it, its basis figure) from this machine's batched runs."""
    from advisor.estimate.calibration.apply import batched_group_for
    from advisor.estimate.calibration.values import SIZE_SPAN, Target

    if calibration is None:
        return 1.0, 0, ()
    from advisor.probe.fingerprint import machine_fingerprint

    target = Target(machine_fingerprint(machine), machine.backend, est.placement.kind,
                    model.id, est.quant, weights_bytes=est.memory.weights_bytes)  # fmt: skip
    group = batched_group_for(calibration, target)
    if group is None:
        return 1.0, 0, ()
    f = group.growth
    figure = Figure(f"calibration.{group.backend}.{group.placement}.batched_growth_factor",
                    f.value, "calibrated",
                    f"median measured/estimated growth of a step's time with the sequences, "
                    f"{f.runs} batched run(s) over {f.files} {group.quant_class} file(s) within "
                    f"{SIZE_SPAN:g}x this size on this machine, less the run-to-run noise band, "
                    f"shrunk toward 1")  # fmt: skip
    return f.value, f.runs, (figure,)


def parallel_speed(machine: Machine, model: Model, est: Estimate, *, sequences: int,
                   prompt_tokens: int = DEFAULT_PROMPT_TOKENS,
                   generated_tokens: int = GENERATED_TOKENS,
                   calibration=None) -> ParallelSpeed:  # fmt: skip
    """Aggregate prefill and decode of `sequences` sequences at once (see the module doc)."""
    bm = batch_model(machine, model, est, calibration=calibration)
    return bm.speed(sequences, prompt_tokens, generated_tokens)
