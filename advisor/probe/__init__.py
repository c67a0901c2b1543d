"""The probe stage: what this computer (or a profile) has, as a frozen Machine.

Public API (imports are lazy so that `import advisor.probe` stays cheap):
probe_machine, resolve_machine, load_profile, list_profiles, lookup_spec, machine_fingerprint,
machine_to_dict, machine_from_dict, measure_memory_bandwidth, fill_memory_bandwidth.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.probe.machine import Cpu, Gpu, Machine, SystemMemory

if TYPE_CHECKING:
    from advisor.probe.bandwidth.copy_test import BandwidthMeasurement
    from advisor.probe.specs.table import HardwareSpec

__all__ = [
    "Cpu",
    "Gpu",
    "Machine",
    "SystemMemory",
    "fill_memory_bandwidth",
    "list_profiles",
    "load_profile",
    "lookup_spec",
    "machine_fingerprint",
    "machine_from_dict",
    "machine_to_dict",
    "measure_memory_bandwidth",
    "probe_machine",
    "resolve_machine",
]


def probe_machine(*, measure_bandwidth: bool = True) -> Machine:
    """Probe this computer (see advisor.probe.live.probe.probe_machine)."""
    from advisor.probe.live.probe import probe_machine as probe

    return probe(measure_bandwidth=measure_bandwidth)


def resolve_machine(
    *,
    profile: str | Path | None = None,
    profiles_dir: str | Path | None = None,
    ram_gb: float | None = None,
    vram_gb: float | None = None,
    measure_bandwidth: bool = True,
) -> Machine:
    """A profile's machine or this computer, with --ram/--vram applied (sources: "override")."""
    from advisor.probe.resolve import resolve_machine as resolve

    return resolve(
        profile=profile,
        profiles_dir=profiles_dir,
        ram_gb=ram_gb,
        vram_gb=vram_gb,
        measure_bandwidth=measure_bandwidth,
    )


def load_profile(name_or_path: str | Path, profiles_dir: str | Path | None = None) -> Machine:
    from advisor.probe.profiles.load import load_profile as load

    return load(name_or_path, profiles_dir)


def list_profiles(profiles_dir: str | Path | None = None) -> list[str]:
    from advisor.probe.profiles.load import list_profiles as names

    return names(profiles_dir)


def lookup_spec(name: str, **hints: Any) -> HardwareSpec | None:
    """Spec-table row by name; hints: vendor=, memory_bytes=, gpu_cores=."""
    from advisor.probe.specs.table import lookup_spec as lookup

    return lookup(name, **hints)


def machine_fingerprint(machine: Machine) -> str:
    from advisor.probe.fingerprint import machine_fingerprint as fingerprint

    return fingerprint(machine)


def machine_to_dict(machine: Machine) -> dict[str, Any]:
    from advisor.probe.profiles.serialize import machine_to_dict as to_dict

    return to_dict(machine)


def machine_from_dict(data: Any) -> Machine:
    from advisor.probe.profiles.serialize import machine_from_dict as from_dict

    return from_dict(data)


def measure_memory_bandwidth(**kwargs: Any) -> BandwidthMeasurement | None:
    from advisor.probe.bandwidth.copy_test import measure_memory_bandwidth as measure

    return measure(**kwargs)


def fill_memory_bandwidth(machine: Machine, *, use_cache: bool = True) -> Machine:
    from advisor.probe.bandwidth.fill import fill_memory_bandwidth as fill

    return fill(machine, use_cache=use_cache)
