"""Turn a validated profile entry into a Machine, filling missing figures from the spec table."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from advisor.probe.gpu.unified import APPLE_RULE, HOST_RAM_RULE, apple_default_working_set_bytes
from advisor.probe.machine import Cpu, Gpu, Machine, SystemMemory
from advisor.probe.specs.table import HardwareSpec, SpecMatch, match_spec
from advisor.probe.unknowns import with_reasons
from advisor.units import GIB

if TYPE_CHECKING:  # the entries are pydantic models: imported by whoever validated one
    from advisor.probe.profiles.plain import PlainCpu, PlainGpu, PlainProfile
    from advisor.probe.profiles.schema import CpuEntry, GpuEntry, ProfileEntry

    # A profile validated by the schema, or a Machine's own dict read without it (plain.py)
    AnyProfile = ProfileEntry | PlainProfile
    AnyCpu = CpuEntry | PlainCpu
    AnyGpu = GpuEntry | PlainGpu


def gib_to_bytes(value: float | None) -> int | None:
    return None if value is None else int(round(value * GIB))


def bytes_to_gib(value: int | None) -> float | None:
    # exact: dividing by a power of two loses nothing below 2**53 bytes
    return None if value is None else value / GIB


def infer_vendor(name: str) -> str:
    lowered = name.lower()
    if re.search(
        r"nvidia|geforce|quadro|tesla|\brtx\b|\bgtx\b|jetson|\bgb10\b|\b[ahlb]\d{2,3}\b", lowered
    ):
        return "nvidia"
    if re.search(r"\bamd\b|radeon|\brx\b|instinct", lowered):
        return "amd"
    if re.search(r"intel|\barc\b|iris", lowered):
        return "intel"
    if re.search(r"apple|\bm\d\b", lowered):
        return "apple"
    return "other"


@dataclass
class _Acc:
    """Sources and reasons gathered while building one machine."""

    sources: dict[str, str] = field(default_factory=dict)
    unknown: dict[str, str] = field(default_factory=dict)

    def pick(self, path: str, given, spec_value, spec: SpecMatch | None):
        if given is not None:
            self.sources.setdefault(path, "profile")
            return given
        if spec_value is not None and spec is not None:
            self.sources.setdefault(path, spec.note)
            return spec_value
        return None


def _gpu(entry: AnyGpu, index: int, lookup: bool, acc: _Acc, ram_bytes: int | None) -> Gpu:
    vendor = entry.vendor or infer_vendor(entry.name)
    given_vram = gib_to_bytes(entry.vram_gb)
    found = None
    if lookup:
        found = match_spec(
            entry.name, vendor=vendor, memory_bytes=given_vram, gpu_cores=entry.core_count
        )
    spec: HardwareSpec | None = found.spec if found else None
    p = f"gpus[{index}]."
    unified = acc.pick(
        p + "unified_memory", entry.unified_memory, spec and spec.unified_memory, found
    )
    unified = bool(unified)
    integrated = entry.integrated
    if integrated is None:
        integrated = bool(spec and spec.kind in ("integrated", "soc")) or unified
    vram = given_vram
    if vram is not None:
        acc.sources.setdefault(p + "vram_total_bytes", "profile")
    elif lookup and not unified and spec and spec.memory_bytes:
        vram = acc.pick(p + "vram_total_bytes", None, spec.memory_bytes, found)
    return Gpu(
        index=entry.index if entry.index is not None else index,
        name=entry.name,
        vendor=vendor,  # type: ignore[arg-type]
        vram_total_bytes=vram,
        vram_free_bytes=gib_to_bytes(entry.vram_free_gb),
        memory_bandwidth_gbs=acc.pick(
            p + "memory_bandwidth_gbs",
            entry.memory_bandwidth_gbs,
            spec and spec.memory_bandwidth_gbs,
            found,
        ),
        fp16_tflops=acc.pick(
            p + "fp16_tflops", entry.fp16_tflops, spec and spec.fp16_tflops, found
        ),
        unified_memory=unified,
        integrated=integrated,
        bus_width_bits=acc.pick(
            p + "bus_width_bits", entry.bus_width_bits, spec and spec.bus_width_bits, found
        ),
        max_memory_clock_mhz=entry.max_memory_clock_mhz,
        compute_capability=entry.compute_capability,
        core_count=acc.pick(p + "core_count", entry.core_count, spec and spec.gpu_cores, found),
        power_limit_w=entry.power_limit_w,
        power_draw_w=entry.power_draw_w,
        driver_version=entry.driver_version,
        cuda_version=entry.cuda_version,
        pci_id=entry.pci_id,
        pci_bus_id=entry.pci_bus_id,
        uuid=entry.uuid,
        serial=entry.serial,
        tdp_w=acc.pick(p + "tdp_w", entry.tdp_w, spec and spec.tdp_w, found),
    )


def _gpus(entry: AnyProfile, lookup: bool, acc: _Acc, ram_bytes: int | None) -> tuple[Gpu, ...]:
    gpus: list[Gpu] = []
    for gpu_entry in entry.gpus:
        for _ in range(gpu_entry.count):
            gpus.append(_gpu(gpu_entry, len(gpus), lookup, acc, ram_bytes))
    return tuple(gpus)


def _cpu(entry: AnyCpu | None, lookup: bool, acc: _Acc) -> tuple[Cpu, SpecMatch | None]:
    entry = entry or _empty_cpu_entry()
    found = match_spec(entry.name) if lookup and entry.name else None
    for key, path in (
        ("name", "cpu.name"),
        ("architecture", "cpu.architecture"),
        ("cores", "cpu.physical_cores"),
        ("threads", "cpu.logical_cores"),
        ("base_clock_mhz", "cpu.base_clock_mhz"),
        ("max_clock_mhz", "cpu.max_clock_mhz"),
        ("simd", "cpu.simd_flags"),
    ):
        if getattr(entry, key) is not None:
            acc.sources.setdefault(path, "profile")
    cpu = Cpu(
        name=entry.name,
        architecture=entry.architecture,
        physical_cores=entry.cores,
        logical_cores=entry.threads,
        simd_flags=tuple(entry.simd or ()),
        base_clock_mhz=entry.base_clock_mhz,
        max_clock_mhz=entry.max_clock_mhz,
    )
    return cpu, found


def _empty_cpu_entry() -> PlainCpu:
    """No CPU keys: every field None, as the schema's empty CpuEntry."""
    from advisor.probe.profiles.plain import PlainCpu

    return PlainCpu()


