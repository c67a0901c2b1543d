"""How much memory each device may give a model: free memory now, or total less a reserve.

"now" takes what the probe saw free (VRAM free, RAM available). "dedicated" assumes the model
is the machine's main job and takes the total less what the system keeps for itself:
- RAM: the OS, desktop and a browser: 2 GiB plus 10% of RAM, at most 8 GiB (a Linux or
  Windows desktop idles at 1.5-3 GiB, macOS at 3-4 GiB; large servers keep more page cache);
- a discrete GPU: 512 MiB for the display, compositor and other GPU clients (nvidia-smi on an
  idle desktop shows 300-600 MiB in use; a headless server shows less, so this errs safe);
- unified memory (Apple, Strix Halo, GB10): the GPU may hold at most the working-set limit the
  driver reports (Metal's recommendedMaxWorkingSetSize, AMD's GTT size), never all of RAM.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from advisor.probe.machine import Gpu, Machine
from advisor.units import GIB, MIB

OS_RESERVE_MIN_BYTES = 2 * GIB
OS_RESERVE_FRACTION = 0.10
OS_RESERVE_MAX_BYTES = 8 * GIB
DISPLAY_RESERVE_BYTES = 512 * MIB
# Where the driver reports no limit, Metal's default: 2/3 of RAM up to 36 GB, 3/4 above.
UNIFIED_WORKING_SET_SMALL = 2 / 3
UNIFIED_WORKING_SET_LARGE = 0.75
UNIFIED_LARGE_RAM_BYTES = 36 * 1000**3


@dataclass(frozen=True)
class DeviceBudget:
    """The bytes one device may use under the mode, and how that figure was found."""

    device: str  # "gpu0", "gpu1", ... or "cpu"
    available_bytes: int | None  # None when the probe could not tell
    basis: str  # in words: "24.0 GiB total less 0.5 GiB display reserve"


@dataclass(frozen=True)
class Budgets:
    """The memory each device offers a model: the GPUs llama.cpp would use, the CPU's RAM, whether
    they share it."""

    gpus: tuple[DeviceBudget, ...]  # the GPUs llama.cpp would use, in order
    cpu: DeviceBudget
    unified: bool  # GPU and CPU draw on the same RAM

    def total_bytes(self) -> int | None:
        if self.unified:
            return self.cpu.available_bytes
        parts = [b.available_bytes for b in (*self.gpus, self.cpu)]
        known = [p for p in parts if p is not None]
        return sum(known) if len(known) == len(parts) else None


def os_reserve_bytes(ram_total_bytes: int) -> int:
    reserve = OS_RESERVE_MIN_BYTES + OS_RESERVE_FRACTION * ram_total_bytes
    return int(min(reserve, OS_RESERVE_MAX_BYTES))


def _gib(n: int) -> str:
    return f"{n / GIB:.1f} GiB"


def _ram(machine: Machine, mode: str) -> DeviceBudget:
    mem = machine.memory
    if mode == "now" and mem.ram_available_bytes is not None:
        return DeviceBudget("cpu", mem.ram_available_bytes,
                            f"{_gib(mem.ram_available_bytes)} RAM available now")  # fmt: skip
    if mem.ram_total_bytes is None:
        return DeviceBudget("cpu", None, "RAM size unknown")
    reserve = os_reserve_bytes(mem.ram_total_bytes)
    basis = f"{_gib(mem.ram_total_bytes)} RAM less {_gib(reserve)} for the OS"
    if mode == "now":
        basis += " (free RAM unknown)"
    return DeviceBudget("cpu", mem.ram_total_bytes - reserve, basis)


def _discrete(gpu: Gpu, mode: str) -> DeviceBudget:
    name = f"gpu{gpu.index}"
    if mode == "now" and gpu.vram_free_bytes is not None:
        return DeviceBudget(name, gpu.vram_free_bytes, f"{_gib(gpu.vram_free_bytes)} VRAM free now")
    if gpu.vram_total_bytes is None:
        return DeviceBudget(name, None, f"{gpu.name}: VRAM size unknown")
    basis = f"{_gib(gpu.vram_total_bytes)} VRAM less {_gib(DISPLAY_RESERVE_BYTES)} display reserve"
    if mode == "now":
        basis += " (free VRAM unknown)"
    return DeviceBudget(name, gpu.vram_total_bytes - DISPLAY_RESERVE_BYTES, basis)


def working_set_bytes(machine: Machine) -> int | None:
    """The most a unified-memory GPU may hold: the reported limit, else Metal's default rule."""
    if machine.gpu_working_set_bytes is not None:
        return machine.gpu_working_set_bytes
    ram = machine.memory.ram_total_bytes
    if ram is None:
        return None
    large = ram > UNIFIED_LARGE_RAM_BYTES
    return int(ram * (UNIFIED_WORKING_SET_LARGE if large else UNIFIED_WORKING_SET_SMALL))


def _unified(machine: Machine, gpu: Gpu, ram: DeviceBudget) -> DeviceBudget:
    name = f"gpu{gpu.index}"
    limit = working_set_bytes(machine)
    if limit is None or ram.available_bytes is None:
        return DeviceBudget(name, None, "unified memory: working-set limit unknown")
    source = "reported" if machine.gpu_working_set_bytes is not None else "assumed (Metal rule)"
    if limit <= ram.available_bytes:
        return DeviceBudget(name, limit, f"GPU working-set limit {_gib(limit)} ({source})")
    return DeviceBudget(name, ram.available_bytes,
                        f"{ram.basis} (below the {_gib(limit)} GPU working-set limit)")  # fmt: skip


_BACKEND_VENDORS = {"cuda": ("nvidia",), "rocm": ("amd",), "metal": ("apple",), "sycl": ("intel",)}


def backend_gpus(machine: Machine) -> tuple[Gpu, ...]:
    """The GPUs the machine's llama.cpp backend drives (none for the cpu backend)."""
    if machine.backend == "cpu":
        return ()
    vendors = _BACKEND_VENDORS.get(machine.backend)
    gpus = tuple(g for g in machine.gpus if vendors is None or g.vendor in vendors)
    # Vulkan drives every GPU; an integrated one next to a discrete one only slows the split.
    discrete = tuple(g for g in gpus if not g.integrated)
    return discrete or gpus


@lru_cache(maxsize=256)
def device_budgets(machine: Machine, mode: str = "dedicated") -> Budgets:
    """Budgets of the GPUs llama.cpp would use (none on the cpu backend) and of system RAM."""
    return _budgets(machine, mode)


def _budgets(machine: Machine, mode: str) -> Budgets:
    if mode not in ("now", "dedicated"):
        raise ValueError(f"unknown memory mode {mode!r}; expected 'now' or 'dedicated'")
    ram = _ram(machine, mode)
    gpus = backend_gpus(machine)
    if machine.unified_memory or any(g.unified_memory for g in gpus):
        return Budgets(tuple(_unified(machine, g, ram) for g in gpus[:1]), ram, True)
    return Budgets(tuple(_discrete(g, mode) for g in gpus), ram, False)
