"""How many watts the machine draws while it generates: measured, given, from specs, or assumed.

Order of trust: a throughput test's NVML reading under load; the machine's whole-system figure
(a profile states it, or the spec table knows it for a fixed system like a Mac Studio); per GPU,
a figure the profile states, the spec table's measured inference power, the board's TDP, the
power limit NVML reports; and last a stated assumption. NVML's instantaneous draw at probe time
is not used: the probe runs while the GPU idles, and an idle reading would understate the
electricity several times.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from advisor.probe.machine import Gpu, Machine

PowerStatus = Literal["measured", "given", "spec", "assumed"]

# CPU, RAM, fans and PSU losses beside a discrete desktop GPU while it generates. geerlingguy's
# ai-benchmarks wall readings (power.csv) sit 50-130 W above the GPU's own figure. A laptop's
# rest is taken from power_figures.CPU_LAPTOP instead (host_beside).
HOST_W_BESIDE_GPU = 80.0
_LAPTOP_GPU_WORDS = ("laptop", "mobile", "max-q")
GPU_UNKNOWN_W = 250.0  # a mid-range desktop card, when nothing at all is known
SOC_UNKNOWN_W = 60.0  # a unified-memory laptop or mini PC under load
_ORDER: tuple[PowerStatus, ...] = ("assumed", "spec", "given", "measured")


@dataclass(frozen=True)
class PowerDraw:
    """Whole-machine watts while generating, and how we know."""

    __pydantic_config__ = {"extra": "forbid"}  # read back from a report: no other keys

    watts: float
    status: PowerStatus
    source: str  # in words a person can check
    # Whole-machine watts while on and idle with the model loaded; None: not counted
    idle_watts: float | None = None
    idle_source: str = ""


@dataclass(frozen=True)
class _Figure:
    """A power figure and how it is known, before it becomes a PowerDraw."""

    watts: float
    status: PowerStatus
    words: str
    whole_system: bool = False


def resolve_power(
    machine: Machine,
    *,
    measured_gpu_w: float | None = None,
    measured_source: str = "",
    gpus_used: frozenset[int] | None = None,
) -> PowerDraw:
    """The best figure for this machine, with its idle draw; `measured_gpu_w` is a bench run's
    NVML board power; `gpus_used` the indexes of the GPUs a placement puts layers on (None:
    all of them)."""
    draw = _loaded(machine, measured_gpu_w, measured_source, gpus_used)
    discrete = [g for g in machine.gpus if not g.integrated and not g.unified_memory]
    from advisor.probe.power.figures import idle_reading

    idle, why = idle_reading(machine, len(discrete))
    if idle is None:
        return replace(draw, idle_source=why)
    return replace(draw, idle_watts=idle.watts, idle_source=f"{why}: " + idle.words("idle"))


def _loaded(machine, measured_gpu_w, measured_source, gpus_used) -> PowerDraw:
    gpus = [g for g in machine.gpus if not g.integrated or g.unified_memory]
    if measured_gpu_w is not None and gpus:
        host, words = host_beside(gpus)
        return PowerDraw(
            watts=measured_gpu_w + host,
            status="measured",
            source=f"{measured_gpu_w:.0f} W GPU board power measured by NVML during "
            f"{measured_source or 'a throughput test'}, {words}",
        )
    if machine.inference_power_w is not None:
        origin = machine.sources.get("inference_power_w", "profile")
        status: PowerStatus = "given" if origin in ("profile", "override") else "spec"
        words = f"{machine.inference_power_w:.0f} W whole-system draw while generating ({origin})"
        return PowerDraw(machine.inference_power_w, status, words)
    if not gpus:
        return _cpu_power(machine)
    if machine.unified_memory or all(g.unified_memory for g in gpus):
        return _soc_power(machine, gpus[0])
    used = [g for i, g in enumerate(gpus) if gpus_used is None or i in gpus_used]
    if not used:  # the placement put nothing on a GPU
        return _cpu_power(machine)
    return _discrete_power(machine, used, len(gpus))


def _discrete_power(machine: Machine, gpus: list[Gpu], fitted: int) -> PowerDraw:
    """The GPUs the placement uses: llama.cpp's layer split runs them one after the other, so
    at any moment one of them computes; it is charged at the largest of their figures."""
    figures = [_gpu_figure(machine, gpu) for gpu in gpus]
    if len(figures) == 1 and figures[0].whole_system:
        return PowerDraw(figures[0].watts, figures[0].status, figures[0].words)
    host_w, host = host_beside(gpus)
    top = max(figures, key=lambda f: f.watts)
    alike: dict[str, int] = {}  # each distinct figure once, with the GPUs it stands for
    for f in figures:
        alike[f.words] = alike.get(f.words, 0) + 1
    words = "; ".join(w if n == 1 else f"{n} GPUs alike, each {w}" for w, n in alike.items())
    if len(figures) > 1:
        words = (
            f"{len(figures)} GPUs split the layers and compute one after the other: one busy at "
            f"a time, at the largest figure ({top.watts:.0f} W): " + words
        )
    if fitted > len(figures):
        words += f"; {fitted - len(figures)} other GPU(s) hold no layers and are not charged"
    return PowerDraw(
        watts=top.watts + host_w,
        status=min((f.status for f in figures), key=_ORDER.index),
        source=words + "; " + host,
    )


def host_beside(gpus: list[Gpu]) -> tuple[float, str]:
    """(watts, words) for the rest of the machine beside GPUs that generate: a desktop's
    assumed figure, or for laptop GPUs a whole laptop's sourced wall reading (no reading of a
    laptop's CPU, RAM and fans beside its GPU exists in the power data)."""
    if gpus and all(any(w in g.name.lower() for w in _LAPTOP_GPU_WORDS) for g in gpus):
        from advisor.probe.power.figures import CPU_LAPTOP

        return CPU_LAPTOP.watts, (
            f"plus {CPU_LAPTOP.watts:.0f} W for the rest of a laptop, taken as a whole laptop "
            f"generating on its CPU alone ({CPU_LAPTOP.machine}, {CPU_LAPTOP.source}): no "
            "reading of a laptop beside its GPU is known"
        )
    return HOST_W_BESIDE_GPU, (
        f"plus {HOST_W_BESIDE_GPU:.0f} W assumed for CPU, RAM, fans and PSU losses (desktops' "
        "wall readings sit 50-130 W above their GPU's own figure)"
    )


