"""The CPU: model, cores, architecture, the SIMD flags llama.cpp builds for, and clocks.

Linux reads /proc/cpuinfo (x86 `flags`, Arm `Features`), macOS reads sysctl, psutil counts
cores everywhere.
"""

from __future__ import annotations

import re
from collections import Counter

from advisor.probe.live.host import Host
from advisor.probe.live.result import Findings
from advisor.probe.machine import Cpu

# /proc/cpuinfo flag -> our SIMD_FLAGS name (x86 `flags`, Arm `Features`).
LINUX_FLAGS = {
    "avx": "avx",
    "avx2": "avx2",
    "fma": "fma",
    "f16c": "f16c",
    "avx512f": "avx512",
    "avx_vnni": "avx_vnni",
    "amx_int8": "amx",
    "asimd": "neon",
    "neon": "neon",
    "sve": "sve",
    "asimddp": "dotprod",
    "i8mm": "i8mm",
}
# sysctl name -> SIMD flag (Apple Silicon and Intel Macs).
MAC_FLAGS = {
    "hw.optional.neon": "neon",
    "hw.optional.arm.FEAT_DotProd": "dotprod",
    "hw.optional.arm.FEAT_I8MM": "i8mm",
    "hw.optional.avx1_0": "avx",
    "hw.optional.avx2_0": "avx2",
    "hw.optional.fma": "fma",
    "hw.optional.f16c": "f16c",
    "hw.optional.avx512f": "avx512",
}
MAC_CPU_SYSCTLS = (
    "machdep.cpu.brand_string",
    "hw.physicalcpu",
    "hw.logicalcpu",
    "hw.perflevel0.physicalcpu",
    "hw.perflevel1.physicalcpu",
    "hw.cpufrequency_max",
    *MAC_FLAGS,
)
# Arm CPU part numbers (implementer 0x41) as util-linux lscpu names them.
ARM_PARTS = {
    "0xd03": "Cortex-A53",
    "0xd05": "Cortex-A55",
    "0xd08": "Cortex-A72",
    "0xd0b": "Cortex-A76",
    "0xd0c": "Neoverse-N1",
    "0xd0d": "Cortex-A77",
    "0xd40": "Neoverse-V1",
    "0xd41": "Cortex-A78",
    "0xd42": "Cortex-A78AE",
    "0xd44": "Cortex-X1",
    "0xd46": "Cortex-A510",
    "0xd47": "Cortex-A710",
    "0xd48": "Cortex-X2",
    "0xd49": "Neoverse-N2",
    "0xd4f": "Neoverse-V2",
    "0xd80": "Cortex-A520",
    "0xd81": "Cortex-A720",
    "0xd82": "Cortex-X4",
    "0xd85": "Cortex-X925",
    "0xd87": "Cortex-A725",
}


def parse_cpuinfo(text: str) -> list[dict[str, str]]:
    """Blocks of `key : value` lines, one per logical CPU (plus trailing global lines on Arm)."""
    blocks: list[dict[str, str]] = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        block = {}
        for line in chunk.splitlines():
            key, sep, value = line.partition(":")
            if sep:
                block[key.strip()] = value.strip()
        if block:
            blocks.append(block)
    return blocks


def _arm_name(blocks: list[dict[str, str]]) -> str | None:
    parts = Counter(
        ARM_PARTS.get(b["CPU part"].lower(), f"Arm part {b['CPU part']}")
        for b in blocks
        if "CPU part" in b
    )
    if not parts:
        return None
    return " + ".join(f"{n}x {name}" for name, n in parts.most_common())


def _mhz_from_khz(text: str | None) -> float | None:
    try:
        return int(text.strip()) / 1000 if text else None
    except ValueError:
        return None


