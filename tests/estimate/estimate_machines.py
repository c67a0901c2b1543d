"""Machines for the estimator's tests, built directly (sizes in GiB, bandwidths from specs).

Profiles under profiles/ cover real machines; these let a test set exactly the memory a
placement rule needs (a 6 GiB GPU, two unequal GPUs, a small working-set limit).
"""

from __future__ import annotations

from advisor.probe.machine import Cpu, Gpu, Machine, SystemMemory
from advisor.units import GIB

CPU = Cpu("Test CPU 16-core", "x86_64", 16, 32, ("avx2", "fma", "f16c"))


def _ram(ram_gb: float, free_gb: float | None) -> SystemMemory:
    free = None if free_gb is None else int(free_gb * GIB)
    return SystemMemory(int(ram_gb * GIB), free, bandwidth_theoretical_gbs=83.0)


def cpu_machine(ram_gb: float = 64, free_gb: float | None = None) -> Machine:
    return Machine("cpu box", "test", "linux", CPU, _ram(ram_gb, free_gb), (), "cpu")


def gpu_machine(
    *vram_gb: float,
    ram_gb: float = 64,
    free_vram_gb: tuple[float, ...] | None = None,
    free_ram_gb: float | None = None,
    backend: str = "cuda",
) -> Machine:
    gpus = tuple(
        Gpu(index=i, name=f"NVIDIA Test GPU {gb:g} GB", vendor="nvidia",
            vram_total_bytes=int(gb * GIB),
            vram_free_bytes=None if free_vram_gb is None else int(free_vram_gb[i] * GIB),
            memory_bandwidth_gbs=936.0, fp16_tflops=71.0)
        for i, gb in enumerate(vram_gb)
    )  # fmt: skip
    return Machine("gpu box", "test", "linux", CPU, _ram(ram_gb, free_ram_gb), gpus, backend)


def unified_machine(ram_gb: float, working_set_gb: float | None) -> Machine:
    gpu = Gpu(index=0, name="Apple Test GPU", vendor="apple", vram_total_bytes=None,
              vram_free_bytes=None, memory_bandwidth_gbs=400.0, fp16_tflops=28.0,
              unified_memory=True, integrated=True)  # fmt: skip
    ws = None if working_set_gb is None else int(working_set_gb * GIB)
    return Machine("mac", "test", "darwin", CPU, _ram(ram_gb, None), (gpu,), "metal",
                   unified_memory=True, gpu_working_set_bytes=ws)  # fmt: skip
