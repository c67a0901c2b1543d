"""resolve_machine: the Machine every command uses (a profile or this computer) with overrides."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.errors import UsageError
from advisor.probe.machine import Machine
from advisor.probe.unknowns import with_reasons
from advisor.units import GIB

if TYPE_CHECKING:
    from advisor.probe.bandwidth.fill import Meanwhile
    from advisor.probe.live.early import EarlyProbe


def _gib(value: float, flag: str) -> int:
    if not math.isfinite(value) or value <= 0:
        raise UsageError(f"{flag} must be a positive number of GB, not {value:g}")
    return int(round(value * GIB))


def _keep_used(total: int, old_total: int | None, old_free: int | None) -> int | None:
    """Free memory after pretending the size is `total`: what was in use stays in use."""
    if old_total is None or old_free is None:
        return None
    return max(0, total - (old_total - old_free))


def apply_overrides(machine: Machine, *, ram_gb: float | None, vram_gb: float | None) -> Machine:
    """`machine` with RAM and/or each GPU's memory set to the given GiB (sources: override)."""
    sources, notes = dict(machine.sources), list(machine.notes)
    if ram_gb is not None:
        total = _gib(ram_gb, "--ram")
        mem = machine.memory
        memory = dataclasses.replace(
            mem,
            ram_total_bytes=total,
            ram_available_bytes=_keep_used(total, mem.ram_total_bytes, mem.ram_available_bytes),
        )
        sources["memory.ram_total_bytes"] = sources["memory.ram_available_bytes"] = "override"
        notes.append(f"RAM overridden to {ram_gb:g} GB (--ram)")
        machine = dataclasses.replace(machine, memory=memory)
    if vram_gb is not None:
        if not machine.gpus:
            raise UsageError(
                "--vram was given but this machine has no GPU to resize",
                hint="pick a profile with a GPU (--profile rtx-4090-desktop), or drop --vram",
            )
        size = _gib(vram_gb, "--vram")
        gpus = tuple(
            dataclasses.replace(
                g,
                vram_total_bytes=size,
                vram_free_bytes=_keep_used(size, g.vram_total_bytes, g.vram_free_bytes),
            )
            for g in machine.gpus
        )
        for i in range(len(gpus)):
            sources[f"gpus[{i}].vram_total_bytes"] = sources[f"gpus[{i}].vram_free_bytes"] = (
                "override"
            )
        working_set = machine.gpu_working_set_bytes
        if machine.unified_memory:
            working_set = size
            sources["gpu_working_set_bytes"] = "override"
        notes.append(f"each GPU's memory overridden to {vram_gb:g} GB (--vram)")
        machine = dataclasses.replace(machine, gpus=gpus, gpu_working_set_bytes=working_set)
    machine = dataclasses.replace(machine, sources=sources, notes=tuple(notes))
    return with_reasons(machine, "unknown")


def resolve_machine(
    *,
    profile: str | Path | None = None,
    profiles_dir: str | Path | None = None,
    ram_gb: float | None = None,
    vram_gb: float | None = None,
    measure_bandwidth: bool = True,
) -> Machine:
    """The machine a command should reason about: the profile if one is named, else this
    computer probed; then --ram/--vram applied."""
    if profile is not None:
        from advisor.probe.profiles.load import load_profile

        machine = load_profile(profile, profiles_dir)
    else:
        from advisor.probe.live.probe import probe_machine

        machine = probe_machine(measure_bandwidth=measure_bandwidth)
    if ram_gb is None and vram_gb is None:
        return machine
    return apply_overrides(machine, ram_gb=ram_gb, vram_gb=vram_gb)


def resolve_machine_soon(
    *,
    profile: str | Path | None = None,
    profiles_dir: str | Path | None = None,
    ram_gb: float | None = None,
    vram_gb: float | None = None,
    early: EarlyProbe | None = None,
) -> Callable[..., Machine]:
    """What resolve_machine gives, as a function to call when the machine is needed: this
    computer is probed now (a bad profile or override fails now), and a memory copy test it
    needs starts beside the caller's next work (measure.fill_memory_bandwidth_soon).
    `early`: this computer is being probed already (advisor.probe.live.early); its machine is
    taken when the function is called (an override this machine cannot take, --vram without a
    GPU, fails then), and it is stopped if a profile is used instead.

    The function takes `meanwhile`: work of the caller's own that does not need the machine's
    copy-test figure, done while a child prepares that test (fill_memory_bandwidth_soon), and
    handed `ready` and the machine (overrides applied, no figure yet); not called when no test
    is pending."""
    if profile is not None:
        if early is not None:
            early.cancel()
        machine = resolve_machine(profile=profile, profiles_dir=profiles_dir, ram_gb=ram_gb,
                                  vram_gb=vram_gb)  # fmt: skip
        return lambda meanwhile=None: machine
    from advisor.probe.bandwidth.fill import fill_memory_bandwidth_soon

    if early is not None:
        for value, flag in ((ram_gb, "--ram"), (vram_gb, "--vram")):
            if value is not None:
                _gib(value, flag)  # a bad value fails now, as below

        def taken(meanwhile: Meanwhile | None = None) -> Machine:
            probed = early.machine()
            if probed is None:  # the child sent none: probed here, as without it
                from advisor.probe.live.probe import probe_machine

                probed = probe_machine(measure_bandwidth=False)
            if ram_gb is not None or vram_gb is not None:
                apply_overrides(probed, ram_gb=ram_gb, vram_gb=vram_gb)
            pending = fill_memory_bandwidth_soon(probed, prepared=early.copy_test)
            early.cancel()  # a test the child prepared that this run does not take
            if ram_gb is None and vram_gb is None:
                return pending(meanwhile)
            work = _overridden(meanwhile, ram_gb, vram_gb)
            return apply_overrides(pending(work), ram_gb=ram_gb, vram_gb=vram_gb)

        return taken
    from advisor.probe.live.probe import probe_machine

    probed = probe_machine(measure_bandwidth=False)
    if ram_gb is not None or vram_gb is not None:  # fail now on a bad value, as resolve does
        apply_overrides(probed, ram_gb=ram_gb, vram_gb=vram_gb)
    pending = fill_memory_bandwidth_soon(probed)
    if ram_gb is None and vram_gb is None:
        return pending
    return lambda meanwhile=None: apply_overrides(
        pending(_overridden(meanwhile, ram_gb, vram_gb)), ram_gb=ram_gb, vram_gb=vram_gb
    )


def _overridden(meanwhile: Meanwhile | None, ram_gb: float | None,
                vram_gb: float | None) -> Meanwhile | None:  # fmt: skip
    """`meanwhile`, handed the machine with the --ram/--vram overrides the run will use."""
    if meanwhile is None:
        return None
    work = meanwhile

    def overridden(ready: Callable[[], bool], machine: Machine) -> None:
        work(ready, apply_overrides(machine, ram_gb=ram_gb, vram_gb=vram_gb))

    return overridden
