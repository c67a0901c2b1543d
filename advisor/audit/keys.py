"""Evaluation keys: two reports with equal keys get equal verdicts, so each key is judged once.

A machine's key is its report entry without what names or locates it (name, hostname, host
id, serials, UUIDs, bus ids) and without what changes from one probe to the next and does not
enter a verdict (free RAM, swap and disk, free VRAM, driver versions, battery state), keeping
whether the name or a profile's battery makes the machine a laptop (upgrades.is_laptop).
Everything else stays, sources included: they set how sure a figure is, and so a verdict's
confidence.
tests/audit/test_audit_keys.py checks that changing any dropped field leaves the verdicts as
they were.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from pydantic_core import to_json

from advisor.probe.specs.upgrades import BATTERY_SOURCE, laptop_by_name_or_state, laptop_parts

MACHINE_IDENTITY = (
    "name",
    "hostname",
    "host_id",
    "source",
    "origin",
    "notes",
    "unknown",
    "ram_available_gb",
    "swap_free_gb",
    "disk_free_gb",
    "on_battery",
)
GPU_IDENTITY = (
    "uuid",
    "serial",
    "pci_bus_id",
    "vram_free_gb",
    "driver_version",
    "cuda_version",
)
# The same names as sets, for the keys' membership tests: a report's machine has about 25
# keys, and testing each against the tuples cost most of machine_key (12.6 us against 5 us a
# report: 0.08 s of CPU in the reading of 10,000 reports; 2026-12-07).
_MACHINE_LEFT = frozenset(MACHINE_IDENTITY)
_GPU_LEFT = frozenset(GPU_IDENTITY)
# A GPU's power draw at probe time is idle power; only a profile's stated figure is used.
_PROFILE = "profile"


def digest(value: Any) -> bytes:
    """A short, stable digest of JSON-ready data (dict key order counts)."""
    return hashlib.blake2b(to_json(value), digest_size=16).digest()


def machine_key_data(machine: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a report's machine entry that can change a verdict."""
    kept = {k: v for k, v in machine.items() if k not in _MACHINE_LEFT}
    sources = machine.get("sources")
    sources = sources if isinstance(sources, Mapping) else {}  # malformed: the reader says so
    if _laptop_beyond_key(machine, sources):
        kept["laptop"] = True  # a laptop takes no desktop GPU (advisor.probe.specs.upgrades)
    gpus = machine.get("gpus")
    if isinstance(gpus, list):
        kept["gpus"] = [_gpu(g, i, sources) for i, g in enumerate(gpus)]
    return kept


def _laptop_beyond_key(machine: Mapping[str, Any], sources: Mapping[str, Any]) -> bool:
    """Whether only the fields the key leaves out make the machine a laptop (is_laptop): its
    name, or a battery in use that the probe did not find (a profile's on_battery)."""
    name, cpu, gpus = machine.get("name"), machine.get("cpu"), machine.get("gpus")
    in_use = machine.get("on_battery") is True
    if not laptop_by_name_or_state(name if isinstance(name, str) else None, in_use):
        return False
    if sources.get("on_battery") == BATTERY_SOURCE:
        return False  # the source stays in the key
    cpu_name = cpu.get("name") if isinstance(cpu, Mapping) else None
    gpu_names = [g["name"] for g in gpus or () if isinstance(g, Mapping)
                 and isinstance(g.get("name"), str)] if isinstance(gpus, list) else []  # fmt: skip
    return not laptop_parts(cpu_name if isinstance(cpu_name, str) else None, gpu_names)


def _gpu(gpu: Any, index: int, sources: Mapping[str, Any]) -> Any:
    if not isinstance(gpu, Mapping):
        return gpu  # malformed: the report reader says so
    kept = {k: v for k, v in gpu.items() if k not in _GPU_LEFT}
    if sources.get(f"gpus[{gpu.get('index', index)}].power_draw_w") != _PROFILE:
        kept.pop("power_draw_w", None)
    return kept


def machine_key(machine: Mapping[str, Any]) -> bytes:
    return digest(machine_key_data(machine))


def machine_left_out(machine: Mapping[str, Any]) -> dict[str, Any]:
    """What machine_key_data leaves out of a machine entry (with the names the profile format
    requires), so a report whose configuration was validated with another report's can have
    the rest validated on its own. `machine` and its GPUs are mappings."""
    part = {k: machine[k] for k in (*MACHINE_IDENTITY, "name") if k in machine}
    left = (*GPU_IDENTITY, "name", "power_draw_w")
    part["gpus"] = [{k: g[k] for k in left if k in g} for g in machine.get("gpus", [])]
    return part
