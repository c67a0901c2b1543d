"""`advisor bench` from the command line: output, store, exit codes, Ctrl-C, --download."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import signal
import sys
from pathlib import Path

import pytest

from advisor.bench.store.db import BenchStore
from advisor.cli import main
from advisor.errors import ExitCode
from tests.bench.hub_server import COMMIT, Hub, point_huggingface_hub_at, serve

FAST = ["--threads", "1", "--prompt-tokens", "32", "--gen-tokens", "8", "--runs", "2"]


@pytest.fixture(autouse=True)
def _canary(seeded_canary: bool) -> None:
    """Every test here starts with the canary's answer cached (no child process)."""


def _json(capsys: pytest.CaptureFixture[str]) -> dict:
    return json.loads(capsys.readouterr().out)


def test_a_run_prints_json_and_is_stored(tiny_f16: Path, capsys) -> None:
    assert main(["bench", str(tiny_f16), "--json", *FAST]) == ExitCode.OK
    data = _json(capsys)
    assert data["id"] == 1
    assert data["model"]["file_type"] == "F16" and data["model"]["n_layers"] == 2
    assert data["prefill"]["test"] == "pp32" and data["prefill"]["runs"] == 2
    assert data["decode"]["mean_tokens_per_s"] > 0
    assert data["settings"]["n_threads"] == 1
    assert any("not used for calibration" in note for note in data["notes"])
    assert data["machine_fingerprint"].startswith("m-")
    with BenchStore() as store:
        (stored,) = store.history()
    assert stored.measurement.decode is not None


def test_model_may_name_the_file(tiny_f16: Path, capsys) -> None:
    """`--model PATH.gguf` is the file, as for `advisor estimate`."""
    assert main(["bench", "--model", str(tiny_f16), "--json", *FAST]) == ExitCode.OK
    data = _json(capsys)
    assert data["model"]["file_type"] == "F16" and data["decode"]["mean_tokens_per_s"] > 0


