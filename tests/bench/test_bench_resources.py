"""Peak memory and GPU energy, with NVML answers played back through the probe's gateway."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from advisor.bench.model_file.identity import describe_file
from advisor.bench.plan import BenchPlan
from advisor.bench.run.resources import ResourceMonitor
from advisor.bench.run.runner import BenchRun
from advisor.probe.gpu.nvml import NvmlGateway
from tests.clocks import ManualClock

# Answers an H100 SXM gave while a model ran: board power near 350 W, the process holding
# 9.4 GiB. The energy counter is cumulative millijoules since the driver loaded.
H100_WATTS = 350.0
H100_PROCESS_VRAM = 10_093_068_288
H100_ENERGY_AT_START_MJ = 5_313_502_117


class _NVMLError(Exception):
    def __init__(self, value: int) -> None:
        super().__init__(value)
        self.value = value


class _FakeNvml:
    """pynvml's surface for one GPU: an energy counter that advances at H100_WATTS."""

    NVMLError = _NVMLError

    def __init__(self, energy: bool = True, clock: ManualClock | None = None) -> None:
        self._clock = clock or ManualClock()
        self._t0 = self._clock()
        self._energy = energy

    def nvmlInit(self) -> None: ...

    def nvmlShutdown(self) -> None: ...

    def nvmlDeviceGetCount(self) -> int:
        return 1

    def nvmlDeviceGetHandleByIndex(self, index: int) -> object:
        return SimpleNamespace(index=index)

    def nvmlDeviceGetTotalEnergyConsumption(self, handle: object) -> int:
        if not self._energy:
            raise _NVMLError(3)  # NOT_SUPPORTED: pre-Volta boards have no counter
        elapsed = self._clock() - self._t0
        return H100_ENERGY_AT_START_MJ + int(elapsed * H100_WATTS * 1000)

    def nvmlDeviceGetComputeRunningProcesses(self, handle: object) -> list[Any]:
        return [
            SimpleNamespace(pid=1, usedGpuMemory=512 * 2**20),
            SimpleNamespace(pid=os.getpid(), usedGpuMemory=H100_PROCESS_VRAM),
        ]


class _Host:
    def __init__(self, module: Any) -> None:
        self._module = module

    def nvml_module(self) -> tuple[Any, str | None]:
        return self._module, None

    def record_nvml(self, call: dict[str, Any]) -> None: ...


def _gateway(**kw: Any) -> NvmlGateway:
    return NvmlGateway(_Host(_FakeNvml(**kw)))  # type: ignore[arg-type]


def test_vram_is_this_process_share() -> None:
    monitor = ResourceMonitor.start(_gateway())
    assert monitor.peak_vram_bytes() == H100_PROCESS_VRAM
    assert monitor.has_energy
    monitor.close()


def test_a_gpu_without_energy_counter_says_so() -> None:
    monitor = ResourceMonitor.start(_gateway(energy=False))
    assert not monitor.has_energy
    assert monitor.unknown["joules_per_token"] == "this GPU has no NVML energy counter"


def test_peak_rss_is_at_least_the_current_rss() -> None:
    import psutil

    monitor = ResourceMonitor.start(_gateway())
    assert monitor.peak_rss_bytes() >= psutil.Process().memory_info().rss // 2


# How long llama.cpp's work takes on the test's clock: the real run does the work, the clock
# says how long it took, so the energy counter and the runner agree whatever the machine's load.
# Powers of two: the clock's sums stay exact in binary floating point.
PROMPT_S, TOKEN_S = 0.25, 1 / 32


def _timed_session(monkeypatch: pytest.MonkeyPatch, clock: ManualClock) -> None:
    from advisor.bench.run.session import LlamaSession

    prompt, generate = LlamaSession.prompt, LlamaSession.generate

    def timed_prompt(self, ctx, n_prompt, n_batch, keep_going=None):
        result = prompt(self, ctx, n_prompt, n_batch, keep_going)
        clock.advance(PROMPT_S)
        return result

    def timed_generate(self, ctx, n_gen, keep_going=None):
        result = generate(self, ctx, n_gen, keep_going)
        clock.advance(TOKEN_S * n_gen)
        return result

    monkeypatch.setattr(LlamaSession, "prompt", timed_prompt)
    monkeypatch.setattr(LlamaSession, "generate", timed_generate)


