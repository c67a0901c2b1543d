"""The throughput test: load, warm up, then pp512 and tg128 repetitions within a time budget."""

from __future__ import annotations

import dataclasses
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import IO

from advisor.bench.measurement import BenchSettings, Measurement, ModelFile, Throughput
from advisor.bench.plan import (
    BenchPlan,
    Phase,
    Progress,
    ProgressFn,
    default_threads,
    placement_kind,
)
from advisor.bench.run.native import LlamaLog, backend_name, import_llama_cpp, llama_cpp_version
from advisor.bench.run.resources import EnergyMeter, ResourceMonitor
from advisor.bench.run.session import ComputeAborted, ContextOptions, LlamaSession, LoadAborted
from advisor.errors import BenchError
from advisor.probe.gpu.nvml import NvmlGateway

_SAFETY = 1.05  # a repetition is started only if 105% of the last one still fits


class _CtrlC:
    """First Ctrl-C: finish the repetition in hand, then stop. Second: stop at once."""

    def __init__(self) -> None:
        self.pressed = False
        self._old: object = None

    def _handle(self, signum: int, frame: object) -> None:
        if self.pressed:
            raise KeyboardInterrupt
        self.pressed = True

    def __enter__(self) -> _CtrlC:
        if threading.current_thread() is threading.main_thread():
            self._old = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)  # type: ignore[arg-type]


@dataclass
class _Tally:
    """Completed repetitions of one test."""

    test: str
    n_tokens: int
    seconds: list[float] = field(default_factory=list)
    energy: EnergyMeter = field(default_factory=EnergyMeter)
    predicted_s: float = 0.0  # how long the next repetition should take

    def throughput(self, has_energy: bool) -> Throughput | None:
        if not self.seconds:
            return None
        joules = None
        if has_energy and self.energy.runs and self.energy.seconds > 0:
            joules = self.energy.joules / (self.n_tokens * self.energy.runs)
        rates = tuple(self.n_tokens / s for s in self.seconds)
        return Throughput(self.test, self.n_tokens, rates, joules)


class _Stop(Exception):
    """A repetition stopped part way: Ctrl-C or the budget. Its time is not counted."""


# Kept back from the budget for what follows the last repetition: freeing the model, writing
# the store, printing (so a whole `advisor bench` finishes within --budget).
TEARDOWN_S = 0.3


