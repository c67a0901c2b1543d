"""Put the measured RAM bandwidth into a Machine: from the cache when fresh, else a copy test."""

from __future__ import annotations

import dataclasses

from advisor.probe.bandwidth import (
    PHYSICAL_BOUND_GBS,
    cached_bandwidth,
    measure_memory_bandwidth,
    store_bandwidth,
)
from advisor.probe.fingerprint import machine_fingerprint
from advisor.probe.machine import Machine
from advisor.probe.unknowns import with_reasons


def fill_memory_bandwidth(
    machine: Machine, *, use_cache: bool = True, budget_s: float = 0.15
) -> Machine:
    """`machine` with memory.bandwidth_measured_gbs filled (cached figure or a fresh test)."""
    fingerprint = machine_fingerprint(machine)
    measurement = cached_bandwidth(fingerprint) if use_cache else None
    if measurement is None:
        measurement = measure_memory_bandwidth(
            threads=machine.cpu.physical_cores, budget_s=budget_s
        )
        if measurement is not None and 0 < measurement.gbs < PHYSICAL_BOUND_GBS:
            store_bandwidth(fingerprint, measurement)
    unknown = dict(machine.unknown)
    sources = dict(machine.sources)
    path = "memory.bandwidth_measured_gbs"
    if measurement is None or not 0 < measurement.gbs < PHYSICAL_BOUND_GBS:
        unknown[path] = (
            "numpy is not installed"
            if measurement is None
            else (f"the copy test gave an implausible {measurement.gbs} GB/s")
        )
        return dataclasses.replace(machine, unknown=unknown)
    sources[path] = measurement.source
    memory = dataclasses.replace(machine.memory, bandwidth_measured_gbs=measurement.gbs)
    return with_reasons(
        dataclasses.replace(machine, memory=memory, sources=sources, unknown=unknown), ""
    )
