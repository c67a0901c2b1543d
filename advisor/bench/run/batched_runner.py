"""The batched throughput test: B sequences at once, the way llama-batched-bench runs them.

llama-batched-bench (vendor/llama.cpp/tools/batched-bench/batched-bench.cpp) makes one context
with n_seq_max = the largest B and a cache of its own per sequence, warms up with 16 tokens,
then for each B: clears the cache, builds one batch of B prompts of P random tokens (sequence
j in seq id j, logits for each prompt's last token), starts its clock, submits the batch
n_batch tokens per llama_decode and synchronizes (T_PP), then runs TG decodes of one token per
sequence, synchronizing after each (T_TG). We do the same through llama-cpp-python's
low-level API (advisor.bench.run.session), one run per B.

The budget rules are `advisor bench`'s (advisor.bench.run.runner): the whole command, start-up
included, stays within --budget; a B is started only if its predicted time still fits; a B cut
by the deadline is dropped. Ctrl-C stops at the next decode step and keeps the B values that
finished; a second Ctrl-C stops at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import IO

from advisor.bench.batched import BatchedMeasurement, BatchPoint
from advisor.bench.measurement import ModelFile
from advisor.bench.plan import BatchedProgress, BenchPlan, placement_kind
from advisor.bench.run.runner import _SAFETY, BenchRun, _Stop
from advisor.bench.run.session import ComputeAborted, ContextOptions, LlamaSession

WARMUP_TOKENS = 16  # llama-batched-bench's warm-up batch

BatchedProgressFn = Callable[[BatchedProgress], None]


class BatchedRun(BenchRun):
    """One --parallel run: build it with the B values, call run(), get a BatchedMeasurement."""

    def __init__(self, plan: BenchPlan, sequences: tuple[int, ...], model: ModelFile,
                 machine_fingerprint: str, on_progress: BatchedProgressFn | None = None,
                 echo: IO[str] | None = None, started: float | None = None,
                 **kw) -> None:  # fmt: skip
        super().__init__(plan, model, machine_fingerprint, None, echo, started=started, **kw)
        self.sequences = sequences
        self._on_batched = on_progress
        self.points: list[BatchPoint] = []
        self._per_prompt_token_s = 0.0  # from the warm-up: what to expect of the next B
        self._per_step_s = 0.0

    def _say(self, phase, sequences: int = 0, index: int = 0) -> None:
        if self._on_batched is not None:
            self._on_batched(BatchedProgress(phase, sequences, index, len(self.sequences),
                                             self._elapsed(), self.plan.budget_s))  # fmt: skip

    def _report(self, phase) -> None:  # the single-stream runner's progress, for load
        self._say(phase)

    @property
    def n_ctx(self) -> int:
        return max(self.sequences) * (self.plan.n_prompt + self.plan.n_gen)

    def _measurement(self, model, settings, load_s, interrupted, started,  # type: ignore[override]
                     monitor) -> BatchedMeasurement:  # fmt: skip
        plan = self.plan
        return BatchedMeasurement(
            machine_fingerprint=self.fingerprint, model=model, settings=settings,
            placement=placement_kind(settings.n_gpu_layers, model.n_layers or 0, settings.backend),
            sequences_asked=self.sequences, points=tuple(self.points), load_s=load_s,
            started_at=started, duration_s=self._elapsed(), budget_s=plan.budget_s,
            interrupted=interrupted, peak_rss_bytes=monitor.peak_rss_bytes(),
            notes=tuple(self.notes), unknown=dict(monitor.unknown),
        )  # fmt: skip

    def _measure(self, session: LlamaSession, threads: int, monitor) -> bool:
        """Warm up, then each B in turn while it fits. True if Ctrl-C stopped the run."""
        plan = self.plan
        options = ContextOptions(threads, plan.n_batch, plan.n_ubatch, plan.kv_type,
                                 plan.flash_attn)  # fmt: skip
        ctx = session.new_context(self.n_ctx, options, n_seq_max=max(self.sequences))
        monitor.sample()
        try:
            self._warm_up(session, ctx)
            for index, b in enumerate(self.sequences):
                if self._ctrl_c.pressed:
                    break
                if not self._fits_batch(b):
                    self.notes.append(f"B={b} skipped: it would not finish within the budget")
                    continue
                self._one(session, ctx, b, index, monitor)
        except KeyboardInterrupt:
            self._ctrl_c.pressed = True
        except _Stop:
            pass  # a B cut by Ctrl-C or the deadline: dropped, decided below
        if self._ctrl_c.pressed:
            if not self.points:
                raise KeyboardInterrupt
            return True
        if not self.points:
            raise self._over_budget(f"B={self.sequences[0]}")
        return False

    def _warm_up(self, session: LlamaSession, ctx: object) -> None:
        """llama-batched-bench's 16-token warm-up, then (untimed) one P-token prompt and one
        single-sequence step: what the first B is predicted from."""
        self._say("warmup")
        try:
            session.clear(ctx)
            session.prompts(ctx, 1, WARMUP_TOKENS, self.plan.n_batch, self._out_of_time)
            session.clear(ctx)
            start = self._clock()
            session.prompts(ctx, 1, self.plan.n_prompt, self.plan.n_batch, self._out_of_time)
            self._per_prompt_token_s = (self._clock() - start) / self.plan.n_prompt
        except ComputeAborted:
            if self._ctrl_c.pressed:
                raise KeyboardInterrupt from None
            raise self._over_budget("the warm-up prompt") from None
        start = self._clock()
        session.steps(ctx, 1, self.plan.n_prompt, 1)
        self._per_step_s = self._clock() - start
        if self._ctrl_c.pressed:
            raise KeyboardInterrupt

    def _predicted_s(self, b: int) -> float:
        """Prefill B prompts at the rate seen so far, decode at the slowest step seen so far.
        A larger B may take longer than that: it is then cut at the deadline and dropped."""
        plan = self.plan
        prefill = b * plan.n_prompt * self._per_prompt_token_s
        return prefill + plan.n_gen * self._per_step_s

    def _fits_batch(self, b: int) -> bool:
        return self._predicted_s(b) * _SAFETY <= self._remaining()

    def _one(self, session: LlamaSession, ctx: object, b: int, index: int, monitor) -> None:
        plan = self.plan
        deadline = self._deadline()
        self._say("prefill", b, index)
        session.clear(ctx)
        start = [self._clock()]  # read again once the batch is built, as llama-batched-bench

        def filled() -> None:
            start[0] = self._clock()

        session.prompts(ctx, b, plan.n_prompt, plan.n_batch, filled=filled)
        t_pp = self._clock() - start[0]
        if self._ctrl_c.pressed or self._clock() >= deadline:
            raise _Stop
        self._say("decode", b, index)

        def keep_going() -> bool:
            return not self._ctrl_c.pressed and self._clock() < deadline

        start = self._clock()
        if not session.steps(ctx, b, plan.n_prompt, plan.n_gen, keep_going):
            raise _Stop
        t_tg = self._clock() - start
        monitor.sample()
        self.points.append(BatchPoint(b, plan.n_prompt, plan.n_gen, t_pp, t_tg))
        self._per_prompt_token_s = t_pp / (b * plan.n_prompt)
        self._per_step_s = max(self._per_step_s, t_tg / plan.n_gen)


def run_batched(plan: BenchPlan, sequences: tuple[int, ...], model: ModelFile,
                machine_fingerprint: str, on_progress: BatchedProgressFn | None = None,
                echo: IO[str] | None = None, started: float | None = None,
                clock: Callable[[], float] = time.perf_counter) -> BatchedMeasurement:  # fmt: skip
    """Run the batched test. Ctrl-C keeps the finished B values (interrupted=True); with none
    finished it raises KeyboardInterrupt. `started`: a reading of `clock` the budget counts
    from (default: now)."""
    return BatchedRun(plan, sequences, model, machine_fingerprint, on_progress, echo,
                      started=started, clock=clock).run()  # fmt: skip
