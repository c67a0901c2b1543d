"""A Machine's own profile dict read back as entry values without pydantic.

`machine_to_dict` writes a Machine in the hardware profile format. An audit's or a remedy's GPU
change edits that dict (a spec-table card in place of the discrete GPU,
advisor.probe.specs.upgrades) and builds the upgraded Machine from it with `entry_to_machine`,
as a profile naming the card would be built. The dict holds what a Machine already held and a
spec-table row, nothing a person wrote; validating it with the profile schema made a first
`advisor --json` import pydantic and build the schema for it alone (~110-150 ms CPU, measured
2026-12-07 on the project's shared 2-core machine).

`plain_entry` reads such a dict into frozen dataclasses with the schema's fields and does what
the schema's strict validation does to a value it accepts: a float from an int, nothing else
converted. A key the schema does not have, a missing `name`, a value of a type the schema
refuses (a float in an integer field, a bool in a number field, a tuple for a list) or a
Literal outside its choices raises Untrusted, and the caller validates in full with the schema,
which reports it as before. The schema's ranges (a positive size, at most 64 GPUs of a kind) are
not checked here: the values are the Machine's own, which the estimator reads as they are.
A profile file, a report's machine or a doctor dump is always validated in full
(advisor.probe.profiles.load, serialize.machine_from_dict). Tests keep the fields and defaults
equal to the schema's and compare both ways on every reference profile and GPU change.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import types
import typing
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from advisor.probe.machine import GpuVendor

T = TypeVar("T")
OsName = Literal["linux", "darwin", "windows"]
Virtualization = Literal["container", "wsl", "vm"]


class Untrusted(Exception):
    """The dict holds something the schema would refuse or convert otherwise: validate it."""


@dataclasses.dataclass(frozen=True)
class PlainCpu:
    """The fields of the schema's CpuEntry."""

    name: str | None = None
    architecture: str | None = None
    cores: int | None = None
    threads: int | None = None
    simd: tuple[str, ...] | None = None  # advisor.probe.machine.SIMD_FLAGS (checked)
    base_clock_mhz: float | None = None
    max_clock_mhz: float | None = None
    memory_bandwidth_gbs: float | None = None
    memory_bandwidth_measured_gbs: float | None = None
    memory_bandwidth_measured_on: str | None = None


@dataclasses.dataclass(frozen=True)
class PlainGpu:
    """The fields of the schema's GpuEntry."""

    name: str
    count: int = 1
    index: int | None = None
    vendor: GpuVendor | None = None
    vram_gb: float | None = None
    vram_free_gb: float | None = None
    memory_bandwidth_gbs: float | None = None
    fp16_tflops: float | None = None
    unified_memory: bool | None = None
    integrated: bool | None = None
    bus_width_bits: int | None = None
    max_memory_clock_mhz: float | None = None
    compute_capability: str | None = None
    core_count: int | None = None
    power_limit_w: float | None = None
    power_draw_w: float | None = None
    tdp_w: float | None = None
    driver_version: str | None = None
    cuda_version: str | None = None
    pci_id: str | None = None
    pci_bus_id: str | None = None
    uuid: str | None = None
    serial: str | None = None


@dataclasses.dataclass(frozen=True)
class PlainProfile:
    """The fields of the schema's ProfileEntry."""

    name: str
    source: str | None = None
    schema_version: int | None = None
    fingerprint: str | None = None
    origin: str | None = None
    os: OsName | None = None
    hostname: str | None = None
    host_id: str | None = None
    virtualization: Virtualization | None = None
    backend: str | None = None  # advisor.probe.machine.BACKENDS (checked)
    backend_reason: str | None = None
    unified_memory: bool | None = None
    ram_gb: float | None = None
    ram_available_gb: float | None = None
    swap_gb: float | None = None
    swap_free_gb: float | None = None
    gpu_working_set_gb: float | None = None
    disk_free_gb: float | None = None
    on_battery: bool | None = None
    inference_power_w: float | None = None
    price_usd: float | None = None
    cpu: PlainCpu | None = None
    gpus: tuple[PlainGpu, ...] = ()
    notes: tuple[str, ...] = ()
    unknown: dict[str, str] = dataclasses.field(default_factory=dict)
    sources: dict[str, str] = dataclasses.field(default_factory=dict)


def plain_entry(data: dict[str, Any]) -> PlainProfile:
    """`data` (machine_to_dict's output, perhaps edited) as the schema would give it; raises
    Untrusted where the schema must look."""
    entry = _build(PlainProfile, data)
    from advisor.probe.machine import BACKENDS, SIMD_FLAGS

    if entry.backend is not None and entry.backend not in BACKENDS:
        raise Untrusted(f"backend {entry.backend!r}")
    if entry.cpu is not None and not set(entry.cpu.simd or ()) <= set(SIMD_FLAGS):
        raise Untrusted(f"simd {entry.cpu.simd!r}")
    return entry


def _build(cls: type[T], data: Any) -> T:
    if type(data) is not dict:
        raise Untrusted(f"{cls.__name__}: not a mapping")
    hints = _hints(typing.cast(Any, cls))
    unknown = set(data) - set(hints)
    if unknown:
        raise Untrusted(f"{cls.__name__}: keys {sorted(unknown)}")
    try:
        return cls(**{name: _convert(hints[name], value) for name, value in data.items()})
    except TypeError as exc:  # a required field missing
        raise Untrusted(f"{cls.__name__}: {exc}") from None


@functools.cache
def _hints(cls: Any) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _convert(hint: Any, value: Any) -> Any:
    origin = get_origin(hint)
    if origin is Union or origin is types.UnionType:
        if value is None:
            return None
        (option,) = [a for a in get_args(hint) if a is not type(None)]
        return _convert(option, value)
    if origin is tuple:  # the schema's lists: a list, as strict validation wants
        if type(value) is not list:
            raise Untrusted(f"{value!r} is not a list")
        return tuple(_convert(get_args(hint)[0], item) for item in value)
    if origin is dict:
        if type(value) is not dict or any(
            type(k) is not str or type(v) is not str for k, v in value.items()
        ):
            raise Untrusted(f"{value!r} is not a mapping of strings")
        return dict(value)
    if origin is Literal:
        if value not in get_args(hint) or type(value) is not str:
            raise Untrusted(f"{value!r} is not one of {get_args(hint)}")
        return value
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _build(hint, value)
    if hint is float and type(value) in (int, float):
        if not math.isfinite(value):
            raise Untrusted(f"{value!r} is not finite")
        return float(value)  # strict validation takes an int for a float and gives a float
    if type(value) is not hint:
        raise Untrusted(f"{value!r} is not a {hint.__name__}")
    return value