def _soc_spec(gpus: tuple[Gpu, ...], lookup: bool) -> SpecMatch | None:
    """The spec row of a unified-memory SoC (Apple, GB10, Strix Halo): its bandwidth is RAM's."""
    if not lookup:
        return None
    for gpu in gpus:
        if gpu.unified_memory:
            found = match_spec(gpu.name, vendor=gpu.vendor, gpu_cores=gpu.core_count)
            if found and found.spec.kind == "soc":
                return found
    return None


def _memory(entry: AnyProfile, cpu_spec, soc_spec, acc: _Acc) -> SystemMemory:
    cpu_entry = entry.cpu or _empty_cpu_entry()
    bandwidth_spec = soc_spec or cpu_spec
    theoretical = acc.pick(
        "memory.bandwidth_theoretical_gbs",
        cpu_entry.memory_bandwidth_gbs,
        bandwidth_spec and bandwidth_spec.spec.memory_bandwidth_gbs,
        bandwidth_spec,
    )
    for key, path in (
        ("ram_gb", "memory.ram_total_bytes"),
        ("ram_available_gb", "memory.ram_available_bytes"),
        ("swap_gb", "memory.swap_total_bytes"),
        ("swap_free_gb", "memory.swap_free_bytes"),
    ):
        if getattr(entry, key) is not None:
            acc.sources.setdefault(path, "profile")
    if cpu_entry.memory_bandwidth_measured_gbs is not None:
        acc.sources.setdefault("memory.bandwidth_measured_gbs", "profile")
    return SystemMemory(
        ram_total_bytes=gib_to_bytes(entry.ram_gb),
        ram_available_bytes=gib_to_bytes(entry.ram_available_gb),
        swap_total_bytes=gib_to_bytes(entry.swap_gb),
        swap_free_bytes=gib_to_bytes(entry.swap_free_gb),
        bandwidth_measured_gbs=cpu_entry.memory_bandwidth_measured_gbs,
        bandwidth_measured_on=cpu_entry.memory_bandwidth_measured_on,
        bandwidth_theoretical_gbs=theoretical,
    )


