"""What a run costs besides time: peak RSS (psutil), peak VRAM and GPU energy (NVML, when present).

NVML is optional: no NVIDIA driver, no pynvml, or a GPU without an energy counter each give
None plus a reason, never a 0. The energy counter (nvmlDeviceGetTotalEnergyConsumption, Volta
and later) is read before and after each timed repetition: joules over the run, not a guess
from sampled watts.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

import psutil

from advisor.probe.gpu.nvml import NvmlGateway


def _peak_rss_bytes() -> int | None:
    """The process's RSS high-water mark since it started."""
    try:
        import resource
    except ImportError:  # Windows
        info = psutil.Process().memory_info()
        return getattr(info, "peak_wset", None)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) if sys.platform == "darwin" else int(peak) * 1024  # macOS: bytes; else KiB


@dataclass
class EnergyMeter:
    """Joules the GPUs drew over marked intervals, from NVML's cumulative energy counter.

    The counter only grows while the driver stays loaded; a driver reload or a GPU reset
    starts it again from 0, and an interval across that would count negative joules. Such an
    interval is left out (`backwards` counts them), never subtracted.
    """

    joules: float = 0.0
    seconds: float = 0.0
    runs: int = 0  # intervals counted
    backwards: int = 0  # intervals left out: the counter went backwards
    _start_mj: int | None = None

    def begin(self, monitor: ResourceMonitor) -> None:
        self._start_mj = monitor.gpu_energy_mj()

    def end(self, monitor: ResourceMonitor, seconds: float) -> None:
        now = monitor.gpu_energy_mj()
        if self._start_mj is not None and now is not None:
            if now < self._start_mj:
                self.backwards += 1
            else:
                self.joules += (now - self._start_mj) / 1000.0
                self.seconds += seconds
                self.runs += 1
        self._start_mj = None


@dataclass
class ResourceMonitor:
    """Samples memory at phase boundaries; llama.cpp allocates up front, so peaks show there.

    NVML goes through the probe's guarded gateway: every call answers (value, reason).
    """

    gateway: NvmlGateway | None = None
    unknown: dict[str, str] = field(default_factory=dict)
    _devices: int = 0
    _rss_samples: list[int] = field(default_factory=list)
    _vram_peak: int | None = None
    _has_energy: bool = False

    @classmethod
    def start(cls, gateway: NvmlGateway | None = None) -> ResourceMonitor:
        if gateway is None:
            from advisor.probe.live.host import LiveHost

            gateway = NvmlGateway(LiveHost())
        monitor = cls(gateway)
        monitor._open_nvml()
        monitor.sample()
        return monitor

    def _open_nvml(self) -> None:
        count, reason = self.gateway.call("nvmlDeviceGetCount")
        if not count:
            self._no_gpu(reason or "NVML sees no NVIDIA GPU")
            return
        self._devices = int(count)
        self._has_energy = self.gpu_energy_mj() is not None
        if not self._has_energy:
            self.unknown["joules_per_token"] = "this GPU has no NVML energy counter"

    def _no_gpu(self, why: str) -> None:
        self.gateway = None
        self.unknown["peak_vram_bytes"] = why
        self.unknown["joules_per_token"] = f"GPU power is read through NVML: {why}"

    def sample(self) -> None:
        self._rss_samples.append(psutil.Process().memory_info().rss)
        used = self._vram_used_bytes()
        if used is not None:
            self._vram_peak = max(used, self._vram_peak or 0)

    def _vram_used_bytes(self) -> int | None:
        """VRAM this process holds, summed over GPUs (NVML's per-process view)."""
        if self.gateway is None:
            return None
        pid, total, seen = os.getpid(), 0, False
        for device in range(self._devices):
            procs, _ = self.gateway.call("nvmlDeviceGetComputeRunningProcesses", device=device)
            for proc in procs or []:
                used = proc.get("usedGpuMemory") if isinstance(proc, dict) else None
                if proc.get("pid") == pid and isinstance(used, int):
                    total, seen = total + used, True
        return total if seen else None

    def gpu_energy_mj(self) -> int | None:
        """Millijoules all GPUs used since the driver loaded, or None if any cannot say."""
        if self.gateway is None:
            return None
        total = 0
        for device in range(self._devices):
            value, _ = self.gateway.call("nvmlDeviceGetTotalEnergyConsumption", device=device)
            if not isinstance(value, int):
                return None
            total += value
        return total

    @property
    def has_energy(self) -> bool:
        return self._has_energy

    def peak_rss_bytes(self) -> int | None:
        return max([*self._rss_samples, _peak_rss_bytes() or 0]) or None

    def peak_vram_bytes(self) -> int | None:
        if self._vram_peak is None and self.gateway is not None:
            self.unknown.setdefault("peak_vram_bytes", "NVML lists no memory for this process")
        return self._vram_peak

    def close(self) -> None:
        if self.gateway is not None:
            self.gateway.close()
            self.gateway = None
