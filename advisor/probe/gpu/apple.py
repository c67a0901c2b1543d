"""Apple Silicon: RAM and the Metal working-set limit through sysctl, GPU cores through ioreg.

`ioreg -rc AGXAccelerator -d1` answers in milliseconds with `"gpu-core-count" = 18`;
`system_profiler SPDisplaysDataType -json` (`sppci_cores`) is the slow fallback.
"""

from __future__ import annotations

import json
import re

from advisor.probe.gpu.nvidia import ProbedGpu
from advisor.probe.gpu.unified import APPLE_RULE, apple_default_working_set_bytes
from advisor.probe.live.host import Host
from advisor.probe.live.result import Findings
from advisor.probe.machine import Gpu
from advisor.probe.specs.table import match_spec
from advisor.units import MIB

MAC_MEMORY_SYSCTLS = ("hw.memsize", "iogpu.wired_limit_mb", "machdep.cpu.brand_string")


def gpu_core_count(host: Host) -> tuple[int | None, str]:
    text, _ = host.command(("ioreg", "-rc", "AGXAccelerator", "-d1"))
    match = re.search(r'"gpu-core-count"\s*=\s*(\d+)', text or "")
    if match:
        return int(match.group(1)), "ioreg AGXAccelerator gpu-core-count"
    text, why = host.command(("system_profiler", "SPDisplaysDataType", "-json"))
    try:
        displays = json.loads(text or "{}").get("SPDisplaysDataType", [])
    except json.JSONDecodeError:
        displays = []
    for display in displays:
        cores = str(display.get("sppci_cores", ""))
        if cores.isdigit():
            return int(cores), "system_profiler SPDisplaysDataType sppci_cores"
    return None, why or "neither ioreg nor system_profiler reported a GPU core count"


def working_set(values: dict[str, str], ram: int | None, found: Findings) -> int | None:
    wired = values.get("iogpu.wired_limit_mb", "")
    if wired.isdigit() and int(wired) > 0:
        return found.got("gpu_working_set_bytes", int(wired) * MIB, "sysctl iogpu.wired_limit_mb")
    if ram is None:
        found.unknown["gpu_working_set_bytes"] = "RAM size unknown"
        return None
    return found.got("gpu_working_set_bytes", apple_default_working_set_bytes(ram), APPLE_RULE)


def probe_apple(host: Host, ram: int | None, found: Findings) -> tuple[list[ProbedGpu], int | None]:
    """The Apple GPU (if this Mac has Apple Silicon) and the GPU's working-set limit."""
    values = host.sysctl(MAC_MEMORY_SYSCTLS)
    chip = values.get("machdep.cpu.brand_string", "")
    if not chip.startswith("Apple"):
        return [], None
    memsize = values.get("hw.memsize", "")
    ram = int(memsize) if memsize.isdigit() else ram
    limit = working_set(values, ram, found)
    cores, core_source = gpu_core_count(host)
    gpu_found = Findings()
    gpu_found.got("core_count", cores, core_source, core_source)
    match = match_spec(chip, vendor="apple", gpu_cores=cores)
    note = match.note if match else None
    missing = f"{chip} is not in the spec table"
    gpu = Gpu(
        index=0,
        name=chip,
        vendor="apple",
        vram_total_bytes=gpu_found.got(
            "vram_total_bytes",
            limit,
            found.sources.get("gpu_working_set_bytes", ""),
            "working-set limit unknown",
        ),
        vram_free_bytes=None,
        memory_bandwidth_gbs=gpu_found.got(
            "memory_bandwidth_gbs", match and match.spec.memory_bandwidth_gbs, note, missing
        ),
        fp16_tflops=gpu_found.got(
            "fp16_tflops",
            match and match.spec.fp16_tflops,
            note,
            "the spec table has no FP16 figure for Apple GPUs",
        ),
        unified_memory=True,
        integrated=True,
        core_count=cores,
        tdp_w=gpu_found.got(
            "tdp_w", match and match.spec.tdp_w, note, "Apple publishes no GPU power figure"
        ),
    )
    gpu_found.unknown["vram_free_bytes"] = (
        "macOS does not report free GPU memory; see RAM available"
    )
    for leaf in (
        "bus_width_bits",
        "max_memory_clock_mhz",
        "power_limit_w",
        "power_draw_w",
        "driver_version",
        "pci_id",
        "pci_bus_id",
        "uuid",
        "serial",
        "compute_capability",
    ):
        gpu_found.unknown[leaf] = "not exposed for Apple GPUs"
    return [ProbedGpu(gpu, gpu_found)], limit
