"""The clock a CPU core runs llama.cpp at, when the machine does not report one.

A virtual machine usually has no cpufreq driver and names no model number: this project's VM
says "AMD EPYC" (family 25 model 17, a Zen 4 Genoa part) and its "cpu MHz" line (2596) is the
TSC's rate, the host's nominal clock, not the clock under load. A boosting server core runs a
single busy thread well above its nominal clock, so the clock is taken from the maker's product
table instead:

* a name with a model number in the table: that SKU's max boost clock (spec);
* a name without one, on a core the name and flags place in a family with a table (an "AMD
  EPYC" with AVX-512 and without the VEX AVX-VNNI Zen 5 added: Zen 4, the EPYC 9004 series):
  the median max boost over the family's SKUs (estimated), quoted with the family's range, from
  its lowest base clock (the clock AMD guarantees under any load) to its highest max boost.

Every other CPU keeps the clock its probe reports (sysfs, psutil, sysctl or the name's "@ 2.40GHz"),
or the assumed 3.0 GHz when it reports none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from advisor.estimate.speed.cpu_cores import core_width, is_zen4
from advisor.estimate.speed.figures import FigureStatus

ASSUMED_CPU_GHZ = 3.0

# AMD EPYC 9004 Series (Genoa, Genoa-X, Bergamo: every Zen 4 / Zen 4c server part of the
# series), (base, max boost) GHz, from AMD's product pages (amd.com/en/products/processors/
# server/epyc/4th-generation-9004-and-8004-series.html, the "Base Clock" and "Max. Boost
# Clock" columns), entered 2026-12-07 from AMD's published figures; this offline environment
# could not re-fetch the page, so check a changed SKU there before trusting it.
EPYC_9004_SOURCE = "AMD EPYC 9004 Series product table (amd.com: base and max boost clocks)"
EPYC_9004_GHZ: dict[str, tuple[float, float]] = {
    "9124": (3.0, 3.7), "9174F": (4.1, 4.4), "9224": (2.5, 3.7), "9254": (2.9, 4.15),
    "9274F": (4.05, 4.3), "9334": (2.7, 3.9), "9354": (3.25, 3.8), "9354P": (3.25, 3.8),
    "9374F": (3.85, 4.3), "9454": (2.75, 3.8), "9454P": (2.75, 3.8), "9474F": (3.6, 4.1),
    "9534": (2.45, 3.7), "9554": (3.1, 3.75), "9554P": (3.1, 3.75), "9634": (2.25, 3.7),
    "9654": (2.4, 3.7), "9654P": (2.4, 3.7),
    "9184X": (3.55, 4.2), "9384X": (3.1, 3.9), "9684X": (2.55, 3.7),  # Genoa-X
    "9734": (2.2, 3.0), "9754": (2.25, 3.1), "9754S": (2.25, 3.1),  # Bergamo (Zen 4c)
}  # fmt: skip
_EPYC_SKU = re.compile(r"\bEPYC (9\d\d4[A-Z]?)\b", re.I)


@dataclass(frozen=True)
class CoreClock:
    """The clock a core is taken to run at, its range (MHz) and how it is known."""

    mhz: float
    low_mhz: float
    high_mhz: float
    status: FigureStatus
    source: str
    from_table: bool = False  # taken from a product table, not reported by the machine

    @property
    def spread(self) -> tuple[float, float]:
        """(low, high) as ratios of the clock taken: how far a rate resting on it may move."""
        return self.low_mhz / self.mhz, self.high_mhz / self.mhz


def _median(values: tuple[float, ...]) -> float:
    """The median (statistics.median, whose import with decimal and fractions every run would
    pay at start-up)."""
    ordered = sorted(values)
    half = len(ordered) // 2
    return ordered[half] if len(ordered) % 2 else (ordered[half - 1] + ordered[half]) / 2


def _family(name: str, table: dict[str, tuple[float, float]], label: str) -> CoreClock:
    bases, boosts = zip(*table.values(), strict=True)
    mhz = _median(boosts) * 1000
    return CoreClock(
        mhz, min(bases) * 1000, max(boosts) * 1000, "estimated",
        f"{name!r} names no model: median max boost of the {len(table)} {label} SKUs, range "
        f"lowest base to highest boost ({EPYC_9004_SOURCE})", from_table=True,
    )  # fmt: skip


def core_clock(
    name: str | None, flags: tuple[str, ...] | frozenset[str], base_mhz: float | None,
    max_mhz: float | None, architecture: str | None = None, os_name: str | None = None,
) -> CoreClock:  # fmt: skip
    """The clock one core runs a llama.cpp thread at: the reported maximum, else the product
    table's (the SKU's max boost, or the family's median when the name gives no model), else
    the reported base, else ASSUMED_CPU_GHZ."""
    if max_mhz:
        return CoreClock(max_mhz, max_mhz, max_mhz, "estimated", "reported max clock")
    text = name or ""
    sku = _EPYC_SKU.search(text)
    if sku and sku.group(1).upper() in EPYC_9004_GHZ:
        base, boost = EPYC_9004_GHZ[sku.group(1).upper()]
        return CoreClock(
            boost * 1000, boost * 1000, boost * 1000, "spec",
            f"EPYC {sku.group(1).upper()} max boost {boost} GHz ({EPYC_9004_SOURCE})",
            from_table=True,
        )  # fmt: skip
    if base_mhz:
        return CoreClock(base_mhz, base_mhz, base_mhz, "estimated", "reported base clock")
    width = core_width(name, flags, architecture, os_name)
    if re.search(r"\bEPYC\b", text, re.I) and not sku and is_zen4(width):
        return _family(text, EPYC_9004_GHZ, "EPYC 9004 (Zen 4)")
    mhz = ASSUMED_CPU_GHZ * 1000
    return CoreClock(mhz, mhz, mhz, "assumed", "clock not reported")
