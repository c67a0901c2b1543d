"""Which device does which part of a token's work, and at what bandwidth and compute.

A layer split (partial offload, several GPUs) gives each device its share of the layers;
llama.cpp runs them one after another, so their times add. With the MoE experts kept in system
RAM (--cpu-moe), the GPU does the shared tensors and attention, the CPU the routed experts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

from advisor.estimate.placement import Placement
from advisor.estimate.speed.cpu_clocks import CoreClock, core_clock
from advisor.estimate.speed.cpu_cores import CoreWidth, core_width
from advisor.estimate.speed.cpu_paths import KernelMix, simd_level
from advisor.estimate.speed.figures import Figure, FigureStatus
from advisor.estimate.speed.hardware import apple_gpu_tflops, memory_dies
from advisor.estimate.speed.load import TokenCost
from advisor.estimate.speed.model import (
    Coefficients,
    DeviceRate,
    SpeedConstants,
    coefficients,
    cpu_mix,
    unshared,
)
from advisor.estimate.speed.paths import device_arch
from advisor.probe.machine import Gpu, Machine

# Used only when the machine does not say; the basis marks them "assumed".
ASSUMED_RAM_BANDWIDTH_GBS = 50.0  # dual-channel DDR4-3200 is 51.2 GB/s
ASSUMED_GPU_BANDWIDTH_GBS = 200.0
ASSUMED_CPU_CORES = 4
ASSUMED_FLOPS_PER_BYTE = 40.0  # a GPU's FP16 TFLOPS ≈ 40 × its TB/s, when the spec is missing

_SOURCE_STATUS: dict[str, FigureStatus] = {
    "measured": "measured", "nvml": "spec", "sysfs": "spec", "sysctl": "spec",
    "spec-table": "spec", "profile": "spec", "override": "spec", "psutil": "measured",
}  # fmt: skip


@dataclass(frozen=True)
class DeviceWork:
    """One device's part of a token: the work, the device's rates and what they rest on."""

    cost: TokenCost
    rate: DeviceRate
    basis: tuple[Figure, ...]


def cpu_flops_per_cycle(machine: Machine) -> int:
    """FP32 FLOPs a core retires per cycle (FMA counts 2): its FMA datapaths' width, from its
    name and SIMD flags (advisor.estimate.speed.cpu_cores)."""
    return _core_width(machine).flops_per_cycle


def _core_width(machine: Machine) -> CoreWidth:
    cpu = machine.cpu
    return core_width(cpu.name, cpu.simd_flags, cpu.architecture, machine.os)


def cpu_clock(machine: Machine) -> CoreClock:
    """The clock a core runs llama.cpp at, and its range (advisor.estimate.speed.cpu_clocks)."""
    cpu = machine.cpu
    return core_clock(cpu.name, cpu.simd_flags, cpu.base_clock_mhz, cpu.max_clock_mhz,
                      cpu.architecture, machine.os)  # fmt: skip


def _status(machine: Machine, path: str) -> tuple[FigureStatus, str]:
    source = machine.sources.get(path, "spec-table")
    return _SOURCE_STATUS.get(source, "spec"), source


def _cpu_rate(machine: Machine) -> tuple[DeviceRate, tuple[Figure, ...]]:
    bandwidth = machine.memory.bandwidth_gbs  # the measured figure, where there is one
    if bandwidth is None:
        bandwidth = ASSUMED_RAM_BANDWIDTH_GBS
        bw_fig = Figure("cpu.memory_bandwidth_gbs", bandwidth, "assumed", "dual-channel DDR4")
    elif machine.memory.bandwidth_measured_gbs is not None:
        bw_fig = Figure(
            "cpu.memory_bandwidth_gbs", bandwidth, "measured",
            "copy test (read at this rate: no fitted efficiency on a measured figure)",
        )  # fmt: skip
    else:
        status, source = _status(machine, "memory.bandwidth_theoretical_gbs")
        bw_fig = Figure("cpu.memory_bandwidth_gbs", bandwidth, status, source)
    cores = machine.cpu.physical_cores
    clock = cpu_clock(machine)
    tflops = (cores or ASSUMED_CPU_CORES) * (clock.mhz / 1000)
    width = _core_width(machine)
    tflops *= width.flops_per_cycle / 1000
    # cores × a spec clock × a width is a product, not a spec figure: "estimated"
    known: FigureStatus = "estimated" if clock.status == "spec" else clock.status
    # A clock from a product table names it and its source; a reported or assumed one is "clock".
    how = f"{clock.mhz / 1000:.4g} GHz ({clock.source})" if clock.from_table else "clock"
    compute_fig = Figure(
        "cpu.compute_tflops", round(tflops, 4), "assumed" if cores is None else known,
        f"cores × {how} × {width.flops_per_cycle} FP32 FLOPs per cycle ({width.source})",
    )  # fmt: skip
    rate = DeviceRate(
        "cpu",
        "cpu",
        bandwidth,
        tflops,
        1.0,
        simd_level=simd_level(machine.cpu.simd_flags),
        compute_range=clock.spread,
        bandwidth_measured=machine.memory.bandwidth_measured_gbs is not None,
    )
    return rate, (bw_fig, compute_fig)


def _gpu_rate(machine: Machine, gpu: Gpu) -> tuple[DeviceRate, tuple[Figure, ...]]:
    name = f"gpu{gpu.index}"
    path = f"gpus[{gpu.index}]"
    bandwidth = gpu.memory_bandwidth_gbs
    if bandwidth is None:
        bandwidth = ASSUMED_GPU_BANDWIDTH_GBS
        bw_fig = Figure(f"{name}.memory_bandwidth_gbs", bandwidth, "assumed", "not known")
    else:
        status, source = _status(machine, f"{path}.memory_bandwidth_gbs")
        bw_fig = Figure(f"{name}.memory_bandwidth_gbs", bandwidth, status, source)
    tflops = gpu.fp16_tflops
    if tflops is not None:
        status, source = _status(machine, f"{path}.fp16_tflops")
        compute_fig = Figure(f"{name}.fp16_tflops", tflops, status, source)
    elif gpu.vendor == "apple" and gpu.core_count:
        tflops, how = apple_gpu_tflops(gpu.name, gpu.core_count)
        compute_fig = Figure(f"{name}.fp16_tflops", round(tflops, 3), "estimated", how)
    else:
        tflops = bandwidth * ASSUMED_FLOPS_PER_BYTE / 1000
        compute_fig = Figure(f"{name}.fp16_tflops", tflops, "assumed", "40 FLOPs per byte")
    dies = memory_dies(gpu.name)
    arch = device_arch(gpu.vendor, gpu.name, gpu.compute_capability)
    rate = DeviceRate(name, machine.backend, bandwidth, tflops, 1.0, dies, arch)
    if dies > 1:
        die_fig = Figure(f"{name}.memory_dies", dies, "spec", "Apple: two Max dies (UltraFusion)")
        return rate, (bw_fig, compute_fig, die_fig)
    return rate, (bw_fig, compute_fig)


def _rate(machine: Machine, device: str, share: float) -> tuple[DeviceRate, tuple[Figure, ...]]:
    """The device's rates (built once per machine) with this share of the layers."""
    base, figures = _machine_rates(machine, device)
    rate = dataclasses.replace(base, share=share)
    return rate, figures