def test_text_output_and_history(tiny_f16: Path, capsys) -> None:
    assert main(["bench", str(tiny_f16), *FAST]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "pp32" in out and "tg8" in out and "tokens/s (2 runs)" in out
    assert "stored     run #1" in out
    assert main(["bench", "--history"]) == ExitCode.OK
    history = capsys.readouterr().out.splitlines()
    assert history[0].split()[:3] == ["id", "date", "model"]
    assert "advisor-synthetic-llama [F16]" in history[1]
    assert main(["bench", "--history", "--json"]) == ExitCode.OK
    (row,) = _json(capsys)
    assert row["id"] == 1 and row["model"]["name"] == "advisor-synthetic-llama"


def test_history_with_no_store(capsys) -> None:
    assert main(["bench", "--history", "--json"]) == ExitCode.OK
    assert _json(capsys) == []


def test_a_default_run_finishes_within_its_budget(tiny_f16: Path, capsys) -> None:
    assert main(["bench", str(tiny_f16), "--json", "--threads", "1", "--budget", "20"]) == 0
    data = _json(capsys)
    assert data["prefill"]["test"] == "pp512" and data["decode"]["test"] == "tg128"
    assert data["duration_s"] <= data["budget_s"] == 20


def _on_progress(monkeypatch: pytest.MonkeyPatch, act) -> None:
    """Call `act(event)` with each progress event `advisor bench` draws (in this process,
    while the test runs in its child)."""
    import contextlib

    from advisor.commands import bench_view

    @contextlib.contextmanager
    def progress_bar(stream, budget_s, enabled):
        yield act

    monkeypatch.setattr(bench_view, "progress_bar", progress_bar)


def test_ctrl_c_keeps_the_finished_runs(
    tiny_f16: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Ctrl-C reaches this process (the child has a process group of its own) and is
    passed on: the child finishes the repetition in hand and sends what finished."""

    def press_ctrl_c(event) -> None:
        if event.phase == "decode" and event.decode_runs == 1:
            os.kill(os.getpid(), signal.SIGINT)

    _on_progress(monkeypatch, press_ctrl_c)
    before = signal.getsignal(signal.SIGINT)
    args = ["bench", str(tiny_f16), "--json", *FAST[:-1], "5"]
    assert main(args) == ExitCode.INTERRUPTED
    data = _json(capsys)
    assert data["interrupted"] and data["decode"]["runs"] == 1
    with BenchStore() as store:
        (stored,) = store.history()
    assert stored.measurement.interrupted
    assert signal.getsignal(signal.SIGINT) is before  # the caller's handler is back


def test_ctrl_c_before_any_result_stores_nothing(
    tiny_f16: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    def press_ctrl_c_twice(event) -> None:
        if event.phase == "warmup":
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGINT)

    _on_progress(monkeypatch, press_ctrl_c_twice)
    assert main(["bench", str(tiny_f16), "--json", *FAST]) == ExitCode.INTERRUPTED
    assert capsys.readouterr().out == ""
    assert not (Path(os.environ["ADVISOR_HOME"]) / "data" / "bench.sqlite").exists()


def test_without_llama_cpp_the_exit_code_and_hint(
    tiny_f16: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # import llama_cpp -> ImportError
    assert main(["bench", str(tiny_f16)]) == ExitCode.MISSING_DEPENDENCY
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "error: llama-cpp-python is not installed; the throughput test needs it",
        "hint: in advisor's repository folder: .venv/bin/pip install -e '.[bench]'",
    ]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["bench"], ExitCode.USAGE),
        (["bench", "--model", "qwen3-8b"], ExitCode.USAGE),
        (["bench", "x.gguf", "--download"], ExitCode.USAGE),
        (["bench", "/no/such/model.gguf"], ExitCode.NOT_FOUND),
        (["bench", "--model", "no-such-model", "--quant", "Q4_K_M"], ExitCode.NOT_FOUND),
        (["bench", "--model", "qwen3-8b", "--quant", "Q9_K"], ExitCode.NOT_FOUND),
        (["bench", "--model", "/no/such/model.gguf"], ExitCode.NOT_FOUND),
        (["bench", "--model", "x.gguf", "--quant", "Q8_0"], ExitCode.USAGE),
        (["bench", "--model", "x.gguf", "--download"], ExitCode.USAGE),
    ],
)
def test_usage_and_lookup_errors(args: list[str], code: ExitCode, capsys) -> None:
    assert main(args) == code
    assert capsys.readouterr().err.startswith("error: ")


def test_a_file_that_is_not_gguf_is_bad_input(tmp_path: Path, capsys) -> None:
    path = tmp_path / "model.gguf"
    path.write_bytes(b"<html>404 not found</html>" * 10)
    assert main(["bench", str(path)]) == ExitCode.BAD_INPUT
    assert str(path) in capsys.readouterr().err


def test_a_truncated_file_is_bad_input_and_stores_nothing(tmp_path: Path, tiny_f16, capsys) -> None:
    data = tiny_f16.read_bytes()
    path = tmp_path / "cut.gguf"
    path.write_bytes(data[: len(data) * 2 // 3])
    assert main(["bench", str(path), *FAST]) == ExitCode.BAD_INPUT
    assert "truncated" in capsys.readouterr().err
    assert not (Path(os.environ["ADVISOR_HOME"]) / "data" / "bench.sqlite").exists()


def test_a_budget_too_small_fails_cleanly(tiny_f16: Path, capsys) -> None:
    assert main(["bench", str(tiny_f16), "--budget", "0.000001", *FAST]) == ExitCode.BENCH_FAILED
    err = capsys.readouterr().err
    assert "budget ran out" in err and "hint: give the test more time" in err


def test_a_process_minutes_old_still_gets_the_whole_budget(
    tiny_f16: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The budget is the command's: a test run or a program embedding advisor may have
    started long before (it once counted from the process's start)."""
    import time

    import psutil

    monkeypatch.setattr(psutil.Process, "create_time", lambda self: time.time() - 45)
    assert main(["bench", str(tiny_f16), "--json", *FAST]) == ExitCode.OK
    data = _json(capsys)
    assert data["decode"]["runs"] == 2 and data["duration_s"] < 1


def test_time_the_command_spends_before_loading_counts(
    tiny_f16: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The budget counts from the command's start: a probe that took 40 s of a 30 s budget
    leaves nothing for the model."""
    import advisor.probe
    from advisor.commands import bench

    real_probe = advisor.probe.probe_machine

    def slow_probe(*args, **kwargs):
        bench.clock.advance(40)
        return real_probe(*args, **kwargs)

    monkeypatch.setattr(advisor.probe, "probe_machine", slow_probe)
    assert main(["bench", str(tiny_f16), *FAST]) == ExitCode.BENCH_FAILED
    assert "budget ran out before loading the model" in capsys.readouterr().err


def _tiny_catalog_model(tiny_q8: Path, repo: str) -> str:
    """Add the tiny model to the user's catalog overlay, as `advisor catalog add` would."""
    from advisor.catalog import load_catalog
    from advisor.catalog.add import entry_from_gguf
    from advisor.catalog.gguf.file import read_model_file
    from advisor.catalog.overlay import overlay_path
    from advisor.catalog.overlay_add import add_model

    shipped = load_catalog(overlay=False)
    entry = entry_from_gguf(read_model_file(tiny_q8), taken_ids=[m.id for m in shipped.models])
    model = dataclasses.replace(entry.model, gguf_repo=repo)
    add_model(overlay_path(), shipped, model, entry.source_key, entry.source)
    return model.id


def test_download_then_installed(
    tiny_gguf_dir: Path, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("HF_HUB_CACHE", str(home / "hub"))
    monkeypatch.setenv("OLLAMA_MODELS", str(home / "ollama"))
    tiny_q8 = tiny_gguf_dir / "tiny-Q8_0.gguf"
    repo = "advisor-tests/tiny-llama-GGUF"
    served = Hub({f"{repo}/tiny-Q8_0.gguf": tiny_q8.read_bytes()})
    with serve(served) as hub:
        point_huggingface_hub_at(monkeypatch, hub.url, str(home / "hub"))
        model_id = _tiny_catalog_model(tiny_q8, repo)
        wanted = ["bench", "--model", model_id, "--quant", "Q8_0", "--json", *FAST]

        assert main(wanted) == ExitCode.NOT_FOUND  # not on disk, and no --download
        assert "--download" in capsys.readouterr().err
        assert hub.gets() == []

        assert main([*wanted, "--download"]) == ExitCode.OK
        first = _json(capsys)
        assert hub.gets() == [f"/{repo}/resolve/{COMMIT}/tiny-Q8_0.gguf"]  # the listed commit
        assert first["model"]["model_id"] == model_id and first["model"]["quant"] == "Q8_0"
        snapshot = home / "hub" / f"models--advisor-tests--tiny-llama-GGUF/snapshots/{COMMIT}"
        # the snapshot entry links to its blob; the run records the file llama.cpp opened
        assert Path(first["model"]["path"]) == (snapshot / "tiny-Q8_0.gguf").resolve()

        assert main(wanted) == ExitCode.OK  # now `advisor scan` finds it in the Hub cache
        second = _json(capsys)
        assert second["model"]["path"] == first["model"]["path"]
        assert len(hub.gets()) == 1


def test_an_unwritable_store_still_prints_the_numbers(tiny_f16: Path, capsys) -> None:
    data_dir = Path(os.environ["ADVISOR_HOME"]) / "data"
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    data_dir.write_text("a file where the data folder should be")
    assert main(["bench", str(tiny_f16), "--json", *FAST]) == ExitCode.WRITE_FAILED
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["id"] is None and data["decode"]["runs"] == 2
    assert "cannot open the bench store" in captured.err


@contextlib.contextmanager
def _read_only(*paths: Path):
    """Make `paths` unwritable even for root (chattr +i), or by mode for other users."""
    if os.geteuid() != 0:
        modes = [p.stat().st_mode for p in paths]
        for p in paths:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            yield
        finally:
            for p, mode in zip(paths, modes, strict=True):
                p.chmod(mode)
        return
    import shutil
    import subprocess

    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", *map(str, paths)]).returncode != 0:
        pytest.skip("cannot make a file read-only for root here (no chattr +i)")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", *map(str, paths)], check=True)


def test_a_read_only_store_prints_the_results_first_and_says_why(tiny_f16: Path, capsys) -> None:
    """The store once read as "unreadable" (exit 3, "move the file aside") and the run's
    results were lost; now they are printed, then the store is tried: exit 9, the right hint."""
    assert main(["bench", str(tiny_f16), *FAST]) == ExitCode.OK
    capsys.readouterr()
    store = Path(os.environ["ADVISOR_HOME"]) / "data" / "bench.sqlite"
    with _read_only(store, store.parent):
        assert main(["bench", str(tiny_f16), *FAST]) == ExitCode.WRITE_FAILED
    captured = capsys.readouterr()
    assert "pp32" in captured.out and "tg8" in captured.out
    assert "stored     run" not in captured.out
    assert f"error: cannot write the bench store {store}" in captured.err
    assert "read-only or full; the results are printed above" in captured.err


@pytest.mark.parametrize("kind", ["folder", "fifo", "loop"])
def test_a_path_that_is_no_model_file_says_what_it_is(kind: str, tmp_path: Path, capsys) -> None:
    """bench once said "no such model file" for all of these."""
    path = tmp_path / "model.gguf"
    if kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to(tmp_path / "other.gguf")
        (tmp_path / "other.gguf").symlink_to(path)
    assert main(["bench", str(path), *FAST]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    said = {"folder": "it is a folder", "fifo": "it is a pipe (FIFO)", "loop": "symbolic links"}
    assert err.startswith(f"error: {path}: ") and said[kind] in err