def test_joules_per_token_over_a_real_run(
    tiny_f16: Path, extra_buffers_ok: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("llama_cpp")
    clock = ManualClock()
    _timed_session(monkeypatch, clock)
    plan = BenchPlan(
        tiny_f16, n_prompt=32, n_gen=8, max_runs=3, n_threads=1, extra_buffers=extra_buffers_ok
    )
    nvml = NvmlGateway(_Host(_FakeNvml(clock=clock)))  # type: ignore[arg-type]
    m = BenchRun(plan, describe_file(tiny_f16), "fp", nvml=nvml, clock=clock).run()
    assert m.mean_power_w == pytest.approx(H100_WATTS, rel=1e-6)
    assert m.peak_vram_bytes == H100_PROCESS_VRAM
    for result in (m.prefill, m.decode):
        assert result is not None and result.joules_per_token is not None
        seconds_per_token = (
            1
            / (result.n_tokens * result.runs)
            * sum(result.n_tokens / r for r in result.samples_tokens_per_s)
        )
        expected = H100_WATTS * seconds_per_token
        assert result.joules_per_token == pytest.approx(expected, rel=1e-6)
    assert "joules_per_token" not in m.unknown


class _ResettingNvml(_FakeNvml):
    """The counter starts again from 0 at the `reset_at`-th reading (a driver reload or a GPU
    reset); with `every`, it goes backwards at every reading."""

    def __init__(self, clock: ManualClock, reset_at: int = 0, every: bool = False) -> None:
        super().__init__(clock=clock)
        self._readings = 0
        self._reset_at, self._every = reset_at, every

    def nvmlDeviceGetTotalEnergyConsumption(self, handle: object) -> int:
        self._readings += 1
        value = super().nvmlDeviceGetTotalEnergyConsumption(handle)
        if self._every:
            return H100_ENERGY_AT_START_MJ - self._readings * 10_000
        return value - H100_ENERGY_AT_START_MJ if self._readings >= self._reset_at else value


def _run_with(nvml: _FakeNvml, clock: ManualClock, tiny_f16: Path, extra: bool):
    plan = BenchPlan(tiny_f16, n_prompt=32, n_gen=8, max_runs=3, n_threads=1, extra_buffers=extra)
    gateway = NvmlGateway(_Host(nvml))  # type: ignore[arg-type]
    return BenchRun(plan, describe_file(tiny_f16), "fp", nvml=gateway, clock=clock).run()


def test_a_counter_that_goes_backwards_is_left_out(
    tiny_f16: Path, extra_buffers_ok: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It once stored negative joules, and the next report showed -1902 W "measured"."""
    pytest.importorskip("llama_cpp")
    clock = ManualClock()
    _timed_session(monkeypatch, clock)
    m = _run_with(_ResettingNvml(clock, reset_at=5), clock, tiny_f16, extra_buffers_ok)
    assert m.mean_power_w == pytest.approx(H100_WATTS, rel=1e-6)
    for result in (m.prefill, m.decode):
        assert result is not None and result.joules_per_token > 0
    assert any("energy counter went backwards during 1 repetition" in n for n in m.notes)


def test_a_counter_that_only_goes_backwards_gives_no_energy(
    tiny_f16: Path, extra_buffers_ok: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("llama_cpp")
    clock = ManualClock()
    _timed_session(monkeypatch, clock)
    m = _run_with(_ResettingNvml(clock, every=True), clock, tiny_f16, extra_buffers_ok)
    assert m.mean_power_w is None
    assert m.decode is not None and m.decode.joules_per_token is None
    assert "went backwards" in m.unknown["joules_per_token"]
