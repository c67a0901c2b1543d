"""Hardware facts the speed model needs beyond the spec table: Apple GPU throughput, dies.

Both the calibration rows (speed_rows) and the live estimate (speed_devices) read these, so a
device is described the same way when the constants are fitted and when they are used.
"""

from __future__ import annotations

import re

# FP32 TFLOPS per Apple GPU core, by generation: 128 ALUs a core, 2 FLOPs a cycle, at the
# generation's GPU clock. Apple published the totals for M1 and M2 only:
# M1 Max, 32 cores: 10.4 TFLOPS (Apple event, 2021-10-18) -> 0.325 a core;
# M2, 10 cores: 3.6 TFLOPS (Apple newsroom, 2022-06-06) -> 0.36 a core.
APPLE_TFLOPS_PER_GPU_CORE: dict[str, float] = {"M1": 10.4 / 32, "M2": 3.6 / 10}
# M3 and later: Apple gives no TFLOPS figure, so the latest published one (M2) stands in.
APPLE_TFLOPS_PER_GPU_CORE_UNPUBLISHED = 3.6 / 10

_APPLE_CHIP = re.compile(r"\bApple (M\d+)(?: (Pro|Max|Ultra))?\b", re.IGNORECASE)


def apple_generation(name: str) -> str | None:
    """'Apple M3 Max (40-core GPU)' -> 'M3'; None for anything that is not an Apple M chip."""
    match = _APPLE_CHIP.search(name)
    return match.group(1).upper() if match else None


def apple_gpu_tflops(name: str, gpu_cores: int) -> tuple[float, str]:
    """FP32 TFLOPS of an Apple GPU from its core count, and where the per-core figure comes from."""
    generation = apple_generation(name)
    per_core = APPLE_TFLOPS_PER_GPU_CORE.get(generation or "")
    if per_core is not None:
        return gpu_cores * per_core, f"GPU cores × {per_core:.3f} ({generation}: Apple's TFLOPS)"
    per_core = APPLE_TFLOPS_PER_GPU_CORE_UNPUBLISHED
    return gpu_cores * per_core, f"GPU cores × {per_core:.3f} (M2's published figure)"


def memory_dies(name: str) -> int:
    """How many dies (each with its own memory controllers) the GPU reads its weights across.

    Apple's Ultra chips are two Max dies joined by UltraFusion (Apple newsroom: M1 Ultra
    2022-03-08, M2 Ultra 2023-06-05, M3 Ultra 2025-03-05). The spec bandwidth (800 GB/s) is
    the sum of both dies' controllers; a GPU core reading memory on the other die crosses the
    bridge, and llama.cpp's decode reaches a smaller share of the sum than on one die. Every
    other GPU or SoC in the spec table is one memory die.
    """
    match = _APPLE_CHIP.search(name)
    return 2 if match and (match.group(2) or "").lower() == "ultra" else 1
