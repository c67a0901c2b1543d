"""Field paths of a Machine, and the rule that every figure left None carries a reason."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping

from advisor.probe.machine import Machine

# None in these fields is an answer, not a gap: no virtualization, an anonymized hostname or
# host id, a figure that only exists on other vendors' parts, no date for an undated figure.
_NOT_FIGURES = frozenset(
    {
        "virtualization",
        "hostname",
        "host_id",
        "backend_reason",
        "profile_source",
        "index",
        "name",
        "bandwidth_measured_on",  # the date of a measurement, not a figure
    }
)


def none_paths(machine: Machine) -> Iterator[str]:
    """Dotted paths (`gpus[0].vram_total_bytes`) of every figure that is None."""
    for f in dataclasses.fields(machine):
        value = getattr(machine, f.name)
        if f.name in _NOT_FIGURES:
            continue
        if value is None:
            if f.name == "gpu_working_set_bytes" and not machine.unified_memory:
                continue
            yield f.name
        elif f.name in ("cpu", "memory"):
            yield from (f"{f.name}.{p}" for p in _none_fields(value))
        elif f.name == "gpus":
            for i, gpu in enumerate(value):
                yield from (f"gpus[{i}].{p}" for p in _none_fields(gpu))


def _none_fields(obj: object) -> Iterator[str]:
    for f in dataclasses.fields(obj):  # type: ignore[arg-type]
        if f.name not in _NOT_FIGURES and getattr(obj, f.name) is None:
            yield f.name


_VENDOR_ONLY = {
    "cuda_version": "only NVIDIA GPUs have a CUDA version",
    "serial": "the driver exposes no serial number for this GPU",
    "compute_capability": "not reported for this GPU",
}


def with_reasons(machine: Machine, default: str, *, probed: bool = True) -> Machine:
    """Give every None figure a reason: keep the specific ones, fill the rest with `default`."""
    unknown = dict(machine.unknown)
    for path in none_paths(machine):
        if path not in unknown:
            leaf = path.rsplit(".", 1)[-1]
            gpu_vendor_reason = None
            if probed and path.startswith("gpus["):
                gpu_vendor_reason = _VENDOR_ONLY.get(leaf)
            if leaf == "cuda_version" and _gpu_of(machine, path).vendor == "nvidia":
                gpu_vendor_reason = None
            unknown[path] = gpu_vendor_reason or default
    # a reason for a figure that is now known is stale (an override or a late measurement)
    live = set(none_paths(machine))
    unknown = {k: v for k, v in unknown.items() if k in live}
    return dataclasses.replace(machine, unknown=unknown)


def _gpu_of(machine: Machine, path: str):
    index = int(path[len("gpus[") : path.index("]")])
    return machine.gpus[index]


def merged(base: Mapping[str, str], extra: Mapping[str, str]) -> dict[str, str]:
    out = dict(base)
    out.update(extra)
    return out
