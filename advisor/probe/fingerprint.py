"""The machine fingerprint: a short, stable id for a machine's hardware.

Kept apart from advisor.probe.profiles.serialize (which validates profiles with pydantic) so that
the live probe and the bandwidth cache can name a machine without importing pydantic.
"""

from __future__ import annotations

import hashlib
import json

from advisor.probe.machine import Machine
from advisor.units import GIB


def _round_gib(value: int | None, step: float = 1.0) -> float | None:
    return None if value is None else round(value / GIB / step) * step


def machine_fingerprint(machine: Machine) -> str:
    """A short id for this hardware: the same on every run, blind to hostnames and serials.

    It covers the OS, CPU model and core counts, RAM rounded to whole GiB, and each GPU's
    vendor, model and VRAM rounded to whole GiB: what changes when the hardware changes and
    stays put when free memory, drivers or clocks move.
    """
    cpu = machine.cpu
    identity = {
        "os": machine.os,
        "cpu": [cpu.name, cpu.architecture, cpu.physical_cores, cpu.logical_cores],
        "ram_gib": _round_gib(machine.memory.ram_total_bytes),
        "gpus": sorted(
            (
                [g.vendor, g.name, None if g.unified_memory else _round_gib(g.vram_total_bytes)]
                for g in machine.gpus
            ),
            key=_gpu_order,
        ),
    }
    text = json.dumps(identity, sort_keys=True, default=str)
    return "m-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _gpu_order(gpu: list) -> tuple:
    """The order the GPUs are listed in: vendor, name, then VRAM, an unknown one (or a unified
    GPU's, None) first. The plain list order where every VRAM of a vendor and name is known,
    or none is, so fingerprints stay as they were; two alike GPUs of which only one says its
    VRAM (a driver that could not read the other's) no longer compare None with a number."""
    vendor, name, vram = gpu
    return vendor, name, vram is not None, vram or 0.0
