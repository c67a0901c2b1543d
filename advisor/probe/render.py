"""Readable text for `advisor probe`: each figure, its source, and why any is unknown."""

from __future__ import annotations

from advisor.probe.machine import Gpu, Machine
from advisor.units import GIB

UNKNOWN = "unknown"


def _gib(value: int | None) -> str:
    return UNKNOWN if value is None else f"{value / GIB:.1f} GiB"


def _num(value: float | None, unit: str) -> str:
    return UNKNOWN if value is None else f"{value:g} {unit}"


def _line(label: str, value: str, machine: Machine, path: str) -> str:
    source = machine.sources.get(path)
    why = machine.unknown.get(path)
    tail = f"  [{source}]" if source and value != UNKNOWN else (f"  ({why})" if why else "")
    return f"  {label:<22}{value}{tail}"


def _gpu_lines(gpu: Gpu, machine: Machine) -> list[str]:
    p = f"gpus[{gpu.index}]."
    kind = "unified memory" if gpu.unified_memory else "discrete"
    lines = [f"GPU {gpu.index}: {gpu.name} ({gpu.vendor}, {kind})"]
    lines.append(_line("memory", _gib(gpu.vram_total_bytes), machine, p + "vram_total_bytes"))
    lines.append(_line("free", _gib(gpu.vram_free_bytes), machine, p + "vram_free_bytes"))
    lines.append(
        _line(
            "bandwidth", _num(gpu.memory_bandwidth_gbs, "GB/s"), machine, p + "memory_bandwidth_gbs"
        )
    )
    lines.append(_line("fp16", _num(gpu.fp16_tflops, "TFLOPS"), machine, p + "fp16_tflops"))
    if gpu.compute_capability:
        lines.append(
            _line("compute capability", gpu.compute_capability, machine, p + "compute_capability")
        )
    if gpu.power_limit_w is not None or gpu.tdp_w is not None:
        lines.append(
            _line(
                "power limit",
                _num(gpu.power_limit_w or gpu.tdp_w, "W"),
                machine,
                p + ("power_limit_w" if gpu.power_limit_w is not None else "tdp_w"),
            )
        )
    if gpu.driver_version:
        cuda = f", CUDA {gpu.cuda_version}" if gpu.cuda_version else ""
        lines.append(f"  {'driver':<22}{gpu.driver_version}{cuda}")
    return lines


def render_text(machine: Machine) -> str:
    cpu, mem = machine.cpu, machine.memory
    where = f" [{machine.virtualization}]" if machine.virtualization else ""
    lines = [f"{machine.name} ({machine.origin}, {machine.os or 'unknown OS'}){where}", "CPU"]
    cores = f"{cpu.physical_cores or '?'} cores / {cpu.logical_cores or '?'} threads"
    lines.append(_line("model", cpu.name or UNKNOWN, machine, "cpu.name"))
    lines.append(f"  {'cores':<22}{cores}, {cpu.architecture or 'unknown architecture'}")
    lines.append(f"  {'SIMD':<22}{' '.join(cpu.simd_flags) or 'none found'}")
    lines.append("Memory")
    lines.append(_line("RAM", _gib(mem.ram_total_bytes), machine, "memory.ram_total_bytes"))
    lines.append(
        _line("available", _gib(mem.ram_available_bytes), machine, "memory.ram_available_bytes")
    )
    lines.append(
        _line(
            "bandwidth (measured)",
            _num(mem.bandwidth_measured_gbs, "GB/s"),
            machine,
            "memory.bandwidth_measured_gbs",
        )
    )
    lines.append(
        _line(
            "bandwidth (spec)",
            _num(mem.bandwidth_theoretical_gbs, "GB/s"),
            machine,
            "memory.bandwidth_theoretical_gbs",
        )
    )
    if machine.unified_memory:
        lines.append(
            _line(
                "GPU may use", _gib(machine.gpu_working_set_bytes), machine, "gpu_working_set_bytes"
            )
        )
    for gpu in machine.gpus:
        lines.extend(_gpu_lines(gpu, machine))
    if not machine.gpus:
        lines.append("GPU: none found")
    lines.append(f"Backend: {machine.backend} ({machine.backend_reason or 'no reason recorded'})")
    lines.append(
        _line("disk free for models", _gib(machine.disk_free_bytes), machine, "disk_free_bytes")
    )
    battery = {True: "on battery", False: "on mains power", None: UNKNOWN}[machine.on_battery]
    lines.append(_line("power", battery, machine, "on_battery"))
    lines.extend(f"note: {n}" for n in machine.notes)
    return "\n".join(lines)
