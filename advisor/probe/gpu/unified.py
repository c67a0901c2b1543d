"""How much of system RAM a unified-memory GPU may use, when nothing more exact is readable.

Apple: macOS caps the Metal working set (`recommendedMaxWorkingSetSize`) at about 2/3 of RAM on
machines with 36 GB or less and about 3/4 above, unless `iogpu.wired_limit_mb` is set. Source:
the `recommendedMaxWorkingSetSize` line llama.cpp's Metal backend logs at start-up, as users
paste it in llama.cpp issues (10922.67 MB on 16 GB Macs = 2/3; 49152 MB on 64 GB = 3/4); the
`iogpu.wired_limit_mb` sysctl that raises it is the one whichllm reads (research/anchors.md).

Intel iGPUs on Linux: Mesa's ANV driver exposes a heap of 3/4 of RAM above 4 GiB of RAM, 1/2 at
or below (src/intel/vulkan/anv_physical_device.c, anv_compute_sys_heap_size).

NVIDIA GB10/Jetson: the GPU shares all of RAM; NVML reports no separate memory, and nvitop falls
back to host RAM, as we do.
"""

from __future__ import annotations

from advisor.units import GIB

APPLE_RULE = "rule: Metal working set = 2/3 of RAM up to 36 GiB, 3/4 above (macOS default)"
ANV_RULE = "rule: Mesa ANV heap = 3/4 of RAM above 4 GiB, 1/2 at or below"
HOST_RAM_RULE = "rule: unified memory: the GPU shares all of host RAM (as nvitop)"


def apple_default_working_set_bytes(ram_bytes: int) -> int:
    if ram_bytes <= 36 * GIB:
        return ram_bytes * 2 // 3
    return ram_bytes * 3 // 4


def intel_igpu_heap_bytes(ram_bytes: int) -> int:
    if ram_bytes <= 4 * GIB:
        return ram_bytes // 2
    return ram_bytes * 3 // 4
