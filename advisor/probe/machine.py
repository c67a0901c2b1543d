"""The Machine: what the probe (or a profile) says this computer has.

A figure the probe could not read is `None`, and `Machine.unknown` says why. It is never 0.
`Machine.sources` says which probe path produced each figure (`nvml`, `sysfs`, `sysctl`,
`psutil`, `measured`, `spec-table`, `profile`, `override`), keyed by a dotted field path such
as `gpus[0].memory_bandwidth_gbs` or `memory.bandwidth_measured_gbs`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from advisor.frozen import FrozenMap, cached_hash, frozen_map

Backend = Literal["cuda", "metal", "rocm", "vulkan", "sycl", "cpu"]
BACKENDS: tuple[str, ...] = ("cuda", "metal", "rocm", "vulkan", "sycl", "cpu")
GpuVendor = Literal["nvidia", "amd", "intel", "apple", "other"]
SIMD_FLAGS: tuple[str, ...] = (
    "avx",
    "avx2",
    "fma",
    "f16c",
    "avx512",
    "avx_vnni",
    "amx",
    "neon",
    "sve",
    "dotprod",
    "i8mm",
)


@dataclass(frozen=True)
class Cpu:
    name: str | None
    architecture: str | None  # "x86_64", "arm64", ...
    physical_cores: int | None
    logical_cores: int | None
    simd_flags: tuple[str, ...] = ()  # the subset of SIMD_FLAGS this CPU has
    base_clock_mhz: float | None = None
    max_clock_mhz: float | None = None


@dataclass(frozen=True)
class SystemMemory:
    ram_total_bytes: int | None
    ram_available_bytes: int | None
    swap_total_bytes: int | None = None
    swap_free_bytes: int | None = None
    bandwidth_measured_gbs: float | None = None  # from the copy test (GB/s, 1e9)
    # The UTC date (YYYY-MM-DD) of the copy test behind bandwidth_measured_gbs, when known
    bandwidth_measured_on: str | None = None
    bandwidth_theoretical_gbs: float | None = None  # from a spec table or DIMM data

    @property
    def bandwidth_gbs(self) -> float | None:
        """The figure decode speed on the CPU should use: measured if we have it."""
        if self.bandwidth_measured_gbs is not None:
            return self.bandwidth_measured_gbs
        return self.bandwidth_theoretical_gbs


@dataclass(frozen=True)
class Gpu:
    index: int
    name: str
    vendor: GpuVendor
    vram_total_bytes: int | None
    vram_free_bytes: int | None
    memory_bandwidth_gbs: float | None  # best known figure (driver-derived or spec table)
    fp16_tflops: float | None
    unified_memory: bool = False  # shares system RAM (Apple, Strix Halo, GB10, Jetson, iGPUs)
    integrated: bool = False
    bus_width_bits: int | None = None
    max_memory_clock_mhz: float | None = None
    compute_capability: str | None = None  # NVIDIA "8.9"; AMD gfx target "gfx1151"
    core_count: int | None = None  # Apple GPU cores, NVIDIA SMs, AMD CUs where known
    power_limit_w: float | None = None
    power_draw_w: float | None = None
    driver_version: str | None = None
    cuda_version: str | None = None
    pci_id: str | None = None  # "10de:2684"
    pci_bus_id: str | None = None
    uuid: str | None = None  # identifying: removed by --anonymize
    serial: str | None = None  # identifying: removed by --anonymize
    tdp_w: float | None = None  # board power by design (NVML default limit, spec table, profile)


@cached_hash
@dataclass(frozen=True)
class Machine:
    name: str  # hostname for a probe, the profile's `name` otherwise
    origin: str  # "probe" or "profile:<name or path>"
    os: str | None  # "linux", "darwin", "windows"
    cpu: Cpu
    memory: SystemMemory
    gpus: tuple[Gpu, ...] = ()
    backend: Backend = "cpu"  # the backend llama.cpp would use here
    unified_memory: bool = False
    # On unified-memory machines: how much of RAM the GPU may hold (Metal working-set limit,
    # AMD GTT size, ...). None on discrete-GPU machines.
    gpu_working_set_bytes: int | None = None
    disk_free_bytes: int | None = None  # where models are stored
    on_battery: bool | None = None
    hostname: str | None = None  # identifying: removed by --anonymize
    host_id: str | None = None  # the OS's installation id (/etc/machine-id): likewise
    virtualization: str | None = None  # "container", "wsl", "vm" or None
    unknown: Mapping[str, str] = field(default_factory=FrozenMap)  # field path -> why unknown
    sources: Mapping[str, str] = field(default_factory=FrozenMap)  # field path -> probe path
    backend_reason: str | None = None  # why `backend` was chosen, in words
    notes: tuple[str, ...] = ()  # what the probe noticed that a user should know
    # Whole-system power while generating, and what the machine cost: stated by a profile or
    # known for a fixed-configuration system (Mac Studio, DGX Spark) from the spec table.
    inference_power_w: float | None = None
    price_usd: float | None = None
    profile_source: str | None = None  # a profile's `source:` note: where its figures come from

    def __post_init__(self) -> None:  # the mappings frozen, so a Machine hashes
        object.__setattr__(self, "unknown", frozen_map(self.unknown))
        object.__setattr__(self, "sources", frozen_map(self.sources))

    @property
    def total_vram_bytes(self) -> int | None:
        """Sum of discrete VRAM; None when any GPU's VRAM is unknown."""
        discrete = [g for g in self.gpus if not g.unified_memory]
        if not discrete or any(g.vram_total_bytes is None for g in discrete):
            return None
        return sum(g.vram_total_bytes for g in discrete)  # type: ignore[misc]
