"""A floor on prefill time: how fast a model file could prefill on a machine, however placed.

Prefill is compute-bound. In the speed model (advisor.estimate.speed.model) each device holding
a share of the layers spends, per prompt token,
    share × [FLOPs × kappa[path] × rho[engine, family] / compute + expert and read terms]
and the devices' times add. A token's FLOPs do not depend on the file (two per weight used, the
output head's once per batch), the extra terms are never negative, and the shares (of the bytes
each device streams) sum to one. A placement that fits keeps no more weights on the GPUs than
their budgets, and every repeating layer's weights are streamed from somewhere, so the GPUs'
share is at most
    s = GPU budgets / the file's layer bytes.
The cheapest placement then runs s of the work at the GPUs' cheapest rate and the rest on the
CPU (or all on the CPU, if that is cheaper); with the MoE experts in RAM (--cpu-moe), the
routed experts run on the CPU and the rest on the GPU. The floor is the cheaper of the two,
for the time at depth 0 and the attention's time per token of depth each. The work is every
term the estimate adds (advisor.estimate.speed.model.prefill_terms: the FLOPs, the routed
experts' extra costs, the weight reads and the activations) at the file's least token cost:
no placement holds fewer weights than the file's tensors, and only the weight reads grow with
them (advisor.estimate.speed.ceiling argues the same for decode). Where the tensor layout is
unknown only the FLOPs are counted, which no placement changes. A calibration can only speed
that up by the largest prefill factor it applies on this machine
(advisor.estimate.calibration.apply.prefill_speedup_bound).

A search (advisor.verdict.gather) uses the floor to skip files that cannot produce a
workload's first token in time without estimating them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from advisor.estimate.budget import device_budgets
from advisor.estimate.calibration.apply import measured_models, prefill_speedup_bound
from advisor.estimate.calibration.values import Calibration
from advisor.estimate.kv_types import kv_cache_type
from advisor.estimate.speed.cpu_paths import KernelMix
from advisor.estimate.speed.devices import machine_rate
from advisor.estimate.speed.load import TokenCost, quant_class, token_cost
from advisor.estimate.speed.model import (
    UBATCH_TOKENS,
    Coefficients,
    DeviceRate,
    coefficients,
    cpu_mix,
    load_constants,
    prefill_terms,
)
from advisor.estimate.speed.predict import (
    PP_DEPTH,
    layer_bytes,
    least_split,
    least_token_cost,
)
from advisor.probe.fingerprint import machine_fingerprint

if TYPE_CHECKING:
    from advisor.catalog.model import Model, Quant
    from advisor.probe.machine import Machine

# The floor adds the same products the estimate adds, in another order: keep it a hair under
# them, so float rounding never lifts it above a real file's time.
ROUNDING_MARGIN = 1 - 1e-9


@dataclass(frozen=True)
class PrefillFloor:
    """Seconds per prompt token, each at most what the file costs here at any placement."""

    s_per_token: float  # at depth 0
    s_per_token_per_depth: float  # attention: extra seconds per token before it

    def time_to_first_token_s(self, new_tokens: float, cached_tokens: float) -> float:
        """At most the time the file takes to prefill `new_tokens` after `cached_tokens`
        (advisor.verdict.local.local_run's prefill, without the first decoded token)."""
        rate_s = self.s_per_token + self.s_per_token_per_depth * PP_DEPTH
        attention = self.s_per_token_per_depth * new_tokens * (cached_tokens + new_tokens / 2)
        return (new_tokens * rate_s + attention) * ROUNDING_MARGIN


class PrefillFloors:
    """Floors for the files of catalog models on one machine, in one memory mode."""

    def __init__(self, machine: Machine, mode: str = "dedicated",
                 calibration: Calibration | None = None) -> None:  # fmt: skip
        self.machine = machine
        budgets = device_budgets(machine, mode)
        rooms = [b.available_bytes for b in budgets.gpus]
        usable = bool(rooms) and all(rooms)  # as the planner: else every layer on the CPU
        self.gpu_room = sum(rooms) if usable else 0  # type: ignore[arg-type]
        self.gpus = tuple(b.device for b in budgets.gpus) if usable else ()
        fingerprint = machine_fingerprint(machine) if calibration is not None else ""
        self.measured = measured_models(calibration, fingerprint)
        self.speedup = prefill_speedup_bound(calibration, fingerprint, machine.backend)
        self._floors: dict[tuple[str, str], PrefillFloor | None] = {}
        # Everything _floor reads of the machine: machines alike in it (an audit's upgrade
        # that adds RAM, configurations with the same CPU and GPUs) share the floors.
        rates = tuple(machine_rate(machine, d) for d in ("cpu", *self.gpus))
        self._per_flop, self._shared, self._coefficients = _alike(
            (rates, self.gpus, self.gpu_room, self.speedup)
        )
        # Each device's terms by token cost (_terms), shared by every machine with a device
        # of that rate: an audit's configurations with one GPU, its upgrades with one CPU.
        self._by_device = {r.device: _rate_terms(r) for r in rates}

    def per_flop(self, device: str, family: str, mix: KernelMix = ()) -> float:
        """kappa × rho / compute: seconds per FLOP of a file of `family` on `device` (on a
        CPU, of its kernel mix: measured kernel paths replace the family's rho)."""
        key = (device, family, mix)
        found = self._per_flop.get(key)
        if found is None:
            rate = machine_rate(self.machine, device)
            mix = mix if rate.backend == "cpu" else ()
            k = coefficients(load_constants(), rate, family, mix)
            found = self._per_flop[key] = k.prefill_s_per_flop
        return found

    def floor(self, model: Model, quant: Quant) -> PrefillFloor | None:
        """The file's floor; None when a stored measurement of the model may replace its
        estimate (a measured speed is whatever it was)."""
        key = (model.id, quant.type)
        found = self._floors.get(key, self)  # self: not asked yet (a floor may be None)
        if found is not self:
            return found  # type: ignore[return-value]
        floor = None
        if model.id.lower() not in self.measured:
            arch = model.architecture
            file = (arch, quant.type, quant.size_bytes)  # what _floor reads of the file
            floor = self._shared.get(file)
            if floor is None:
                floor = self._shared[file] = self._floor(model, quant)
        self._floors[key] = floor
        return floor

    def _floor(self, model: Model, quant: Quant) -> PrefillFloor:
        arch = model.architecture
        cost = least_token_cost(arch, quant.type, F16_BYTES)
        if cost is None:
            return self._flops_floor(model, quant)
        share = min(1.0, self.gpu_room / layer_bytes(arch, quant.type)) if self.gpus else 1.0
        base, slope = least_split(self._terms, cost, (arch, quant.type), F16_BYTES, self.gpus,
                                  share, moe=arch.moe is not None)  # fmt: skip
        margin = ROUNDING_MARGIN / self.speedup
        return PrefillFloor(base * margin, slope * margin)

    def _terms(self, cost: TokenCost, device: str) -> tuple[float, float]:
        """(seconds at depth 0, seconds per token of depth) of one prompt token of `cost`
        prefilled on `device` alone (prefill_terms at a share of 1)."""
        table = self._by_device[device]
        found = table.get(cost)
        if found is None:
            key = (device, cost.quant_class, cost.kernel_mix)
            k = self._coefficients.get(key)
            if k is None:
                rate = machine_rate(self.machine, device)
                mix = cpu_mix(rate.backend, cost)
                k = self._coefficients[key] = coefficients(load_constants(), rate,
                                                           cost.quant_class, mix)  # fmt: skip
            found = table[cost] = prefill_terms(cost, 1.0, k)
        return found

    def _flops_floor(self, model: Model, quant: Quant) -> PrefillFloor:
        """The floor from the FLOPs alone (the tensor layout unknown: no least token cost)."""
        work = _file_work(model.architecture, quant)
        cpu = self.per_flop("cpu", work.family, work.mix)
        rate = attention = cpu
        if self.gpus:
            gpu = min(self.per_flop(d, work.family) for d in self.gpus)
            share = min(1.0, self.gpu_room / work.layer_bytes)
            rate = attention = min(cpu, share * gpu + (1 - share) * cpu)
            if work.moe and work.flops > 0:  # --cpu-moe: the routed experts on the CPU
                dense = work.flops - work.expert_flops
                rate = min(rate, (dense * gpu + work.expert_flops * cpu) / work.flops)
                attention = min(attention, gpu)  # attention stays with the GPUs
        return PrefillFloor(work.flops * rate / self.speedup,
                            work.attn_flops_per_depth * attention / self.speedup)  # fmt: skip


@lru_cache(maxsize=512)  # an audit worker judges a few hundred machines
def _alike(machine: tuple) -> tuple[dict[tuple, float], dict[tuple, PrefillFloor],
                                    dict[tuple, Coefficients]]:  # fmt: skip
    """The per-FLOP costs, the floors (by file) and the coefficients (by device, family and
    kernel mix) of machines alike in `machine` (the device rates, GPUs, GPU room and
    calibration bound PrefillFloors reads), filled as asked for."""
    del machine  # the key
    return {}, {}, {}


@lru_cache(maxsize=256)
def _rate_terms(rate: DeviceRate) -> dict[TokenCost, tuple[float, float]]:
    """PrefillFloors._terms of a device of this rate, by token cost, filled as asked for
    (they read nothing else of the machine)."""
    del rate  # the key
    return {}


@dataclass(frozen=True)
class _FileWork:
    """What the floor needs of a file, whatever the machine."""

    family: str
    flops: float  # per prompt token: two per weight used, the output head once per batch
    expert_flops: float
    attn_flops_per_depth: float
    layer_bytes: float  # the repeating layers' weights: streamed whatever the placement
    moe: bool
    mix: KernelMix = ()  # the weight types and their FLOP shares (picks a CPU's kernel paths)


def _file_work(arch, quant: Quant) -> _FileWork:
    return _work(arch, quant.type, quant.size_bytes)


# token_cost's KV element by default, f16 (the FLOPs the floor reads do not depend on it)
F16_BYTES = kv_cache_type("f16").bytes_per_element


@lru_cache(maxsize=4096)
def _work(arch, quant_type: str, size_bytes: int) -> _FileWork:
    # FLOPs do not depend on the bytes: the cost at the tensors' total is the one the decode
    # ceiling and a CPU placement's estimate ask for (one token_cost for the three).
    cost = least_token_cost(arch, quant_type, F16_BYTES) or token_cost(arch, quant_type, size_bytes)
    flops = cost.prefill_flops(UBATCH_TOKENS)
    return _FileWork(quant_class(quant_type), flops, cost.expert_flops, cost.attn_flops_per_depth,
                     layer_bytes(arch, quant_type), arch.moe is not None,
                     cost.kernel_mix)  # fmt: skip
