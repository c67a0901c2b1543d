"""probe_machine: run every probe path through one Host and assemble the Machine."""

from __future__ import annotations

import dataclasses

from advisor.probe.gpu.apple import probe_apple
from advisor.probe.gpu.backend import choose_backend
from advisor.probe.gpu.drm import probe_drm
from advisor.probe.gpu.nvidia import HostRam, ProbedGpu, nvml_skip_reason, probe_nvml, probe_tegra
from advisor.probe.live.cpu import probe_cpu
from advisor.probe.live.host import Host, LiveHost
from advisor.probe.live.result import Findings
from advisor.probe.live.system import (
    detect_virtualization,
    detect_wsl,
    probe_battery,
    probe_disk,
    probe_host_id,
    probe_ram,
)
from advisor.probe.machine import Gpu, Machine, SystemMemory
from advisor.probe.specs.table import match_spec
from advisor.probe.unknowns import with_reasons

OS_NAMES = {"Linux": "linux", "Darwin": "darwin", "Windows": "windows"}


def _gpus(
    host: Host, plat: dict[str, str], ram: HostRam, found: Findings
) -> tuple[list[ProbedGpu], int | None]:
    system = plat.get("system", "")
    working_set = None
    if system == "Darwin":
        probed, working_set = probe_apple(host, ram.total_bytes, found)
    else:
        probed, nvml_found = probe_nvml(
            host, ram, nvml_skip_reason(host, system, detect_wsl(host, plat))
        )
        nvidia_missing = nvml_found.unknown.pop("nvml", None)
        found.merge(nvml_found)
        if not probed and system == "Linux":
            probed = probe_tegra(host, ram)
        if system == "Linux":
            missing = None if probed else (nvidia_missing or "; ".join(nvml_found.notes))
            drm, drm_found = probe_drm(host, ram.total_bytes, missing)
            probed += drm
            found.merge(drm_found)
    return probed, working_set


def _number(probed: list[ProbedGpu], found: Findings) -> tuple[Gpu, ...]:
    """Give GPUs their final indices and file their findings under gpus[i]."""
    gpus = []
    for i, item in enumerate(probed):
        gpus.append(dataclasses.replace(item.gpu, index=i))
        for leaf, source in item.findings.sources.items():
            found.sources[f"gpus[{i}].{leaf}"] = source
        for leaf, reason in item.findings.unknown.items():
            found.unknown.setdefault(f"gpus[{i}].{leaf}", reason)
        found.notes.extend(item.findings.notes)
    return tuple(gpus)


def _unified_working_set(
    gpus: tuple[Gpu, ...], working_set: int | None, found: Findings
) -> int | None:
    if working_set is not None:
        return working_set
    shared = [g for g in gpus if g.unified_memory and g.vram_total_bytes is not None]
    if not shared:
        return None
    i = gpus.index(shared[0])
    found.sources["gpu_working_set_bytes"] = found.sources.get(f"gpus[{i}].vram_total_bytes", "")
    return shared[0].vram_total_bytes


def _theoretical_bandwidth(
    cpu_name: str | None, gpus: tuple[Gpu, ...], found: Findings
) -> float | None:
    """RAM bandwidth by spec: the SoC's (Apple, GB10, Strix Halo) or the CPU's table row."""
    for _i, gpu in enumerate(gpus):
        if gpu.unified_memory and gpu.memory_bandwidth_gbs:
            match = match_spec(gpu.name, vendor=gpu.vendor, gpu_cores=gpu.core_count)
            if match and match.spec.kind == "soc":
                return found.got(
                    "memory.bandwidth_theoretical_gbs", gpu.memory_bandwidth_gbs, match.note
                )
    match = match_spec(cpu_name) if cpu_name else None
    if match and match.spec.memory_bandwidth_gbs and match.spec.kind in ("cpu", "soc"):
        return found.got(
            "memory.bandwidth_theoretical_gbs", match.spec.memory_bandwidth_gbs, match.note
        )
    found.unknown["memory.bandwidth_theoretical_gbs"] = (
        f"{cpu_name or 'this CPU'} has no spec-table row, and DIMM speeds need root (dmidecode)"
    )
    return None


def probe_machine(*, measure_bandwidth: bool = True, host: Host | None = None) -> Machine:
    """Probe this computer. Never raises for missing drivers, files or permissions: each figure
    it cannot read is None, with the reason in Machine.unknown.

    With measure_bandwidth=False it stays fast (no copy test); fill_memory_bandwidth()
    adds the measured RAM bandwidth later.
    """
    host = host or LiveHost()
    plat = host.platform()
    found = Findings()
    system = plat.get("system", "")
    ram = probe_ram(host, system, found)
    cpu = probe_cpu(host, plat, found)
    probed, working_set = _gpus(host, plat, HostRam(ram.total_bytes, ram.available_bytes), found)
    gpus = _number(probed, found)
    unified = any(g.unified_memory for g in gpus)
    working_set = _unified_working_set(gpus, working_set, found) if unified else None
    backend, reason = choose_backend(host, plat, list(gpus))
    memory = SystemMemory(
        ram_total_bytes=ram.total_bytes,
        ram_available_bytes=ram.available_bytes,
        swap_total_bytes=ram.swap_total_bytes,
        swap_free_bytes=ram.swap_free_bytes,
        bandwidth_theoretical_gbs=_theoretical_bandwidth(cpu.name, gpus, found),
    )
    found.unknown["memory.bandwidth_measured_gbs"] = "the copy test has not run yet"
    machine = Machine(
        name=plat.get("node") or "this machine",
        origin="probe",
        os=OS_NAMES.get(system, system.lower() or None),
        cpu=cpu,
        memory=memory,
        gpus=gpus,
        backend=backend,  # type: ignore[arg-type]
        unified_memory=unified,
        gpu_working_set_bytes=working_set,
        disk_free_bytes=probe_disk(host, found),
        on_battery=probe_battery(host, found),
        hostname=plat.get("node") or None,
        host_id=probe_host_id(host, plat, found),
        virtualization=detect_virtualization(host, plat, found),
        unknown=found.unknown,
        sources=found.sources,
        backend_reason=reason,
        notes=tuple(found.notes),
    )
    machine = with_reasons(machine, "no probe path reports this figure here")
    if measure_bandwidth:
        from advisor.probe.bandwidth.fill import fill_memory_bandwidth

        machine = fill_memory_bandwidth(machine)
    return machine
