"""The hardware profile format (a public contract): pydantic models that validate it strictly.

Memory sizes are GiB (2**30 bytes, as vendors label RAM and VRAM), bandwidth GB/s (1e9), power
W, clocks MHz. Every key but `name` is optional. The same format carries `machine_to_dict`'s
output, so the extra keys a probe fills (`sources`, `unknown`, `uuid`, ...) are accepted too.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from advisor.probe.machine import BACKENDS, SIMD_FLAGS, GpuVendor

BackendName = Literal[BACKENDS]  # type: ignore[valid-type]
SimdName = Literal[SIMD_FLAGS]  # type: ignore[valid-type]

# Every figure finite (the config refuses NaN and infinity) and bounded far past any real
# machine: a value beyond is a typo or an attack, and 1e308 GB overflows to infinite bytes.
_MOST = 1e9


def Positive(most: float = _MOST):  # noqa: N802 (reads as a type in the fields below)
    return Field(default=None, gt=0, le=most)


def NonNegative(most: float = _MOST):  # noqa: N802
    return Field(default=None, ge=0, le=most)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class CpuEntry(_Strict):
    name: str | None = None
    architecture: str | None = None
    cores: int | None = Field(default=None, ge=1, le=4096)
    threads: int | None = Field(default=None, ge=1, le=8192)
    simd: list[SimdName] | None = None
    base_clock_mhz: float | None = Positive(100_000)
    max_clock_mhz: float | None = Positive(100_000)
    memory_bandwidth_gbs: float | None = Field(default=None, gt=0, le=20000)
    memory_bandwidth_measured_gbs: float | None = Field(default=None, gt=0, le=20000)
    # The copy test's UTC date, YYYY-MM-DD
    memory_bandwidth_measured_on: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")


class GpuEntry(_Strict):
    name: str = Field(min_length=1)
    count: int = Field(default=1, ge=1, le=64)
    index: int | None = Field(default=None, ge=0, le=4096)
    vendor: GpuVendor | None = None
    vram_gb: float | None = Field(default=None, gt=0, le=100000)
    vram_free_gb: float | None = NonNegative(100_000)
    memory_bandwidth_gbs: float | None = Field(default=None, gt=0, le=100000)
    fp16_tflops: float | None = Positive(1_000_000)
    unified_memory: bool | None = None
    integrated: bool | None = None
    bus_width_bits: int | None = Field(default=None, gt=0, le=65_536)
    max_memory_clock_mhz: float | None = Positive(1_000_000)
    compute_capability: str | None = None
    core_count: int | None = Field(default=None, gt=0, le=10_000_000)
    power_limit_w: float | None = Positive(100_000)
    power_draw_w: float | None = NonNegative(100_000)
    tdp_w: float | None = Positive(100_000)
    driver_version: str | None = None
    cuda_version: str | None = None
    pci_id: str | None = None
    pci_bus_id: str | None = None
    uuid: str | None = None
    serial: str | None = None


class ProfileEntry(_Strict):
    name: str = Field(min_length=1)
    source: str | None = None
    schema_version: int | None = None  # present when the file is `advisor probe --json` output
    fingerprint: str | None = None  # likewise; informational, recomputed from the figures
    origin: str | None = None
    os: Literal["linux", "darwin", "windows"] | None = None
    hostname: str | None = None
    host_id: str | None = None
    virtualization: Literal["container", "wsl", "vm"] | None = None
    backend: BackendName | None = None
    backend_reason: str | None = None
    unified_memory: bool | None = None
    ram_gb: float | None = Field(default=None, gt=0, le=1_000_000)
    ram_available_gb: float | None = NonNegative(1_000_000)
    swap_gb: float | None = NonNegative(1_000_000)
    swap_free_gb: float | None = NonNegative(1_000_000)
    gpu_working_set_gb: float | None = Positive(1_000_000)
    disk_free_gb: float | None = NonNegative()
    on_battery: bool | None = None
    inference_power_w: float | None = Positive(1_000_000)
    price_usd: float | None = Positive()
    cpu: CpuEntry | None = None
    gpus: list[GpuEntry] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    unknown: dict[str, str] = Field(default_factory=dict)
    sources: dict[str, str] = Field(default_factory=dict)


ALL_KEYS = {
    "": tuple(ProfileEntry.model_fields),
    "cpu": tuple(CpuEntry.model_fields),
    "gpus": tuple(GpuEntry.model_fields),
}
