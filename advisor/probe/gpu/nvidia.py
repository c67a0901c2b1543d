"""NVIDIA GPUs through the NVML gateway, and Jetson/Tegra boards (no NVML) through the device tree.

Theoretical bandwidth = bus width x max memory clock x 2 / 8. NVML reports the memory clock at
half the data rate for GDDR5/5X/6/6X/7 and for HBM alike, so one multiplier fits all: RTX 3060
7501 MHz x 192 bit -> 360 GB/s, RTX 4090 10501 MHz x 384 bit -> 1008 GB/s, RTX 5090 14001 MHz x
512 bit -> 1792 GB/s, H100 PCIe 1593 MHz x 5120 bit -> 2039 GB/s (tests/probe/test_nvidia.py
checks these against the spec table).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from advisor.probe.gpu.nvml import NVML_CLOCK_MEM, NvmlGateway
from advisor.probe.gpu.unified import HOST_RAM_RULE
from advisor.probe.live.host import Host
from advisor.probe.live.result import Findings
from advisor.probe.machine import Gpu
from advisor.probe.specs.table import match_spec

# What no GPU has. NVML has answered each of these on broken drivers, virtual GPUs and MIG
# slices: a memory of 0 or 2**64 - 1 bytes, a power limit of 0 W, a bus width of 0 bits.
# Outside these bounds a figure is unknown, with the value NVML gave as the reason.
_PLAUSIBLE: dict[str, tuple[float, float]] = {
    "vram_total_bytes": (64 * 2**20, 16 * 2**40),  # 64 MiB to 16 TiB
    "vram_free_bytes": (0, 16 * 2**40),
    "bus_width_bits": (8, 16384),
    "max_memory_clock_mhz": (1, 100_000),
    "power_limit_w": (1, 10_000),
    "tdp_w": (1, 10_000),
    "power_draw_w": (0, 10_000),
}
MAX_GPUS = 64  # the most GPUs a profile describes (profile schema, gpus[].count)
UNIFIED_NAMES = re.compile(r"\bGB10\b|Tegra|Orin|Thor|Jetson|Xavier", re.IGNORECASE)
# A derived figure this far from the spec table means a misread clock or an unknown variant.
DISAGREEMENT = 0.25


@dataclass(frozen=True)
class HostRam:
    total_bytes: int | None
    available_bytes: int | None


@dataclass
class ProbedGpu:
    gpu: Gpu
    findings: Findings  # keyed by Gpu field name; the assembler adds the gpus[i] prefix


def derived_bandwidth_gbs(bus_width_bits: int | None, mem_clock_mhz: float | None) -> float | None:
    if not bus_width_bits or not mem_clock_mhz:
        return None
    gbs = bus_width_bits * mem_clock_mhz * 2 / 8 / 1000
    return round(gbs, 1) if 10 <= gbs <= 20000 else None


def _cuda_version(raw: int | None) -> str | None:
    return None if raw is None else f"{raw // 1000}.{(raw % 1000) // 10}"


def _pci_id(pci: dict | None) -> str | None:
    if not pci or not pci.get("pciDeviceId"):
        return None
    raw = int(pci["pciDeviceId"])
    return f"{raw & 0xFFFF:04x}:{raw >> 16:04x}"


def _watts(milliwatts: int | None) -> float | None:
    return None if milliwatts is None else milliwatts / 1000


def _memory(
    memory: Any, reason: str | None
) -> tuple[int | None, int | None, str | None, str | None]:
    """(total, free, reason for total, reason for free) from nvmlDeviceGetMemoryInfo."""
    fn = "nvmlDeviceGetMemoryInfo"
    if memory is None:
        return None, None, reason, reason
    if not isinstance(memory, dict):
        why = f"{fn} answered {memory!r}, which is not a reading"
        return None, None, why, why
    total, total_why = plausible("vram_total_bytes", memory.get("total"), fn)
    free, free_why = plausible("vram_free_bytes", memory.get("free"), fn)
    if total is not None and free is not None and free > total:
        free, free_why = None, f"{fn} answered {free} bytes free of {total}; taken as unknown"
    return total, free, total_why, free_why


def plausible(field: str, value: Any, fn: str) -> tuple[Any, str | None]:
    """(value, None) for a figure a GPU can have; else (None, why it is not believed)."""
    bounds = _PLAUSIBLE.get(field)
    if value is None or bounds is None:
        return value, None
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        return None, f"{fn} answered {value!r}, which no GPU has; taken as unknown"
    return value, None


class _One:
    """Reads one GPU: each NVML figure lands in `found` with its source or its reason."""

    def __init__(self, gw: NvmlGateway, index: int, found: Findings) -> None:
        self.gw, self.index, self.found = gw, index, found

    def get(self, field: str, fn: str, *args, convert=None):
        value, reason = self.gw.call(fn, *args, device=self.index)
        if value is not None and convert is not None:
            try:
                value = convert(value)
            except (TypeError, ValueError, IndexError, KeyError, ZeroDivisionError):
                value, reason = None, f"{fn} answered {value!r}, which is not a reading"
        if value is not None:
            value, doubt = plausible(field, value, fn)
            reason = doubt or reason
        return self.found.got(field, value, f"nvml {fn}", reason)


def _read_gpu(
    gw: NvmlGateway, index: int, driver: str | None, cuda: str | None, ram: HostRam
) -> ProbedGpu:
    found = Findings()
    one = _One(gw, index, found)
    name = one.get("name", "nvmlDeviceGetName") or f"NVIDIA GPU {index}"
    memory, memory_reason = gw.call("nvmlDeviceGetMemoryInfo", device=index)
    total, free, total_reason, free_reason = _memory(memory, memory_reason)
    bus = one.get("bus_width_bits", "nvmlDeviceGetMemoryBusWidth")
    clock = one.get("max_memory_clock_mhz", "nvmlDeviceGetMaxClockInfo", NVML_CLOCK_MEM)
    cc = one.get(
        "compute_capability",
        "nvmlDeviceGetCudaComputeCapability",
        convert=lambda v: f"{v[0]}.{v[1]}",
    )
    pci, _ = gw.call("nvmlDeviceGetPciInfo", device=index)
    spec_match = match_spec(name, vendor="nvidia", memory_bytes=total)
    spec = spec_match.spec if spec_match else None
    unified = bool(UNIFIED_NAMES.search(name) or (spec and spec.unified_memory))
    if memory is None and memory_reason and "not supported" in memory_reason and not unified:
        mode, _ = gw.call("nvmlDeviceGetAddressingMode", device=index)
        unified = mode in (1, 2)  # HMM or ATS: the GPU addresses host memory directly
    if unified:
        vram_total, vram_free = ram.total_bytes, ram.available_bytes
        found.got("vram_total_bytes", vram_total, f"psutil ({HOST_RAM_RULE})", "host RAM unknown")
        found.got("vram_free_bytes", vram_free, f"psutil ({HOST_RAM_RULE})", "host RAM unknown")
    else:
        vram_total, vram_free = total, free
        found.got("vram_total_bytes", vram_total, "nvml nvmlDeviceGetMemoryInfo", total_reason)
        found.got("vram_free_bytes", vram_free, "nvml nvmlDeviceGetMemoryInfo", free_reason)
    derived = derived_bandwidth_gbs(bus, clock)
    bandwidth = _bandwidth(derived, spec_match, found, name)
    fp16 = found.got(
        "fp16_tflops",
        spec and spec.fp16_tflops,
        spec_match.note if spec_match else None,
        f"{name} is not in the spec table" if spec is None else "the spec table has no FP16 figure",
    )
    default_limit = one.get("tdp_w", "nvmlDeviceGetPowerManagementDefaultLimit", convert=_watts)
    if default_limit is None and spec and spec.tdp_w:
        default_limit = found.got("tdp_w", spec.tdp_w, spec_match.note if spec_match else None)
    gpu = Gpu(
        index=index,
        name=name,
        vendor="nvidia",
        vram_total_bytes=vram_total,
        vram_free_bytes=vram_free,
        memory_bandwidth_gbs=bandwidth,
        fp16_tflops=fp16,
        unified_memory=unified,
        integrated=unified,
        bus_width_bits=bus,
        max_memory_clock_mhz=clock,
        compute_capability=cc,
        core_count=found.got(
            "core_count",
            spec and spec.gpu_cores,
            spec_match.note if spec_match else None,
            "NVML does not report the SM count",
        ),
        power_limit_w=one.get("power_limit_w", "nvmlDeviceGetEnforcedPowerLimit", convert=_watts),
        power_draw_w=one.get("power_draw_w", "nvmlDeviceGetPowerUsage", convert=_watts),
        driver_version=found.got("driver_version", driver, "nvml nvmlSystemGetDriverVersion"),
        cuda_version=found.got("cuda_version", cuda, "nvml nvmlSystemGetCudaDriverVersion"),
        pci_id=found.got("pci_id", _pci_id(pci), "nvml nvmlDeviceGetPciInfo"),
        pci_bus_id=found.got("pci_bus_id", pci and pci.get("busId"), "nvml nvmlDeviceGetPciInfo"),
        uuid=one.get("uuid", "nvmlDeviceGetUUID"),
        serial=one.get("serial", "nvmlDeviceGetSerial"),
        tdp_w=default_limit,
    )
    return ProbedGpu(gpu, found)


def _bandwidth(derived: float | None, spec_match, found: Findings, name: str) -> float | None:
    spec_bw = spec_match.spec.memory_bandwidth_gbs if spec_match else None
    if derived is not None:
        found.got("memory_bandwidth_gbs", derived, "nvml (bus width x max memory clock x 2)")
        if spec_bw and abs(derived - spec_bw) > DISAGREEMENT * spec_bw:
            found.notes.append(
                f"{name}: NVML clocks give {derived:.0f} GB/s but the spec table says "
                f"{spec_bw:.0f} GB/s; using the NVML figure"
            )
        return derived
    reason = found.unknown.get("bus_width_bits") or found.unknown.get("max_memory_clock_mhz")
    if spec_bw is not None:
        return found.got("memory_bandwidth_gbs", spec_bw, spec_match.note)
    return found.got("memory_bandwidth_gbs", None, "", reason or f"{name} is not in the spec table")


def nvml_skip_reason(host: Host, system: str, wsl: bool) -> str | None:
    """Why NVML need not be tried here (saves loading it), or None to try it."""
    if system == "Linux" and not wsl:
        entries, _ = host.listdir("/proc/driver/nvidia")
        if entries is None:
            return "the NVIDIA kernel driver is not loaded (/proc/driver/nvidia is absent)"
    return None


def probe_nvml(
    host: Host, ram: HostRam, skip_reason: str | None
) -> tuple[list[ProbedGpu], Findings]:
    """Every GPU NVML can see. Machine-level findings say why NVML saw none, if it did not."""
    machine = Findings()
    if skip_reason is not None:
        machine.unknown["nvml"] = skip_reason  # becomes a note only if sysfs shows an NVIDIA card
        return [], machine
    gw = NvmlGateway(host)
    try:
        count, reason = gw.call("nvmlDeviceGetCount")
        if count is not None and (type(count) is not int or not 0 <= count <= MAX_GPUS):
            count, reason = None, f"nvmlDeviceGetCount answered {count!r}, not a GPU count"
        if count is None:
            machine.notes.append(f"NVIDIA GPUs not probed: {reason or 'NVML gave no GPU count'}")
            return [], machine
        driver, _ = gw.call("nvmlSystemGetDriverVersion")
        cuda, _ = gw.call("nvmlSystemGetCudaDriverVersion")
        return [_read_gpu(gw, i, driver, _cuda_version(cuda), ram) for i in range(count)], machine
    finally:
        gw.close()


def probe_tegra(host: Host, ram: HostRam) -> list[ProbedGpu]:
    """Jetson boards: NVML is absent, the device tree names the module, the GPU shares RAM."""
    model, _ = host.file("/proc/device-tree/model")
    if not model or not re.search(r"Jetson|Tegra|Orin|Thor", model):
        return []
    name = model.strip("\x00 \n")
    found = Findings()
    spec_match = match_spec(
        re.sub(r"Developer Kit", "", name), vendor="nvidia", memory_bytes=ram.total_bytes
    )
    spec = spec_match.spec if spec_match else None
    note = spec_match.note if spec_match else None
    missing = f"{name} is not in the spec table"
    found.got("name", name, "device tree (/proc/device-tree/model)")
    gpu = Gpu(
        index=0,
        name=name,
        vendor="nvidia",
        vram_total_bytes=found.got(
            "vram_total_bytes", ram.total_bytes, f"psutil ({HOST_RAM_RULE})"
        ),
        vram_free_bytes=found.got(
            "vram_free_bytes", ram.available_bytes, f"psutil ({HOST_RAM_RULE})"
        ),
        memory_bandwidth_gbs=found.got(
            "memory_bandwidth_gbs", spec and spec.memory_bandwidth_gbs, note, missing
        ),
        fp16_tflops=found.got("fp16_tflops", spec and spec.fp16_tflops, note, missing),
        unified_memory=True,
        integrated=True,
        tdp_w=found.got("tdp_w", spec and spec.tdp_w, note, missing),
    )
    for leaf in (
        "bus_width_bits",
        "max_memory_clock_mhz",
        "power_limit_w",
        "power_draw_w",
        "driver_version",
        "cuda_version",
        "uuid",
        "serial",
        "compute_capability",
    ):
        found.unknown[leaf] = "Jetson boards have no NVML; read tegrastats for live figures"
    return [ProbedGpu(gpu, found)]
