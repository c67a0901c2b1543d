"""Sourced whole-machine power figures by class of machine: while generating on the CPU alone,
and while on but idle. Every figure is a wall reading from ../shared/data/power.csv (the
geerlingguy/ai-benchmarks README findings tables @ bdf9441, commit of 2025-12-18, and its
issues), with the machine it was read on and the date.

A class without a reading of its own gets none: an unknown idle draw is not counted (the cost
says so), and CPU-only generation falls back to the nearest class's figure, labelled as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from advisor.probe.machine import Machine

README = "github.com/geerlingguy/ai-benchmarks README.md findings tables @ bdf9441 (2025-12-18)"


@dataclass(frozen=True)
class Reading:
    """A power draw measured at the wall on a named machine, with its source."""

    watts: float
    machine: str  # the machine it was read on
    source: str  # where, with its date

    def words(self, what: str) -> str:
        where = f"measured on a {self.machine} ({self.source})"
        return f"{self.watts:.0f} W {what} at the wall, {where}"


# CPU-only generation, whole system at the wall (peak while generating).
CPU_LAPTOP = Reading(51.7, "Framework 13 laptop (Ryzen AI 5 340, 6 cores), llama3.1:8b",
                     "geerlingguy/ai-benchmarks issue #33, 2025-11-12")  # fmt: skip
CPU_MINI_PC = Reading(30.3, "GMKtec G3 Plus mini PC (Intel N150), DeepSeek R1 14b", README)
CPU_SBC = Reading(11.9, "Raspberry Pi 5 16GB, Llama 3.2 3b", README)
CPU_DESKTOP = Reading(140.0, "Framework Desktop (Ryzen AI Max+ 395, 16 cores) on the CPU alone, "
                      "DeepSeek R1 14b", README)  # fmt: skip
CPU_SERVER = Reading(477.0, "AmpereOne A192-32X 512 GB server, DeepSeek R1 671b", README)
# More physical cores than any desktop part has (Core i9-13900K/14900K: 24, Intel ARK; Ryzen 9
# 9950X: 16, AMD): a server or workstation board. Server CPU lines are servers at any count.
DESKTOP_MAX_CORES = 24
_SERVER_CPUS = re.compile(r"\b(?:xeon|epyc|ampere|altra|neoverse|grace|threadripper)\b", re.I)

# Idle with the model loaded (nothing generating), whole system at the wall.
IDLE_GPU_DESKTOP = Reading(47.7, "Core Ultra 265K desktop with an RTX 2080 Ti",
                           "geerlingguy/ai-benchmarks issue #46, 2025-12-18")  # fmt: skip
IDLE_APPLE_DESKTOP = Reading(6.0, "M4 Mac mini (32 GB, 10GbE and a 4K monitor attached)",
                             "geerlingguy/ai-benchmarks issue #2, 2024-11-20")  # fmt: skip
# A smart plug read 18-25 W: the middle of that range is counted, and the words give both.
IDLE_APPLE_LAPTOP = Reading(21.5, "MacBook Pro 16 M2 Max (38-core GPU, 32 GB), 18-25 W read "
                            "with a smart plug", "geerlingguy/ai-benchmarks issue #4, "
                            "2024-11-30")  # fmt: skip
_SBC_WORDS = ("raspberry", "rockchip", "rk3588", "bcm2712", "cortex-a")
_MINI_PC_CPUS = ("n100", "n150", "n200", "n97", "n95", "n305")


def cpu_reading(machine: Machine) -> tuple[Reading, str]:
    """(reading, class) for generation on the CPU alone."""
    # The CPU's name only: a machine's own name is not part of what a verdict may read.
    from advisor.probe.specs.upgrades import MOBILE_CPU  # the one reading of mobile CPU names

    name = (machine.cpu.name or "").lower()
    if any(w in name for w in _SBC_WORDS):
        return CPU_SBC, "a single-board computer"
    if any(w in name.split() or f"{w} " in name for w in _MINI_PC_CPUS):
        return CPU_MINI_PC, "a low-power mini PC"
    if MOBILE_CPU.search(name):
        return CPU_LAPTOP, "a laptop"
    if _SERVER_CPUS.search(name) or (machine.cpu.physical_cores or 0) > DESKTOP_MAX_CORES:
        return CPU_SERVER, "a server"
    return CPU_DESKTOP, "a desktop"


def _consumer_card(machine: Machine) -> bool:
    """A desktop graphics card (GeForce, Radeon RX, Arc), not a datacenter or laptop part."""
    names = [g.name.lower() for g in machine.gpus if not g.integrated]
    consumer = all(any(w in n for w in ("geforce", "radeon rx", "arc ")) for n in names)
    return consumer and not any("laptop" in n or "mobile" in n for n in names)


def idle_reading(machine: Machine, discrete_gpus: int) -> tuple[Reading | None, str]:
    """(reading or None, why) for the machine on and idle with the model loaded."""
    from advisor.probe.specs.upgrades import has_battery

    chips = " ".join([machine.cpu.name or "", *(g.name for g in machine.gpus)]).lower()
    battery = has_battery(machine)
    if "apple" in chips:
        if "ultra" in chips or battery is False:  # Ultra chips come only in desktops
            return IDLE_APPLE_DESKTOP, "an Apple desktop (the nearest reading is a Mac mini's)"
        if battery:
            return IDLE_APPLE_LAPTOP, "an Apple laptop (the probe found its battery)"
        return None, (
            "an Apple chip with no word on a battery: a MacBook idles at about "
            f"{IDLE_APPLE_LAPTOP.watts:g} W ({IDLE_APPLE_LAPTOP.machine}, "
            f"{IDLE_APPLE_LAPTOP.source}), a Mac mini at {IDLE_APPLE_DESKTOP.watts:g} W "
            f"({IDLE_APPLE_DESKTOP.source}); `advisor probe` on the machine tells them apart: "
            "idle draw not counted"
        )
    if discrete_gpus == 1 and _consumer_card(machine):
        return IDLE_GPU_DESKTOP, "a desktop with one discrete GPU"
    return None, (
        f"no sourced idle reading for {_idle_class(machine, discrete_gpus, chips)} (the power "
        "data has idle readings only for a Mac mini, a MacBook Pro and a desktop with one "
        "GeForce card): idle draw not counted, so the monthly cost leaves it out"
    )


def _idle_class(machine: Machine, discrete_gpus: int, chips: str) -> str:
    """The class of machine with no idle reading, in words."""
    if "gb10" in chips:
        return "a DGX Spark (GB10)"
    if machine.unified_memory or any(g.unified_memory for g in machine.gpus):
        return "a unified-memory mini PC or board"
    if discrete_gpus > 1:
        return f"a machine with {discrete_gpus} discrete GPUs"
    if discrete_gpus == 1:
        names = " ".join(g.name.lower() for g in machine.gpus if not g.integrated)
        if any(w in names for w in ("laptop", "mobile", "max-q")):
            return "a laptop with a discrete GPU"
        return "a machine with a datacenter or workstation GPU"
    return cpu_reading(machine)[1]
