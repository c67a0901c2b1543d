"""The real benchmark on real tiny GGUF files: results, interruption, budget and failures."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from advisor.bench.kernels.synthetic import TINY, SyntheticSpec, write_synthetic_gguf
from advisor.bench.model_file.identity import describe_file
from advisor.bench.plan import BenchPlan, Progress, placement_kind
from advisor.bench.run.runner import TEARDOWN_S, BenchRun, run_bench
from advisor.errors import BenchError, GGUFError, OutOfMemoryError
from tests.clocks import TickClock

pytest.importorskip("llama_cpp")


def _plan(path: Path, extra: bool, **kw) -> BenchPlan:
    # One thread: on a busy shared machine, two spinning OpenMP threads wait on each other.
    values = dict(
        budget_s=120.0, n_prompt=32, n_gen=8, max_runs=2, extra_buffers=extra, n_threads=1
    )
    values.update(kw)
    return BenchPlan(path, **values)


def _bench(plan: BenchPlan, on_progress=None, **kw):
    """run_bench on a clock of its own: the budget ends runs only where a test says so."""
    kw.setdefault("clock", TickClock())
    return run_bench(plan, describe_file(plan.path), "fp", on_progress, **kw)


def test_real_run_on_each_quant(tiny_gguf: Path, extra_buffers_ok: bool) -> None:
    seen: list[Progress] = []
    m = _bench(_plan(tiny_gguf, extra_buffers_ok), seen.append)
    quant = tiny_gguf.stem.split("-", 1)[1]
    assert m.model.file_type == quant
    assert m.model.n_layers == TINY.n_layer
    assert m.model.n_params == TINY.n_params
    assert m.model.architecture == "llama"
    assert m.prefill is not None and m.prefill.test == "pp32" and m.prefill.runs == 2
    assert m.decode is not None and m.decode.test == "tg8" and m.decode.runs == 2
    assert all(rate > 0 for rate in m.prefill.samples_tokens_per_s + m.decode.samples_tokens_per_s)
    assert m.placement == "cpu" and m.settings.backend == "cpu"
    assert m.settings.n_ctx == 40 and not m.settings.is_standard
    assert m.peak_rss_bytes is not None and m.peak_rss_bytes > 10 * 2**20
    assert not m.interrupted and m.load_s >= 0
    assert [p.phase for p in seen[:2]] == ["load", "warmup"]
    assert {p.phase for p in seen[2:]} == {"prefill", "decode"}


def test_without_nvml_the_gpu_figures_are_unknown_with_a_reason(
    tiny_f16: Path, extra_buffers_ok: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pynvml", None)  # import pynvml -> ImportError
    m = _bench(_plan(tiny_f16, extra_buffers_ok))
    assert m.peak_vram_bytes is None and m.mean_power_w is None
    assert m.decode is not None and m.decode.joules_per_token is None
    assert "pynvml" in m.unknown["peak_vram_bytes"]
    assert "NVML" in m.unknown["joules_per_token"]


def test_keyboard_interrupt_between_runs_keeps_the_finished_ones(
    tiny_f16: Path, extra_buffers_ok: bool
) -> None:
    def stop_at_second_prompt(event: Progress) -> None:
        if event.phase == "prefill" and event.prefill_runs == 1:
            raise KeyboardInterrupt

    plan = _plan(tiny_f16, extra_buffers_ok, max_runs=5)
    m = _bench(plan, stop_at_second_prompt)
    assert m.interrupted
    assert m.prefill is not None and m.prefill.runs == 1
    assert m.decode is not None and m.decode.runs == 1


def test_ctrl_c_during_generation_stops_that_run_and_keeps_the_others(
    tiny_f16: Path, extra_buffers_ok: bool
) -> None:
    def press_ctrl_c(event: Progress) -> None:
        if event.phase == "decode" and event.decode_runs == 1:
            os.kill(os.getpid(), signal.SIGINT)  # the runner's handler only sets a flag

    plan = _plan(tiny_f16, extra_buffers_ok, max_runs=5)
    before = signal.getsignal(signal.SIGINT)
    m = _bench(plan, press_ctrl_c)
    assert m.interrupted
    assert m.decode is not None and m.decode.runs == 1  # the second was cut, not counted
    assert m.prefill is not None and m.prefill.runs == 2
    assert signal.getsignal(signal.SIGINT) is before  # the caller's handler is back


def test_interrupt_before_any_result_raises(tiny_f16: Path, extra_buffers_ok: bool) -> None:
    def stop_while_loading(event: Progress) -> None:
        if event.phase == "warmup":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _bench(_plan(tiny_f16, extra_buffers_ok), stop_while_loading)


def test_a_budget_too_short_to_load_is_a_bench_error(
    tiny_f16: Path, extra_buffers_ok: bool
) -> None:
    plan = _plan(tiny_f16, extra_buffers_ok, budget_s=1e-9)
    with pytest.raises(BenchError, match="budget ran out before loading the model") as info:
        _bench(plan)
    assert "--budget" in (info.value.hint or "")


def test_the_budget_counts_from_the_start_it_is_given(
    tiny_f16: Path, extra_buffers_ok: bool
) -> None:
    """`advisor bench` passes its process's start: time spent before run() is budget spent."""
    plan = _plan(tiny_f16, extra_buffers_ok, budget_s=60)
    clock = TickClock()
    started = clock.now - 60 + TEARDOWN_S / 2  # all but the teardown reserve gone
    with pytest.raises(BenchError, match="budget ran out before loading the model"):
        _bench(plan, started=started, clock=clock)


