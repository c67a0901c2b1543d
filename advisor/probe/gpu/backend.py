"""Which llama.cpp backend this hardware calls for, and why, in words."""

from __future__ import annotations

from advisor.probe.live.host import Host
from advisor.probe.machine import Gpu


def choose_backend(host: Host, plat: dict[str, str], gpus: list[Gpu]) -> tuple[str, str]:
    system, arch = plat.get("system"), (plat.get("machine") or "").lower()
    if system == "Darwin" and arch in ("arm64", "aarch64"):
        return "metal", "Apple Silicon: llama.cpp uses Metal"
    vendors = {g.vendor for g in gpus}
    if "nvidia" in vendors:
        return "cuda", "an NVIDIA GPU with a working driver: llama.cpp uses CUDA"
    amd = [g for g in gpus if g.vendor == "amd"]
    if amd:
        rocm, _ = host.listdir("/opt/rocm")
        if rocm is not None:
            return (
                "rocm",
                f"{amd[0].name} and ROCm (/opt/rocm) are present: llama.cpp uses HIP/ROCm",
            )
        return (
            "vulkan",
            f"{amd[0].name} without ROCm (/opt/rocm absent): llama.cpp's Vulkan backend runs on it",
        )
    arc = [g for g in gpus if g.vendor == "intel" and not g.integrated]
    if arc:
        oneapi, _ = host.listdir("/opt/intel/oneapi")
        if oneapi is not None:
            return "sycl", f"{arc[0].name} and oneAPI (/opt/intel/oneapi): llama.cpp uses SYCL"
        return "vulkan", f"{arc[0].name} without oneAPI: llama.cpp's Vulkan backend runs on it"
    if any(g.vendor == "intel" for g in gpus):
        return (
            "cpu",
            "only an Intel iGPU, which shares the CPU's memory bandwidth: "
            "llama.cpp's CPU backend decodes as fast",
        )
    return "cpu", "no GPU llama.cpp can offload to was found"