@lru_cache(maxsize=8)
def _machine_tables(machine: Machine) -> tuple[dict, dict]:
    """A machine's device rates and coefficients (work_terms), filled as they are asked for:
    ranking asks for the same machine's devices a thousand times."""
    return {}, {}


def _machine_rates(machine: Machine, device: str) -> tuple[DeviceRate, tuple[Figure, ...]]:
    rates, _ = _machine_tables(machine)
    if device not in rates:
        rates[device] = _build_rate(machine, device)
    return rates[device]


def machine_rate(machine: Machine, device: str) -> DeviceRate:
    """The device's bandwidth and compute, as its share of any placement is timed with."""
    return _machine_rates(machine, device)[0]


def _build_rate(machine: Machine, device: str) -> tuple[DeviceRate, tuple[Figure, ...]]:
    if device == "cpu" or not device.startswith("gpu"):
        return _cpu_rate(machine)
    index = int(device[3:])
    gpu = next((g for g in machine.gpus if g.index == index), None)
    if gpu is None:
        return _cpu_rate(machine)
    return _gpu_rate(machine, gpu)


def dense_part(cost: TokenCost) -> TokenCost:
    """A --cpu-moe placement's dense part: what the GPUs run."""
    return dataclasses.replace(
        cost,
        weight_bytes_read=cost.weight_bytes_read - cost.expert_bytes_read,
        weight_bytes_total=cost.weight_bytes_total - cost.expert_bytes_total,
        flops=cost.flops - cost.expert_flops,
        expert_bytes_read=0.0, expert_bytes_total=0.0, expert_flops=0.0, n_moe_layers=0,
        last_ffn_flops=max(cost.last_ffn_flops - _last_expert_flops(cost), 0.0),
    )  # fmt: skip


