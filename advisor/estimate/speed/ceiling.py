"""A ceiling on decode speed: how fast a model file could decode on a machine, however placed.

Decode is bandwidth-bound. In the speed model (advisor.estimate.speed.model) a token costs,
on each device holding a share of the layers,
    share × [bytes read × per byte + layers × tau + MoE layers × tau_moe + FLOPs × per FLOP]
plus, per token of depth, share × [KV bytes × per byte + attention FLOPs × per FLOP], and the
devices' times add (advisor.estimate.speed.devices.work_terms). Every term is non-negative.
- In a layer split the shares (of the bytes each device streams) sum to one, and the GPUs'
  share is at most their room over the file's repeating layers' bytes (a placement that fits
  holds no more there, and every placement streams those layers: the prefill floor's
  argument, advisor.estimate.speed.floor), so the token costs at least that share on the
  cheapest GPU and the rest on the CPU, or all of it on the CPU if that is cheaper.
- With the MoE experts in RAM (--cpu-moe) the GPUs' shares of the dense part sum to one and
  the CPU runs the expert part in full: at least the dense part on the cheapest GPU plus the
  expert part on the CPU.
The ceiling takes the cheaper of the two, for the base and the slope each. The bytes a token
reads grow with the file's weights, and no placement holds fewer weights than the file's
tensors (a tied output head loaded twice only adds), so the tensors' total bounds them. A
calibration can only speed decode up by the largest decode factor it applies on this machine
(advisor.estimate.calibration.apply.decode_speedup_bound); a model with a stored measurement
has no ceiling (its measured speed replaces the estimate).

A search (advisor.verdict.gather) uses the ceiling, with the prefill floor
(advisor.estimate.speed.floor), to skip files that miss a workload's decode need, and often
its first-token limit too, without estimating them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from advisor.estimate.budget import device_budgets
from advisor.estimate.calibration.apply import decode_speedup_bound, measured_models
from advisor.estimate.calibration.values import Calibration
from advisor.estimate.kv_types import kv_cache_type
from advisor.estimate.speed.devices import machine_rate
from advisor.estimate.speed.load import TokenCost
from advisor.estimate.speed.model import (
    Coefficients,
    DeviceRate,
    coefficients,
    cpu_mix,
    decode_terms,
    load_constants,
)
from advisor.estimate.speed.predict import TG_DEPTH, layer_bytes, least_split, least_token_cost
from advisor.probe.fingerprint import machine_fingerprint

if TYPE_CHECKING:
    from advisor.catalog.model import Model, Quant
    from advisor.probe.machine import Machine

# The ceiling adds the same products the estimate adds, in another order: keep it a hair above
# them, so float rounding never puts it under a real file's speed.
ROUNDING_MARGIN = 1 + 1e-9


@dataclass(frozen=True)
class DecodeCeiling:
    """Seconds per decoded token, each at least what the file costs here at any placement."""

    s_per_token: float  # at depth 0
    s_per_token_per_depth: float  # KV reads (and, on a CPU, attention) per token of context

    def tokens_per_s_at(self, depth_tokens: int) -> float:
        """At least the file's decode speed once `depth_tokens` are in the context
        (advisor.estimate.speed.figures.Speed.decode_tokens_per_s_at; tg128 rates at
        TG_DEPTH, as the estimate's)."""
        per_token = self.s_per_token + self.s_per_token_per_depth * (TG_DEPTH + depth_tokens)
        if per_token <= 0:
            return float("inf")
        return ROUNDING_MARGIN / per_token


class DecodeCeilings:
    """Ceilings for the files of catalog models on one machine, in one memory mode and KV
    cache type."""

    def __init__(self, machine: Machine, mode: str = "dedicated",
                 calibration: Calibration | None = None, kv_type: str = "f16") -> None:  # fmt: skip
        self.machine = machine
        budgets = device_budgets(machine, mode)
        self.gpus = tuple(b.device for b in budgets.gpus)  # any the planner could place on
        rooms = [b.available_bytes for b in budgets.gpus]
        # The GPUs' room for weights (None: unknown, so their share of the layers is not
        # bounded); prefill_floor's reasoning: a placement that fits holds no more there.
        self.gpu_room = sum(rooms) if rooms and all(rooms) else None  # type: ignore[arg-type]
        self.kv_bytes = kv_cache_type(kv_type).bytes_per_element
        fingerprint = machine_fingerprint(machine) if calibration is not None else ""
        self.measured = measured_models(calibration, fingerprint)
        self.speedup = decode_speedup_bound(calibration, fingerprint, machine.backend)
        self._ceilings: dict[tuple[str, str], DecodeCeiling | None] = {}
        # Everything _ceiling reads of the machine: machines alike in it (an audit's upgrade
        # that adds RAM, configurations with the same CPU and GPUs) share the ceilings.
        rates = tuple(machine_rate(machine, d) for d in ("cpu", *self.gpus))
        # (device, family, kernel mix) -> coefficients; (architecture, quant type) -> ceiling
        self._coefficients, self._shared = _alike((rates, self.gpus, self.gpu_room,
                                                   self.kv_bytes, self.speedup))  # fmt: skip
        # Each device's terms by token cost (_terms): as PrefillFloors' (floor._rate_terms).
        self._by_device = {r.device: _rate_terms(r) for r in rates}

    def ceiling(self, model: Model, quant: Quant) -> DecodeCeiling | None:
        """The file's ceiling; None when a stored measurement of the model may replace its
        estimate, or the tensor layout of the file is unknown."""
        key = (model.id, quant.type)
        found = self._ceilings.get(key, self)  # self: not asked yet (a ceiling may be None)
        if found is not self:
            return found  # type: ignore[return-value]
        ceiling = None
        if model.id.lower() not in self.measured:
            file = (model.architecture, quant.type)  # what _ceiling reads of the file
            if file in self._shared:
                ceiling = self._shared[file]
            else:
                ceiling = self._shared[file] = self._ceiling(model, quant)
        self._ceilings[key] = ceiling
        return ceiling

    def _terms(self, cost: TokenCost, device: str) -> tuple[float, float]:
        """(base, slope) seconds of `cost` run on `device` alone."""
        table = self._by_device[device]
        found = table.get(cost)
        if found is None:
            constants = load_constants()
            key = (device, cost.quant_class, cost.kernel_mix)
            k = self._coefficients.get(key)
            if k is None:
                rate = machine_rate(self.machine, device)
                mix = cpu_mix(rate.backend, cost)
                k = self._coefficients[key] = coefficients(constants, rate, cost.quant_class, mix)
            found = table[cost] = decode_terms(cost, 1.0, k, constants)
        return found

    def _ceiling(self, model: Model, quant: Quant) -> DecodeCeiling | None:
        cost = least_token_cost(model.architecture, quant.type, self.kv_bytes)
        if cost is None:
            return None
        share = self._gpu_share(model, quant) if self.gpus else 1.0
        base, slope = least_split(self._terms, cost, (model.architecture, quant.type),
                                  self.kv_bytes, self.gpus, share,
                                  moe=cost.expert_bytes_total > 0)  # fmt: skip
        return DecodeCeiling(base / self.speedup, slope / self.speedup)

    def _gpu_share(self, model: Model, quant: Quant) -> float:
        """The most of the file's streamed bytes the GPUs can hold in a layer split: their
        room over the repeating layers' weights (predict.layer_bytes), at most 1."""
        if self.gpu_room is None:
            return 1.0
        return min(1.0, self.gpu_room / layer_bytes(model.architecture, quant.type))


@lru_cache(maxsize=256)
def _rate_terms(rate: DeviceRate) -> dict[TokenCost, tuple[float, float]]:
    """DecodeCeilings._terms of a device of this rate, by token cost, filled as asked for
    (they read nothing else of the machine)."""
    del rate  # the key
    return {}


@lru_cache(maxsize=512)  # an audit worker judges a few hundred machines
def _alike(machine: tuple) -> tuple[dict[tuple, Coefficients], dict[tuple, DecodeCeiling | None]]:
    """The coefficients and the ceilings (by file) of machines alike in `machine` (the device
    rates, GPUs, KV bytes and calibration bound DecodeCeilings reads), filled as asked for."""
    del machine  # the key
    return {}, {}
