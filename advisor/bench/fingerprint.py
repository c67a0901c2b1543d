"""The machine a measurement belongs to: the probe's fingerprint, and the probed machine itself.

Interim: until advisor.probe exports machine_fingerprint and probe_machine, this module
derives a fingerprint from the Machine's stable facts and builds a bare Machine from psutil.
Both shims go once the probe lands.
"""

from __future__ import annotations

import hashlib
import json
import platform

import psutil

from advisor.probe.machine import Cpu, Machine, SystemMemory

_GIB = 1024**3


def fingerprint_of(machine: Machine) -> str:
    """The probe's machine_fingerprint(machine), or the interim one."""
    try:
        from advisor.probe import machine_fingerprint
    except ImportError:
        return _interim_fingerprint(machine)
    return machine_fingerprint(machine)


def _interim_fingerprint(machine: Machine) -> str:
    ram = machine.memory.ram_total_bytes
    facts = {
        "cpu": machine.cpu.name,
        "cores": [machine.cpu.physical_cores, machine.cpu.logical_cores],
        "ram_gib": round(ram / _GIB) if ram else None,
        "gpus": [
            [g.name, round(g.vram_total_bytes / _GIB) if g.vram_total_bytes else None]
            for g in machine.gpus
        ],
        "backend": machine.backend,
        "os": machine.os,
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:16]


def this_machine() -> Machine:
    """The machine the test runs on: the probe's, or a bare one from psutil."""
    try:
        from advisor.probe import probe_machine
    except ImportError:
        return _interim_machine()
    return probe_machine()


def _interim_machine() -> Machine:
    memory = psutil.virtual_memory()
    cpu = Cpu(
        name=_cpu_name(),
        architecture=platform.machine() or None,
        physical_cores=psutil.cpu_count(logical=False),
        logical_cores=psutil.cpu_count(),
    )
    return Machine(
        name=platform.node() or "this machine",
        origin="probe",
        os=platform.system().lower() or None,
        cpu=cpu,
        memory=SystemMemory(memory.total, memory.available),
    )


def _cpu_name() -> str | None:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass  # not Linux: platform.processor() below
    return platform.processor() or None
