"""`advisor bench --parallel`: the batched test on real tiny GGUF files, its store and its CLI."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
from pathlib import Path

import pytest

from advisor.bench.batched import (
    BatchedMeasurement,
    BatchPoint,
    batched_from_dict,
    batched_to_dict,
)
from advisor.bench.model_file.identity import describe_file
from advisor.bench.plan import BatchedProgress, BenchPlan, parse_parallel
from advisor.bench.run.batched_runner import BatchedRun, run_batched
from advisor.bench.store.db import SCHEMA_VERSION, BenchStore
from advisor.cli import main
from advisor.errors import BenchError, ExitCode, UsageError
from tests.clocks import TickClock

FAST = ["--threads", "1", "--prompt-tokens", "16", "--gen-tokens", "4", "--budget", "120"]


def _plan(path: Path, extra: bool, **kw) -> BenchPlan:
    values = dict(budget_s=120.0, n_prompt=16, n_gen=4, extra_buffers=extra, n_threads=1)
    values.update(kw)
    return BenchPlan(path, **values)


@pytest.mark.parametrize(("text", "values"), [("1,2,4,8", (1, 2, 4, 8)), (" 8, 1 ", (8, 1)),
                                              ("3", (3,))])  # fmt: skip
def test_parallel_lists_parse(text: str, values: tuple[int, ...]) -> None:
    assert parse_parallel(text) == values


@pytest.mark.parametrize(("text", "message"), [
    ("0", "from 1 to 256 sequences, not 0"),
    ("1,x", "whole numbers of sequences separated by commas, not '1,x'"),
    ("", "whole numbers"),
    ("1,,2", "whole numbers"),
    ("300", "not 300"),
    ("2,2", "lists 2 twice"),
])  # fmt: skip
def test_bad_parallel_lists_are_usage_errors(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_parallel(text)


@pytest.mark.parametrize("value", ["0", "1,x"])
def test_cli_refuses_a_bad_parallel_list_before_any_work(tmp_path: Path, capsys, value) -> None:
    missing = tmp_path / "none.gguf"  # never opened: the list is checked first
    assert main(["bench", str(missing), f"--parallel={value}"]) == ExitCode.USAGE
    captured = capsys.readouterr()
    assert "--parallel" in captured.err and captured.out == ""


def _points(m: BatchedMeasurement) -> list[int]:
    return [p.sequences for p in m.points]


def test_real_batched_run(tiny_f16: Path, extra_buffers_ok: bool) -> None:
    pytest.importorskip("llama_cpp")
    seen: list[BatchedProgress] = []
    m = run_batched(_plan(tiny_f16, extra_buffers_ok), (1, 2, 4), describe_file(tiny_f16), "fp",
                    seen.append, clock=TickClock())  # fmt: skip
    assert _points(m) == [1, 2, 4] and not m.interrupted
    assert m.settings.n_ctx == 4 * (16 + 4) and m.settings.n_prompt == 16
    for p in m.points:
        assert p.prefill_s > 0 and p.decode_s > 0
        assert p.decode_tokens_per_s == pytest.approx(p.sequences * 4 / p.decode_s)
        assert p.prefill_tokens_per_s == pytest.approx(p.sequences * 16 / p.prefill_s)
    assert m.scaling(1) == 1.0
    assert [e.phase for e in seen[:2]] == ["load", "warmup"]
    assert [(e.phase, e.sequences, e.index) for e in seen[2:]] == [
        ("prefill", 1, 0), ("decode", 1, 0), ("prefill", 2, 1), ("decode", 2, 1),
        ("prefill", 4, 2), ("decode", 4, 2)]  # fmt: skip


def test_ctrl_c_keeps_the_finished_b_values(tiny_f16: Path, extra_buffers_ok: bool) -> None:
    pytest.importorskip("llama_cpp")

    def press_ctrl_c(event: BatchedProgress) -> None:
        if event.phase == "decode" and event.sequences == 2:
            os.kill(os.getpid(), signal.SIGINT)  # the runner's handler only sets a flag

    plan = _plan(tiny_f16, extra_buffers_ok)
    before = signal.getsignal(signal.SIGINT)
    m = run_batched(plan, (1, 2, 4), describe_file(tiny_f16), "fp", press_ctrl_c,
                    clock=TickClock())  # fmt: skip
    assert m.interrupted and _points(m) == [1]  # B=2 was cut, B=4 never started
    assert signal.getsignal(signal.SIGINT) is before  # the caller's handler is back


def test_interrupt_before_any_b_finished_raises(tiny_f16: Path, extra_buffers_ok: bool) -> None:
    pytest.importorskip("llama_cpp")

    def stop(event: BatchedProgress) -> None:
        if event.phase == "prefill":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batched(_plan(tiny_f16, extra_buffers_ok), (1, 2), describe_file(tiny_f16), "fp",
                    stop, clock=TickClock())  # fmt: skip


def test_a_b_cut_by_the_deadline_is_dropped(tiny_f16: Path, extra_buffers_ok: bool) -> None:
    pytest.importorskip("llama_cpp")
    clock = TickClock()

    def spend_budget_at_b2(event: BatchedProgress) -> None:
        if event.phase == "prefill" and event.sequences == 2:
            clock.advance(60 - event.elapsed_s)  # the budget is spent from here on

    plan = _plan(tiny_f16, extra_buffers_ok, budget_s=60)
    run = BatchedRun(plan, (1, 2, 4), describe_file(tiny_f16), "fp", spend_budget_at_b2,
                     clock=clock)  # fmt: skip
    m = run.run()
    assert not m.interrupted and _points(m) == [1]


def test_a_b_is_started_only_if_its_predicted_time_fits(tiny_f16: Path) -> None:
    now = [100.0]
    plan = _plan(tiny_f16, True, budget_s=10)
    run = BatchedRun(plan, (1, 8), describe_file(tiny_f16), "fp", clock=lambda: now[0])
    run._t0 = 100.0
    run._per_prompt_token_s, run._per_step_s = 0.01, 0.5  # as a finished B=1 left them
    # B=8: 8 prompts x 16 tokens x 0.01 s + 4 steps x 0.5 s = 3.28 s, x1.05 to be safe
    now[0] = 100.0 + 10 - 0.3 - 3.5
    assert run._fits_batch(8)
    now[0] = 100.0 + 10 - 0.3 - 3.4
    assert not run._fits_batch(8)


def test_a_budget_spent_before_any_b_is_a_bench_error(
    tiny_f16: Path, extra_buffers_ok: bool
) -> None:
    pytest.importorskip("llama_cpp")
    clock = TickClock()

    def spend_at_prefill(event: BatchedProgress) -> None:
        if event.phase == "warmup":
            clock.advance(1000.0)

    plan = _plan(tiny_f16, extra_buffers_ok, budget_s=60)
    run = BatchedRun(plan, (2, 4), describe_file(tiny_f16), "fp", spend_at_prefill, clock=clock)
    with pytest.raises(BenchError, match="budget ran out"):
        run.run()


def _measurement(tiny: Path, points=((1, 0.1, 1.0), (4, 0.3, 2.0))) -> BatchedMeasurement:
    from tests.bench.helpers import settings

    return BatchedMeasurement(
        machine_fingerprint="fp", model=describe_file(tiny),
        settings=settings(n_prompt=16, n_gen=4, n_ctx=80), placement="cpu",
        sequences_asked=(1, 4, 8), points=tuple(BatchPoint(b, 16, 4, pp, tg)
                                                for b, pp, tg in points),
        load_s=0.1, started_at="2026-12-06T18:00:00+00:00", duration_s=3.0, budget_s=30.0,
    )  # fmt: skip


def test_measurement_round_trips_through_json(tiny_f16: Path) -> None:
    m = _measurement(tiny_f16)
    data = json.loads(json.dumps(batched_to_dict(m)))
    assert data["kind"] == "parallel"
    assert data["points"][1]["decode_tokens_per_s"] == pytest.approx(8.0)
    assert data["points"][1]["scaling"] == pytest.approx(2.0)
    assert batched_from_dict(data) == m


def test_store_keeps_batched_runs(advisor_home: Path, tiny_f16: Path) -> None:
    m = _measurement(tiny_f16)
    with BenchStore() as store:
        run_id = store.add_batched(m)
        (stored,) = store.batched_history("fp")
        assert store.batched_history("other") == []
        assert store.history() == []  # the single-stream history is untouched
    assert stored.id == run_id and stored.measurement == m


def test_history_lists_batched_runs_too(advisor_home: Path, tiny_f16: Path, capsys) -> None:
    m = _measurement(tiny_f16)
    with BenchStore() as store:
        run_id = store.add_batched(m)
    assert main(["bench", "--history"]) == ExitCode.OK
    text = capsys.readouterr().out
    assert "no throughput tests stored yet" not in text
    assert "batched runs (--parallel)" in text
    row = next(line for line in text.splitlines() if line.startswith(f"{run_id} "))
    assert "1,4" in row and "(B=4)" in row and "x2.00" in row
    assert main(["bench", "--history", "--json"]) == ExitCode.OK
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["kind"] == "parallel" and entry["id"] == run_id
    assert [p["sequences"] for p in entry["points"]] == [p.sequences for p in m.points]


def test_a_version_1_store_is_migrated(tmp_path: Path, tiny_f16: Path) -> None:
    from advisor.bench.store.db import _V1

    path = tmp_path / "bench.sqlite"
    raw = sqlite3.connect(path)
    raw.executescript(_V1)
    raw.execute("PRAGMA user_version = 1")
    raw.close()
    with BenchStore(path) as store:
        store.add_batched(_measurement(tiny_f16))
        assert len(store.batched_history()) == 1
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_cli_runs_stores_and_prints(tiny_f16: Path, capsys, seeded_canary: bool) -> None:
    pytest.importorskip("llama_cpp")
    args = ["bench", str(tiny_f16), "--parallel", "1,2", *FAST]
    assert main([*args, "--json"]) == ExitCode.OK
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "parallel" and data["id"] == 1
    assert [p["sequences"] for p in data["points"]] == [1, 2]
    assert all(p["estimated_decode_tokens_per_s"] > 0 for p in data["points"])
    assert main(args) == ExitCode.OK
    out = capsys.readouterr().out
    assert "llama-batched-bench -npp 16 -ntg 4" in out and "S_TG t/s" in out
    assert "stored     parallel run #2" in out
    with BenchStore() as store:
        assert len(store.batched_history()) == 2


def test_the_prefill_clock_starts_once_the_batch_is_built(
    tiny_f16: Path, extra_buffers_ok: bool, monkeypatch
) -> None:
    # llama-batched-bench builds its whole batch, then starts T_PP: building it here (one
    # Python call a token) is kept out of T_PP too. Each token put costs 1 s on this clock.
    pytest.importorskip("llama_cpp")
    from advisor.bench.run.session import LlamaSession

    now = [0.0]
    put = LlamaSession._put

    def slow_put(*args) -> None:
        now[0] += 1.0
        put(*args)

    monkeypatch.setattr(LlamaSession, "_put", staticmethod(slow_put))
    plan = _plan(tiny_f16, extra_buffers_ok, budget_s=1e9)
    m = BatchedRun(plan, (1, 2), describe_file(tiny_f16), "fp", clock=lambda: now[0]).run()
    for p in m.points:
        assert p.prefill_s < 1.0  # none of its sequences x 16 puts
        assert p.decode_s >= p.sequences * 4  # the steps put their tokens inside T_TG, as it does
