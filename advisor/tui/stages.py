"""The slow work behind the app, as plain functions its thread workers call: no Textual here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisor.probe.machine import Machine

if TYPE_CHECKING:
    from advisor.tui.app import Setup

THIS_COMPUTER = ""  # the profile choice that probes the live machine


@dataclass(frozen=True)
class ProfileChoice:
    """One machine the user may switch to: a profile name (or THIS_COMPUTER) and its title."""

    key: str
    title: str
    summary: str = ""


def first_machine(setup: Setup) -> Machine:
    """The machine to paint first: a profile, or this computer without the bandwidth test."""
    from advisor.probe import resolve_machine

    return resolve_machine(
        profile=setup.profile,
        profiles_dir=setup.profiles_dir,
        ram_gb=setup.ram_gb,
        vram_gb=setup.vram_gb,
        measure_bandwidth=False,
    )


def needs_bandwidth(setup: Setup, machine: Machine) -> bool:
    """A live probe still owes the RAM copy test; a profile states its figures."""
    return (
        setup.measure_bandwidth
        and machine.origin == "probe"
        and machine.memory.bandwidth_measured_gbs is None
    )


def with_bandwidth(machine: Machine) -> Machine:
    """The machine with its RAM bandwidth measured (cached per machine by the probe)."""
    from advisor.probe import fill_memory_bandwidth

    return fill_memory_bandwidth(machine)


def machine_summary(machine: Machine) -> str:
    """One line for the profile list: backend, GPU memory and RAM."""
    from advisor.tui.format import gib

    parts = [machine.backend]
    gpus = [g for g in machine.gpus if not g.unified_memory]
    if gpus:
        vram = machine.total_vram_bytes
        label = f"{len(gpus)}× GPU" if len(gpus) > 1 else gpus[0].name
        parts.append(f"{label}, {gib(vram, 0)} VRAM")
    elif machine.gpus:
        parts.append(f"{machine.gpus[0].name}, unified memory")
    parts.append(f"{gib(machine.memory.ram_total_bytes, 0)} RAM")
    return " · ".join(parts)


def profile_choices(profiles_dir) -> list[ProfileChoice]:
    """This computer first, then every profile with its title and a one-line summary."""
    from advisor.probe import list_profiles, load_profile

    choices = [ProfileChoice(THIS_COMPUTER, "This computer", "probe the live machine")]
    for name in list_profiles(profiles_dir):
        machine = load_profile(name, profiles_dir)
        choices.append(ProfileChoice(name, machine.name, machine_summary(machine)))
    return choices
