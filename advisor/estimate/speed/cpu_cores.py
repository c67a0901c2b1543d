"""How many FP32 FLOPs one CPU core retires per cycle: the width of its FMA datapaths.

The SIMD flags say which instructions a core decodes, not how wide it executes them. AVX-512
on AMD's Zen 4 runs on the same two 256-bit FMA pipes as AVX2 (each 512-bit op issues twice),
so a Zen 4 core does 2 pipes × 8 lanes × 2 = 32 FP32 FLOPs a cycle, like any AVX2 core, where
a Zen 5 desktop or server core or an Intel Xeon with two AVX-512 FMA units does 64. Counting
64 for every AVX-512 flag made this project's Zen 4 EPYC twice as fast in prefill as it is.

Each rule names its source. The rules read the CPU's name first (the model number tells the
generation), then its flags; a CPU no rule knows keeps the width its widest flag allows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CoreWidth:
    """FP32 FLOPs a core retires per cycle (an FMA counts 2), and where that comes from."""

    flops_per_cycle: int
    source: str


_ZEN4 = CoreWidth(
    32,
    "Zen 4: two 256-bit FMA pipes, 512-bit ops issue twice (AMD, Software Optimization Guide "
    "for AMD Family 19h Processors, pub. 56665)",
)
_ZEN5 = CoreWidth(
    64,
    "Zen 5 desktop/server: two 512-bit FMA pipes (AMD, Software Optimization Guide for AMD "
    "Family 1Ah Processors, pub. 58455)",
)
_ZEN5_MOBILE = CoreWidth(
    32,
    "Zen 5 in Ryzen AI 300 (Strix Point, Krackan Point): 256-bit FP datapaths (AMD, Zen 5 "
    "Tech Day, July 2024)",
)
_ZEN1 = CoreWidth(
    16,
    "Zen/Zen+: 128-bit FP datapaths, AVX2 ops issue twice (AMD, Software Optimization Guide "
    "for AMD Family 17h Processors, pub. 55723)",
)
_XEON_TWO_FMA = CoreWidth(
    64, "Xeon with two AVX-512 FMA units (Intel ARK, '# of AVX-512 FMA Units: 2')"
)
_XEON_ONE_FMA = CoreWidth(
    32,
    "Xeon Bronze/Silver/Gold 5xxx of Skylake-SP and Cascade Lake: one AVX-512 FMA unit "
    "(Intel ARK, '# of AVX-512 FMA Units: 1')",
)
_INTEL_CLIENT_AVX512 = CoreWidth(
    32,
    "Intel client cores with AVX-512 (Ice Lake, Tiger Lake, Rocket Lake): one 512-bit FMA "
    "unit (Intel ARK, '# of AVX-512 FMA Units: 1')",
)
_GRACEMONT = CoreWidth(
    16,
    "Intel N-series (Gracemont E-cores): two 128-bit FMA pipes, AVX2 ops issue twice "
    "(Intel 64 and IA-32 Architectures Optimization Reference Manual, Gracemont)",
)
_AVX2 = CoreWidth(32, "AVX2 core: two 256-bit FMA pipes (Haswell and later, Zen 2 and later)")
_AVX512 = CoreWidth(64, "AVX-512 core not in the table: two 512-bit FMA units assumed")
_APPLE = CoreWidth(32, "Apple P-core: four 128-bit NEON FMA pipes")
_ARM = CoreWidth(16, "Arm core: two 128-bit NEON FMA pipes")
_NARROW = CoreWidth(8, "no FMA flag: one 128-bit multiply and one add a cycle")

# (pattern on the CPU's name, width, flag the rule needs or ""): the first match wins. The
# Zen 4 and Zen 5 rules need the AVX-512 flag: AMD's mobile model numbers reuse the 7000s for
# older cores (a Ryzen 5 7530U is Zen 3).
_BY_NAME: tuple[tuple[re.Pattern[str], CoreWidth, str], ...] = (
    # AMD model numbers: Ryzen 9000 desktop and EPYC 9xx5 / Threadripper 9000 are Zen 5;
    # Ryzen 7000/8000, EPYC 8xx4/9xx4 and Threadripper 7000 are Zen 4 (AMD product pages).
    (re.compile(r"\bRyzen AI (?:[3579] )?(?:HX )?3\d\d\b", re.I), _ZEN5_MOBILE, "avx512"),
    (re.compile(r"\bRyzen (?:[3579] )?9\d{3}", re.I), _ZEN5, "avx512"),
    (re.compile(r"\bEPYC 9\d\d5\b", re.I), _ZEN5, "avx512"),
    (re.compile(r"\bThreadripper (?:PRO )?9\d{3}", re.I), _ZEN5, "avx512"),
    (re.compile(r"\bRyzen (?:[3579] )?(?:PRO )?[78]\d{3}", re.I), _ZEN4, "avx512"),
    (re.compile(r"\bEPYC [89]\d\d4\b", re.I), _ZEN4, "avx512"),
    (re.compile(r"\bThreadripper (?:PRO )?7\d{3}", re.I), _ZEN4, "avx512"),
    (re.compile(r"\bRyzen (?:[3579] )?(?:PRO )?[12]\d{3}(?!\d)", re.I), _ZEN1, ""),
    (re.compile(r"\bEPYC 7\d\d1\b", re.I), _ZEN1, ""),
    # First and second generation Xeon Scalable (x1xx, x2xx): Bronze, Silver and Gold 5xxx
    # but 5122/5222 have one AVX-512 FMA unit; Ice Lake-SP (x3xx) and later have two.
    (
        re.compile(
            r"\bXeon(?:\(R\))? (?:Bronze 3[12]|Silver 4[12]|Gold 5(?!122|222)[12])\d\d\b", re.I
        ),
        _XEON_ONE_FMA,
        "",
    ),
    (re.compile(r"\bIntel(?:\(R\))? (?:Processor )?N\d{2,3}\b", re.I), _GRACEMONT, ""),
    (re.compile(r"\bCore(?:\(TM\))? i3-N\d{3}\b", re.I), _GRACEMONT, ""),
)


def core_width(
    name: str | None, flags: tuple[str, ...] | frozenset[str], architecture: str | None = None,
    os_name: str | None = None,
) -> CoreWidth:  # fmt: skip
    """FP32 FLOPs per cycle of one core of the CPU called `name` with these probe flags."""
    found = set(flags)
    text = name or ""
    for pattern, width, needs in _BY_NAME:
        if (not needs or needs in found) and pattern.search(text):
            return width
    if "avx512" in found:
        return _avx512_by_vendor(text, found)
    if "avx2" in found:
        return _AVX2
    if architecture in ("arm64", "aarch64") and os_name == "darwin":
        return _APPLE
    if found & {"neon", "sve", "avx"}:
        return _ARM if found & {"neon", "sve"} else CoreWidth(16, "AVX core: 256-bit, no FMA")
    return _NARROW


def _avx512_by_vendor(name: str, flags: set[str]) -> CoreWidth:
    """An AVX-512 CPU whose name gives no model number (a VM's "AMD EPYC")."""
    if re.search(r"\bAMD\b", name, re.I):
        # AVX-VNNI (the VEX form) came with Zen 5; Zen 4 has only the AVX-512 form.
        return _ZEN5 if "avx_vnni" in flags else _ZEN4
    if re.search(r"\bXeon\b", name, re.I):
        return _XEON_TWO_FMA
    if re.search(r"\bCore\b", name, re.I):
        return _INTEL_CLIENT_AVX512
    return _AVX512


def is_zen4(width: CoreWidth) -> bool:
    """Whether `core_width` placed the core in AMD's Zen 4 generation."""
    return width is _ZEN4