def _spec(name: str | None, vendor: str | None = None, memory: int | None = None):
    from advisor.probe.specs.table import lookup_spec

    return lookup_spec(name, vendor=vendor, memory_bytes=memory) if name else None


def _gpu_figure(machine: Machine, gpu: Gpu) -> _Figure:
    """One discrete GPU's draw while generating (board only, unless whole_system says so)."""
    if machine.sources.get(f"gpus[{gpu.index}].power_draw_w") == "profile" and gpu.power_draw_w:
        return _Figure(gpu.power_draw_w, "given", f"{gpu.name}: {gpu.power_draw_w:.0f} W (profile)")
    spec = _spec(gpu.name, gpu.vendor, gpu.vram_total_bytes)
    if spec is not None and spec.inference_power_w is not None:
        whole = spec.inference_power_scope == "wall"
        scope = "whole system" if whole else "GPU board"
        words = (
            f"{gpu.name}: {spec.inference_power_w:.0f} W {scope} measured while generating "
            f"({spec.inference_power_source or spec.source})"
        )
        return _Figure(spec.inference_power_w, "spec", words, whole)
    tdp = gpu.tdp_w if gpu.tdp_w is not None else (spec.tdp_w if spec else None)
    if tdp is not None:
        words = f"{gpu.name}: {tdp:.0f} W board power by design (TDP; generation often draws less)"
        return _Figure(tdp, "spec", words)
    if gpu.power_limit_w is not None:
        words = f"{gpu.name}: {gpu.power_limit_w:.0f} W board power limit from NVML (a ceiling)"
        return _Figure(gpu.power_limit_w, "spec", words)
    words = f"{gpu.name}: {GPU_UNKNOWN_W:.0f} W assumed (no power figure known for this GPU)"
    return _Figure(GPU_UNKNOWN_W, "assumed", words)


def _soc_power(machine: Machine, gpu: Gpu) -> PowerDraw:
    for name in (gpu.name, machine.cpu.name):
        spec = _spec(name)
        if spec is not None and spec.inference_power_w is not None:
            source = spec.inference_power_source or spec.source
            words = f"{spec.name}: {spec.inference_power_w:.0f} W measured while generating"
            if spec.inference_power_scope == "wall":
                return PowerDraw(spec.inference_power_w, "spec", f"{words}, at the wall ({source})")
            return PowerDraw(spec.inference_power_w, "spec", f"{words} ({source})")
    return PowerDraw(
        SOC_UNKNOWN_W,
        "assumed",
        f"{SOC_UNKNOWN_W:.0f} W assumed for a unified-memory system under load "
        "(no figure known for this chip)",
    )


def _cpu_power(machine: Machine) -> PowerDraw:
    """CPU-only generation: the wall reading of the nearest class of machine (power_figures)."""
    from advisor.probe.power.figures import cpu_reading

    reading, kind = cpu_reading(machine)
    words = f"CPU-only generation on {kind}: " + reading.words("while generating")
    return PowerDraw(reading.watts, "spec", words + " (the class's reading, not this machine's)")
