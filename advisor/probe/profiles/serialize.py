"""Machine <-> dict (lossless, and itself a valid hardware profile) and the machine fingerprint.

Writing a dict needs no pydantic; reading one validates it against the profile schema, which
is imported then. The fingerprint lives in advisor.probe.fingerprint (re-exported here).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from advisor.errors import ProfileError
from advisor.probe.fingerprint import machine_fingerprint
from advisor.probe.machine import Cpu, Gpu, Machine
from advisor.probe.profiles.build import bytes_to_gib, entry_to_machine

if TYPE_CHECKING:
    from pydantic import ValidationError

__all__ = ["machine_fingerprint", "machine_from_dict", "machine_to_dict", "validation_message"]

MACHINE_SCHEMA_VERSION = 1


def _cpu_dict(cpu: Cpu, machine: Machine) -> dict[str, Any]:
    return {
        "name": cpu.name,
        "architecture": cpu.architecture,
        "cores": cpu.physical_cores,
        "threads": cpu.logical_cores,
        "simd": list(cpu.simd_flags),
        "base_clock_mhz": cpu.base_clock_mhz,
        "max_clock_mhz": cpu.max_clock_mhz,
        "memory_bandwidth_gbs": machine.memory.bandwidth_theoretical_gbs,
        "memory_bandwidth_measured_gbs": machine.memory.bandwidth_measured_gbs,
        "memory_bandwidth_measured_on": machine.memory.bandwidth_measured_on,
    }


def _gpu_dict(gpu: Gpu) -> dict[str, Any]:
    return {
        "index": gpu.index,
        "name": gpu.name,
        "vendor": gpu.vendor,
        "vram_gb": bytes_to_gib(gpu.vram_total_bytes),
        "vram_free_gb": bytes_to_gib(gpu.vram_free_bytes),
        "memory_bandwidth_gbs": gpu.memory_bandwidth_gbs,
        "fp16_tflops": gpu.fp16_tflops,
        "unified_memory": gpu.unified_memory,
        "integrated": gpu.integrated,
        "bus_width_bits": gpu.bus_width_bits,
        "max_memory_clock_mhz": gpu.max_memory_clock_mhz,
        "compute_capability": gpu.compute_capability,
        "core_count": gpu.core_count,
        "power_limit_w": gpu.power_limit_w,
        "power_draw_w": gpu.power_draw_w,
        "tdp_w": gpu.tdp_w,
        "driver_version": gpu.driver_version,
        "cuda_version": gpu.cuda_version,
        "pci_id": gpu.pci_id,
        "pci_bus_id": gpu.pci_bus_id,
        "uuid": gpu.uuid,
        "serial": gpu.serial,
    }


def machine_to_dict(machine: Machine) -> dict[str, Any]:
    """Every field of `machine` as JSON-ready data, in the hardware profile format.

    Sizes are GiB floats (bytes / 2**30, exact for any real size), so machine_from_dict gives
    back an equal Machine, and the dict can be saved and passed back as `--profile`.
    """
    mem = machine.memory
    return {
        "name": machine.name,
        "source": machine.profile_source,
        "origin": machine.origin,
        "os": machine.os,
        "hostname": machine.hostname,
        "host_id": machine.host_id,
        "virtualization": machine.virtualization,
        "backend": machine.backend,
        "backend_reason": machine.backend_reason,
        "unified_memory": machine.unified_memory,
        "ram_gb": bytes_to_gib(mem.ram_total_bytes),
        "ram_available_gb": bytes_to_gib(mem.ram_available_bytes),
        "swap_gb": bytes_to_gib(mem.swap_total_bytes),
        "swap_free_gb": bytes_to_gib(mem.swap_free_bytes),
        "gpu_working_set_gb": bytes_to_gib(machine.gpu_working_set_bytes),
        "disk_free_gb": bytes_to_gib(machine.disk_free_bytes),
        "on_battery": machine.on_battery,
        "inference_power_w": machine.inference_power_w,
        "price_usd": machine.price_usd,
        "cpu": _cpu_dict(machine.cpu, machine),
        "gpus": [_gpu_dict(g) for g in machine.gpus],
        "notes": list(machine.notes),
        "unknown": dict(machine.unknown),
        "sources": dict(machine.sources),
    }


def validation_message(error: ValidationError) -> tuple[str, str, tuple]:
    """The first pydantic error as (dotted key, message, raw location)."""
    first = error.errors()[0]
    loc = first["loc"]
    key = ""
    for part in loc:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    return key, first["msg"], tuple(loc)


def machine_from_dict(data: Mapping[str, Any], *, path: str | None = None) -> Machine:
    """The Machine that machine_to_dict produced `data` from (equal field for field).

    Raises ProfileError naming the key when `data` does not follow the profile format.
    """
    from pydantic import ValidationError

    from advisor.probe.profiles.schema import ProfileEntry

    if not isinstance(data, Mapping):
        raise ProfileError("a machine must be a mapping of keys to values", path=path)
    try:
        entry = ProfileEntry.model_validate(dict(data))
    except ValidationError as exc:
        key, message, _ = validation_message(exc)
        raise ProfileError(message, path=path, key=key) from exc
    return entry_to_machine(entry, origin=entry.origin or f"profile:{entry.name}", lookup=False)