def expert_part(cost: TokenCost) -> TokenCost:
    """A --cpu-moe placement's routed experts: what the CPU runs."""
    return dataclasses.replace(
        cost,
        weight_bytes_read=cost.expert_bytes_read, weight_bytes_total=cost.expert_bytes_total,
        flops=cost.expert_flops, n_layers=cost.n_moe_layers, kv_bytes_per_depth=0.0,
        attn_flops_per_depth=0.0, head_flops=0.0,  # the output head stays with the dense part
        swa_kv_bytes_per_cell=0.0, swa_window=0, state_bytes=0.0,  # recurrent state is dense
        last_ffn_flops=_last_expert_flops(cost), lookup_bytes=0.0,  # the embedding is dense
    )  # fmt: skip


def _last_expert_flops(cost: TokenCost) -> float:
    """The last layer's routed-expert FLOPs: the experts' part of its FFN."""
    return (
        min(cost.expert_flops / cost.n_moe_layers, cost.last_ffn_flops)
        if cost.n_moe_layers
        else 0.0
    )


def _streamed_bytes(share) -> int:
    """The weights a token streams from this device's memory.

    Everything it holds but the token embedding, which llama.cpp keeps in system RAM and reads
    one row of per token (`input_bytes`, counted in `weights_bytes`).
    """
    return max(share.weights_bytes - share.input_bytes, 0)


def _streaming(placement: Placement) -> list[tuple[str, int]]:
    """(device, bytes it streams per token) of the devices that stream any."""
    streamed = [(s.device, _streamed_bytes(s)) for s in placement.shares]
    return [(d, b) for d, b in streamed if b > 0] or streamed


def _layer_shares(used: list[tuple[str, int]]) -> tuple[tuple[str, float], ...]:
    total = sum(b for _, b in used)
    if total <= 0:
        return ((used[0][0] if used else "cpu", 1.0),)
    return tuple((d, b / total) for d, b in used)


def device_work(machine: Machine, placement: Placement, cost: TokenCost) -> tuple[DeviceWork, ...]:
    """Split one token's work over the devices the placement uses, by the bytes each streams."""
    used = _streaming(placement)
    if placement.experts_on_cpu and cost.expert_bytes_total > 0:
        gpus = [(d, b) for d, b in used if d != "cpu"]
        gpu_bytes = sum(b for _, b in gpus) or 1
        dense = dense_part(cost)
        work = [DeviceWork(dense, *_rate(machine, d, b / gpu_bytes)) for d, b in gpus]
        work.append(DeviceWork(expert_part(cost), *_rate(machine, "cpu", 1.0)))
        return tuple(work)
    return tuple(DeviceWork(cost, *_rate(machine, d, share)) for d, share in _layer_shares(used))


# What one part of a token's work needs for its time: (cost, share, the device's coefficients
# for the file's quant family, backend, whether a device figure is assumed).
Term = tuple[TokenCost, float, Coefficients, str, bool]


def work_terms(machine: Machine, placement: Placement, cost: TokenCost,
               constants: SpeedConstants) -> tuple[Term, ...]:  # fmt: skip
    """device_work reduced to what the rates need, without building it where it can be
    skipped: a layer split reads each device's coefficients from a per-machine table."""
    if placement.experts_on_cpu and cost.expert_bytes_total > 0:
        return tuple(_term(w, constants) for w in device_work(machine, placement, cost))
    family = cost.quant_class
    return tuple((cost, share, *_device_terms(machine, d, family, constants, cost.kernel_mix))
                 for d, share in _layer_shares(_streaming(placement)))  # fmt: skip


def _term(w: DeviceWork, constants: SpeedConstants) -> Term:
    rate = w.rate
    k = coefficients(constants, unshared(rate), w.cost.quant_class, cpu_mix(rate.backend, w.cost))
    return (w.cost, rate.share, k, rate.backend, any(f.status == "assumed" for f in w.basis))


def _device_terms(machine: Machine, device: str, family: str, constants: SpeedConstants,
                  mix: KernelMix = ()) -> tuple[Coefficients, str, bool]:  # fmt: skip
    """(coefficients, backend, assumed) of the machine's device for a quant family (and, on
    a CPU, the file's kernel mix)."""
    _, terms = _machine_tables(machine)
    mix = mix if device == "cpu" or not device.startswith("gpu") else ()
    key = (device, family, constants, mix)  # constants hash by identity: one per file
    found = terms.get(key)
    if found is None:
        rate, figures = _machine_rates(machine, device)
        assumed = any(f.status == "assumed" for f in figures)
        found = terms[key] = (coefficients(constants, rate, family, mix), rate.backend, assumed)
    return found