def test_a_budget_spent_in_warm_up_is_a_bench_error(
    tiny_f16: Path, extra_buffers_ok: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from advisor.bench.run.session import LlamaSession

    clock = TickClock()

    original = LlamaSession.generate

    def slow_warm_up_token(self, ctx, n_gen, keep_going=None):
        if n_gen == 1:
            clock.advance(1000.0)  # the warm-up finishes, but takes all the budget
        return original(self, ctx, n_gen, keep_going)

    monkeypatch.setattr(LlamaSession, "generate", slow_warm_up_token)
    plan = _plan(tiny_f16, extra_buffers_ok, budget_s=60)
    run = BenchRun(plan, describe_file(tiny_f16), "fp", clock=clock)
    with pytest.raises(BenchError, match="one prompt and one generation run"):
        run.run()


def test_a_budget_ends_the_repetitions_early(tiny_f16: Path, extra_buffers_ok: bool) -> None:
    clock = TickClock()

    def age_after_first_pair(event: Progress) -> None:
        if event.phase == "prefill" and event.prefill_runs == 1:
            clock.advance(60 - event.elapsed_s)  # the budget is spent from here on

    plan = _plan(tiny_f16, extra_buffers_ok, budget_s=60, max_runs=10)
    m = BenchRun(plan, describe_file(tiny_f16), "fp", age_after_first_pair, clock=clock).run()
    assert not m.interrupted
    assert m.prefill is not None and m.decode is not None
    assert m.prefill.runs == 2 and m.decode.runs == 1


def test_truncated_file_is_a_gguf_error(tmp_path: Path, tiny_f16: Path) -> None:
    data = tiny_f16.read_bytes()
    broken = tmp_path / "truncated.gguf"
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(GGUFError, match="not within the file bounds"):
        _bench(_plan(broken, False))


def test_corrupt_header_is_a_gguf_error(tmp_path: Path) -> None:
    broken = tmp_path / "corrupt.gguf"
    broken.write_bytes(b"GGUF" + bytes(range(256)) * 20)
    with pytest.raises(GGUFError, match="cannot read this GGUF"):
        _bench(_plan(broken, False))


def test_unknown_architecture_is_a_gguf_error(tmp_path: Path) -> None:
    import gguf
    import numpy as np

    path = tmp_path / "alien.gguf"
    writer = gguf.GGUFWriter(path, "not-an-architecture")
    writer.add_tensor("w", np.zeros((4, 32), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    with pytest.raises(GGUFError, match="unknown model architecture"):
        _bench(_plan(path, False))


def test_a_context_too_large_for_memory_is_out_of_memory(tmp_path: Path) -> None:
    overcommit = Path("/proc/sys/vm/overcommit_memory")
    if not overcommit.exists() or overcommit.read_text().strip() not in ("0", "2"):
        pytest.skip("needs Linux's overcommit check to refuse an impossible allocation")
    # Wide K/V rows make the KV cache 32 KiB a token in f32: 2**20 tokens ask for 32 GiB in
    # one allocation, which malloc refuses at once, while llama.cpp's per-cell bookkeeping
    # for that many tokens stays small.
    spec = SyntheticSpec(n_embd=1024, n_head=8, n_head_kv=8, n_ff=64, n_layer=4)
    path = write_synthetic_gguf(tmp_path / "wide-kv.gguf", "F16", spec)
    plan = _plan(path, False, n_prompt=2**20, kv_type="f32")
    with pytest.raises(OutOfMemoryError, match="failed to allocate buffer for kv cache"):
        _bench(plan)


@pytest.mark.parametrize(
    ("ngl", "layers", "backend", "kind"),
    [
        (0, 32, "cuda", "cpu"),
        (99, 32, "cpu", "cpu"),
        (-1, 32, "cuda", "gpu"),
        (33, 32, "cuda", "gpu"),
        (32, 32, "cuda", "partial"),
        (10, 32, "metal", "partial"),
    ],
)
def test_placement_kind(ngl: int, layers: int, backend: str, kind: str) -> None:
    assert placement_kind(ngl, layers, backend) == kind


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"budget_s": 0}, "--budget"),
        ({"n_threads": 0}, "--threads"),
        ({"n_gen": 0}, ">= 1"),
        ({"flash_attn": "maybe"}, "flash attention"),
    ],
)
def test_bad_plans_are_usage_errors(kwargs: dict, message: str) -> None:
    from advisor.errors import UsageError

    with pytest.raises(UsageError, match=message):
        BenchPlan(Path("x.gguf"), **kwargs)


def test_unknown_kv_type_is_refused() -> None:
    with pytest.raises(BenchError, match="KV cache type"):
        BenchPlan(Path("x.gguf"), kv_type="q3_k")


def test_a_warm_up_past_the_deadline_is_cut_part_way(
    tiny_f16: Path, extra_buffers_ok: bool
) -> None:
    clock = TickClock()

    def deadline_at_warm_up(event: Progress) -> None:
        if event.phase == "warmup":
            clock.advance(1000.0)  # the deadline passes as the warm-up prompt starts

    plan = _plan(tiny_f16, extra_buffers_ok, budget_s=60, n_prompt=256)
    run = BenchRun(plan, describe_file(tiny_f16), "fp", deadline_at_warm_up, clock=clock)
    with pytest.raises(BenchError, match="before the warm-up prompt finished") as info:
        run.run()
    assert "--budget 190" in (info.value.hint or "")