class BenchRun:
    """One run of a plan. Build it, call run(), get a Measurement.

    The budget counts from `started` (a reading of `clock`; `advisor bench` passes its own
    start, so probing and reading the file count too), else from the start of run().
    """

    def __init__(
        self,
        plan: BenchPlan,
        model: ModelFile,
        machine_fingerprint: str,
        on_progress: ProgressFn | None = None,
        echo: IO[str] | None = None,
        clock: Callable[[], float] = time.perf_counter,
        nvml: NvmlGateway | None = None,
        started: float | None = None,
    ) -> None:
        self.plan = plan
        self.model = model
        self.fingerprint = machine_fingerprint
        self._on_progress = on_progress
        self._echo = echo
        self._clock = clock
        self._nvml = nvml  # None: the live NVML, through the probe's gateway
        self._t0 = 0.0
        self._started = started
        self._ctrl_c = _CtrlC()
        self.notes: list[str] = []
        self.pp = _Tally(f"pp{plan.n_prompt}", plan.n_prompt)
        self.tg = _Tally(f"tg{plan.n_gen}", plan.n_gen)

    # --- time -----------------------------------------------------------------------------
    def _elapsed(self) -> float:
        return self._clock() - self._t0

    def _remaining(self) -> float:
        return self._deadline() - self._clock()

    def _deadline(self) -> float:
        return self._t0 + self.plan.budget_s - TEARDOWN_S

    def _keep_going(self) -> bool:
        return not self._ctrl_c.pressed and self._remaining() > 0

    def _out_of_time(self) -> bool:
        return not self._keep_going()

    def _report(self, phase: Phase) -> None:
        if self._on_progress is not None:
            self._on_progress(
                Progress(
                    phase,
                    len(self.pp.seconds),
                    len(self.tg.seconds),
                    self._elapsed(),
                    self.plan.budget_s,
                    self.plan.max_runs,
                )
            )

    # --- the run --------------------------------------------------------------------------
    @property
    def n_ctx(self) -> int:
        """The context the run makes: one prompt and its generation (the batched run: B of them)."""
        return self.plan.n_prompt + self.plan.n_gen

    def run(self) -> Measurement:
        """Load, measure, describe: the one sequence for every kind of run (the batched run
        supplies its own n_ctx, _measure and _measurement)."""
        # the budget covers the import of llama.cpp and the canary too
        self._t0 = self._clock() if self._started is None else self._started
        llama_cpp = import_llama_cpp()
        llama_cpp.llama_backend_init()
        version, backend = llama_cpp_version(llama_cpp), backend_name(llama_cpp)
        extra = self._extra_buffers(version)
        threads = self.plan.n_threads or default_threads()
        started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        monitor = ResourceMonitor.start(self._nvml)
        try:
            with self._ctrl_c, LlamaLog(llama_cpp, self._echo) as log:
                session = LlamaSession(llama_cpp, log, str(self.plan.path))
                with session:
                    load_s = self._load(session, extra)
                    monitor.sample()
                    interrupted = self._measure(session, threads, monitor)
                    model = self._describe(session)
        finally:
            monitor.close()
        plan = self.plan
        settings = BenchSettings(
            n_gpu_layers=plan.n_gpu_layers, n_threads=threads, n_ctx=self.n_ctx,
            n_batch=plan.n_batch, n_ubatch=plan.n_ubatch, kv_type=plan.kv_type,
            flash_attn=plan.flash_attn, extra_buffers=extra, llama_cpp_version=version,
            backend=backend, n_prompt=plan.n_prompt, n_gen=plan.n_gen,
        )  # fmt: skip
        return self._measurement(model, settings, load_s, interrupted, started, monitor)

    def _extra_buffers(self, version: str) -> bool:
        if self.plan.extra_buffers is not None:
            return self.plan.extra_buffers
        from advisor.bench.run.canary import extra_buffers_safe

        if extra_buffers_safe(version):
            return True
        self.notes.append(
            "llama.cpp's repacked-weight kernels (AMX/CPU_REPACK) crash on this machine; "
            "ran without them, as llama-bench --repack 0"
        )
        return False

    def _load(self, session: LlamaSession, extra: bool) -> float:
        self._report("load")
        start = self._clock()
        try:
            session.load(self.plan.n_gpu_layers, extra, self._keep_going)
        except LoadAborted:
            if self._ctrl_c.pressed:
                raise KeyboardInterrupt from None
            raise self._over_budget("loading the model") from None
        return self._clock() - start

    def _measure(self, session: LlamaSession, threads: int, monitor: ResourceMonitor) -> bool:
        """Warm up, then alternate repetitions until the budget or max_runs. True if stopped."""
        plan = self.plan
        options = ContextOptions(
            threads, plan.n_batch, plan.n_ubatch, plan.kv_type, plan.flash_attn
        )
        # llama-bench gives each test a context of its own size: n_prompt, then n_gen tokens.
        pp_ctx = session.new_context(plan.n_prompt, options)
        tg_ctx = session.new_context(plan.n_gen, options)
        monitor.sample()
        try:
            self._warm_up(session, pp_ctx, tg_ctx)
            while len(self.pp.seconds) < plan.max_runs or len(self.tg.seconds) < plan.max_runs:
                ran = self._maybe_prefill(session, pp_ctx, monitor)
                ran = self._maybe_decode(session, tg_ctx, monitor) or ran
                if not ran:
                    break
        except KeyboardInterrupt:
            self._ctrl_c.pressed = True
        except _Stop:
            pass  # a repetition cut by Ctrl-C or the deadline; decided below
        if self._ctrl_c.pressed:
            if not (self.pp.seconds or self.tg.seconds):
                raise KeyboardInterrupt
            return True
        if not (self.pp.seconds and self.tg.seconds):
            raise self._over_budget("one prompt and one generation run")
        return False

    def _warm_up(self, session: LlamaSession, pp_ctx: object, tg_ctx: object) -> None:
        """Untimed, so it may be cut part way: a model far too slow for the budget is found
        out at the deadline, not after one long prompt."""
        self._report("warmup")
        start = self._clock()
        session.clear(pp_ctx)
        try:
            session.prompt(pp_ctx, self.plan.n_prompt, self.plan.n_batch, self._out_of_time)
        except ComputeAborted:
            if self._ctrl_c.pressed:
                raise KeyboardInterrupt from None
            raise self._over_budget("the warm-up prompt") from None
        self.pp.predicted_s = self._clock() - start
        start = self._clock()
        session.clear(tg_ctx)
        session.generate(tg_ctx, 1)
        self.tg.predicted_s = (self._clock() - start) * self.plan.n_gen
        if self._ctrl_c.pressed:
            raise KeyboardInterrupt

    def _fits(self, tally: _Tally) -> bool:
        return len(tally.seconds) < self.plan.max_runs and (
            tally.predicted_s * _SAFETY <= self._remaining()
        )

    def _maybe_prefill(self, session: LlamaSession, ctx: object, monitor: ResourceMonitor) -> bool:
        if self._ctrl_c.pressed:
            raise _Stop
        if not self._fits(self.pp):
            return False
        self._report("prefill")
        session.clear(ctx)
        self.pp.energy.begin(monitor)
        start = self._clock()
        session.prompt(ctx, self.plan.n_prompt, self.plan.n_batch)
        seconds = self._clock() - start
        self._record(self.pp, seconds, monitor)
        return True

    def _maybe_decode(self, session: LlamaSession, ctx: object, monitor: ResourceMonitor) -> bool:
        if self._ctrl_c.pressed:
            raise _Stop
        # The first timed generation may run past its prediction (which comes from one
        # token); it is cut at the deadline token by token, so the budget holds.
        if not self._fits(self.tg) and self.tg.seconds:
            return False
        if self._remaining() <= 0 or len(self.tg.seconds) >= self.plan.max_runs:
            return False
        self._report("decode")
        session.clear(ctx)
        self.tg.energy.begin(monitor)
        start = self._clock()
        self._generate_within_budget(session, ctx)
        seconds = self._clock() - start
        self._record(self.tg, seconds, monitor)
        return True

    def _generate_within_budget(self, session: LlamaSession, ctx: object) -> None:
        deadline = self._deadline()

        def keep_going() -> bool:
            return not self._ctrl_c.pressed and self._clock() < deadline

        if not session.generate(ctx, self.plan.n_gen, keep_going):
            raise _Stop

    def _record(self, tally: _Tally, seconds: float, monitor: ResourceMonitor) -> None:
        tally.seconds.append(seconds)
        tally.energy.end(monitor, seconds)
        tally.predicted_s = seconds
        monitor.sample()

    def _over_budget(self, what: str) -> BenchError:
        if self.pp.predicted_s and self.tg.predicted_s:
            needed = self._elapsed() + self.pp.predicted_s + self.tg.predicted_s
        else:  # cut before one prompt finished: how long one takes is not known
            needed = 2 * self.plan.budget_s
        suggest = max(int(needed * 1.5 / 10 + 1) * 10, int(self.plan.budget_s) + 10)
        return BenchError(
            f"the {self.plan.budget_s:g} s budget ran out before {what} finished",
            hint=f"give the test more time, e.g. --budget {suggest}",
        )

    def _energy_went_backwards(self, monitor: ResourceMonitor) -> None:
        backwards = self.pp.energy.backwards + self.tg.energy.backwards
        if not backwards:
            return
        why = (
            f"NVML's energy counter went backwards during {backwards} repetition(s) (a driver "
            "reload or a GPU reset starts it again)"
        )
        if self.pp.energy.runs + self.tg.energy.runs:
            self.notes.append(f"{why}: those are left out of joules per token and power")
        else:
            monitor.unknown["joules_per_token"] = f"{why}: no repetition could be counted"

    def _describe(self, session: LlamaSession) -> ModelFile:
        from advisor.catalog.gguf.file import file_type_name

        file_type = session.meta("general.file_type")
        return dataclasses.replace(
            self.model,
            name=session.meta("general.name"),
            architecture=session.meta("general.architecture"),
            file_type=file_type_name(int(file_type)) if file_type and file_type.isdigit() else None,
            n_params=session.n_params,
            n_layers=session.n_layers,
        )

    def _measurement(
        self,
        model: ModelFile,
        settings: BenchSettings,
        load_s: float,
        interrupted: bool,
        started: str,
        monitor: ResourceMonitor,
    ) -> Measurement:
        prefill = self.pp.throughput(monitor.has_energy)
        decode = self.tg.throughput(monitor.has_energy)
        energy = self.pp.energy.joules + self.tg.energy.joules
        seconds = self.pp.energy.seconds + self.tg.energy.seconds
        mean_power = energy / seconds if monitor.has_energy and seconds > 0 else None
        self._energy_went_backwards(monitor)
        placement = placement_kind(settings.n_gpu_layers, model.n_layers or 0, settings.backend)
        return Measurement(
            machine_fingerprint=self.fingerprint,
            model=model,
            settings=settings,
            placement=placement,
            load_s=load_s,
            prefill=prefill,
            decode=decode,
            started_at=started,
            duration_s=self._elapsed(),
            budget_s=self.plan.budget_s,
            interrupted=interrupted,
            peak_rss_bytes=monitor.peak_rss_bytes(),
            peak_vram_bytes=monitor.peak_vram_bytes(),
            mean_power_w=mean_power,
            notes=tuple(self.notes),
            unknown=dict(monitor.unknown),
        )


def run_bench(
    plan: BenchPlan,
    model: ModelFile,
    machine_fingerprint: str,
    on_progress: ProgressFn | None = None,
    echo: IO[str] | None = None,
    started: float | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> Measurement:
    """Run the throughput test. Ctrl-C keeps completed repetitions (Measurement.interrupted);
    with none completed it raises KeyboardInterrupt. `started`: a reading of `clock` the
    budget counts from (default: now)."""
    return BenchRun(
        plan, model, machine_fingerprint, on_progress, echo, clock=clock, started=started
    ).run()