def _backend(entry: AnyProfile, gpus: tuple[Gpu, ...], cpu: Cpu) -> tuple[str, str]:
    if entry.backend:
        return entry.backend, entry.backend_reason or "stated by the profile"
    vendors = [g.vendor for g in gpus if not (g.integrated and g.vendor == "intel")]
    for vendor, backend in (
        ("nvidia", "cuda"),
        ("apple", "metal"),
        ("amd", "rocm"),
        ("intel", "sycl"),
    ):
        if vendor in vendors:
            return backend, f"inferred from the profile's {vendor} GPU"
    if cpu.name and cpu.name.lower().startswith("apple"):
        return "metal", "inferred from the profile's Apple chip"
    return "cpu", "the profile lists no GPU llama.cpp would offload to"


def _working_set(entry: AnyProfile, gpus, ram: int | None, lookup: bool, acc: _Acc) -> int | None:
    if entry.gpu_working_set_gb is not None:
        acc.sources["gpu_working_set_bytes"] = "profile"
        return gib_to_bytes(entry.gpu_working_set_gb)
    if not lookup or ram is None or not any(g.unified_memory for g in gpus):
        return None
    if any(g.vendor == "apple" for g in gpus):
        acc.sources["gpu_working_set_bytes"] = APPLE_RULE
        return apple_default_working_set_bytes(ram)
    acc.sources["gpu_working_set_bytes"] = HOST_RAM_RULE
    return ram


def _unified_vram(gpus: tuple[Gpu, ...], working_set: int | None, acc: _Acc) -> tuple[Gpu, ...]:
    """A unified GPU's memory is the working set when the profile gives no figure of its own."""
    import dataclasses

    out = []
    for i, gpu in enumerate(gpus):
        if gpu.unified_memory and gpu.vram_total_bytes is None and working_set is not None:
            acc.sources[f"gpus[{i}].vram_total_bytes"] = acc.sources["gpu_working_set_bytes"]
            gpu = dataclasses.replace(gpu, vram_total_bytes=working_set)
        out.append(gpu)
    return tuple(out)


def entry_to_machine(entry: AnyProfile, *, origin: str, lookup: bool) -> Machine:
    """Build the Machine a profile describes. `lookup` fills gaps from the spec table and
    records reasons for what stays unknown; without it the entry is taken exactly as written
    (the inverse of machine_to_dict)."""
    acc = _Acc()
    ram = gib_to_bytes(entry.ram_gb)
    gpus = _gpus(entry, lookup, acc, ram)
    cpu, cpu_spec = _cpu(entry.cpu, lookup, acc)
    soc = _soc_spec(gpus, lookup)
    memory = _memory(entry, cpu_spec, soc, acc)
    unified = entry.unified_memory
    if unified is None:
        unified = any(g.unified_memory for g in gpus)
    working_set = _working_set(entry, gpus, ram, lookup, acc)
    if lookup:
        gpus = _unified_vram(gpus, working_set, acc)
    backend, reason = (entry.backend or "cpu", entry.backend_reason)
    if lookup:
        backend, reason = _backend(entry, gpus, cpu)
    system_spec = soc.spec if soc and soc.spec.inference_power_scope == "wall" else None
    power = entry.inference_power_w
    if power is None and lookup and system_spec and system_spec.inference_power_w:
        power = system_spec.inference_power_w
        acc.sources["inference_power_w"] = f"spec-table: {system_spec.inference_power_source}"
    for key in ("disk_free_gb", "on_battery", "price_usd", "inference_power_w"):
        if getattr(entry, key) is not None:
            path = "disk_free_bytes" if key == "disk_free_gb" else key
            acc.sources.setdefault(path, "profile")
    sources = acc.sources if lookup else {}
    sources.update(entry.sources)
    machine = Machine(
        name=entry.name,
        origin=entry.origin if not lookup and entry.origin else origin,
        os=entry.os,
        cpu=cpu,
        memory=memory,
        gpus=gpus,
        backend=backend,  # type: ignore[arg-type]
        unified_memory=unified,
        gpu_working_set_bytes=working_set,
        disk_free_bytes=gib_to_bytes(entry.disk_free_gb),
        on_battery=entry.on_battery,
        hostname=entry.hostname,
        host_id=entry.host_id,
        virtualization=entry.virtualization,
        unknown=dict(entry.unknown),
        sources=sources,
        backend_reason=reason,
        notes=tuple(entry.notes),
        inference_power_w=power,
        price_usd=entry.price_usd,
        profile_source=entry.source,
    )
    if not lookup:
        return machine
    return with_reasons(machine, "not stated in the profile", probed=False)