def _linux(
    host: Host, found: Findings
) -> tuple[str | None, tuple[str, ...], float | None, float | None]:
    text, reason = host.file("/proc/cpuinfo")
    blocks = parse_cpuinfo(text or "")
    first = blocks[0] if blocks else {}
    name = first.get("model name") or _arm_name(blocks)
    found.got("cpu.name", name, "/proc/cpuinfo", reason or "/proc/cpuinfo names no model")
    raw_flags = set((first.get("flags") or first.get("Features") or "").split())
    simd = tuple(sorted({LINUX_FLAGS[f] for f in raw_flags if f in LINUX_FLAGS}))
    if raw_flags:
        found.sources["cpu.simd_flags"] = "/proc/cpuinfo"
    else:
        found.unknown["cpu.simd_flags"] = reason or "/proc/cpuinfo lists no CPU flags"
    cpufreq = "/sys/devices/system/cpu/cpu0/cpufreq/"
    base_text, base_reason = host.file(cpufreq + "base_frequency")
    base = _mhz_from_khz(base_text)
    if base is None and name and (m := re.search(r"@\s*([\d.]+)\s*GHz", name)):
        base = float(m.group(1)) * 1000
        found.sources["cpu.base_clock_mhz"] = "/proc/cpuinfo model name"
    elif base is not None:
        found.sources["cpu.base_clock_mhz"] = "sysfs cpufreq/base_frequency"
    max_text, _ = host.file(cpufreq + "cpuinfo_max_freq")
    max_mhz = found.got(
        "cpu.max_clock_mhz", _mhz_from_khz(max_text), "sysfs cpufreq/cpuinfo_max_freq"
    )
    found.got("cpu.base_clock_mhz", base, "", base_reason)
    return name, simd, base, max_mhz


def _mac(
    host: Host, found: Findings
) -> tuple[str | None, tuple[str, ...], float | None, float | None]:
    values = host.sysctl(MAC_CPU_SYSCTLS)
    name = found.got(
        "cpu.name",
        values.get("machdep.cpu.brand_string"),
        "sysctl machdep.cpu.brand_string",
        "sysctl gave no machdep.cpu.brand_string",
    )
    simd = tuple(sorted({flag for key, flag in MAC_FLAGS.items() if values.get(key) == "1"}))
    found.sources["cpu.simd_flags"] = "sysctl hw.optional.*"
    max_hz = values.get("hw.cpufrequency_max")
    max_mhz = int(max_hz) / 1e6 if max_hz and max_hz.isdigit() else None
    found.got(
        "cpu.max_clock_mhz",
        max_mhz,
        "sysctl hw.cpufrequency_max",
        "Apple Silicon does not publish its clocks through sysctl",
    )
    p_cores, e_cores = (
        values.get("hw.perflevel0.physicalcpu"),
        values.get("hw.perflevel1.physicalcpu"),
    )
    if p_cores and e_cores:
        found.notes.append(f"CPU has {p_cores} performance and {e_cores} efficiency cores")
    found.unknown["cpu.base_clock_mhz"] = "macOS does not report a base clock"
    return name, simd, None, max_mhz


def probe_cpu(host: Host, plat: dict[str, str], found: Findings) -> Cpu:
    system = plat.get("system")
    if system == "Linux":
        name, simd, base, max_mhz = _linux(host, found)
    elif system == "Darwin":
        name, simd, base, max_mhz = _mac(host, found)
    else:
        name, simd, base, max_mhz = None, (), None, None
        why = f"the CPU model and flags are read from /proc/cpuinfo or sysctl, not on {system}"
        for path in ("cpu.name", "cpu.simd_flags", "cpu.base_clock_mhz"):
            found.unknown[path] = why
    physical, why_p = host.psutil("cpu_count", "physical")
    logical, why_l = host.psutil("cpu_count", "logical")
    freq, _ = host.psutil("cpu_freq")
    if max_mhz is None and freq and freq.get("max"):
        max_mhz = found.got("cpu.max_clock_mhz", float(freq["max"]), "psutil cpu_freq")
    arch = plat.get("machine") or None
    return Cpu(
        name=name,
        architecture=found.got(
            "cpu.architecture", arch, "platform.machine", "platform reports no architecture"
        ),
        physical_cores=found.got("cpu.physical_cores", physical, "psutil cpu_count", why_p),
        logical_cores=found.got("cpu.logical_cores", logical, "psutil cpu_count", why_l),
        simd_flags=simd,
        base_clock_mhz=base,
        max_clock_mhz=max_mhz,
    )
