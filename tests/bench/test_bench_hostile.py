"""`advisor bench` on headers llama.cpp aborts on: refused before loading, and an abort that
gets through is exit 7 with llama.cpp's own message; stdout stays empty (--json stays JSON)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from advisor.bench.kernels import synthetic
from advisor.bench.kernels.synthetic import SyntheticSpec, write_synthetic_gguf
from advisor.cli import main
from advisor.errors import ExitCode

pytest.importorskip("llama_cpp")

FAST = ["--json", "--threads", "1", "--prompt-tokens", "32", "--gen-tokens", "8", "--runs", "1"]


@pytest.fixture(autouse=True)
def _canary(seeded_canary: bool) -> None:
    """The canary's answer cached: no extra child process per test."""


def patch_value(source: Path, target: Path, key: str, value: float) -> Path:
    """A copy of `source` with the scalar metadata `key` set to `value` (same type, in place)."""
    data = bytearray(source.read_bytes())
    raw = key.encode()
    at = data.index(struct.pack("<Q", len(raw)) + raw) + 8 + len(raw)
    (value_type,) = struct.unpack_from("<I", data, at)
    fmt = {4: "<I", 5: "<i", 6: "<f", 10: "<Q", 11: "<q", 12: "<d"}[value_type]
    struct.pack_into(fmt, data, at + 4, value)
    target.write_bytes(bytes(data))
    return target


def _with_experts(path: Path, monkeypatch: pytest.MonkeyPatch, count: int, used: int) -> Path:
    original = synthetic._add_metadata

    def add(writer, quant, spec):
        original(writer, quant, spec)
        writer.add_expert_count(count)
        writer.add_expert_used_count(used)

    monkeypatch.setattr(synthetic, "_add_metadata", add)
    return write_synthetic_gguf(path, "F16")


@pytest.fixture
def hostile(tmp_path: Path, tiny_f16: Path, monkeypatch: pytest.MonkeyPatch):
    def make(kind: str) -> Path:
        if kind == "no blocks":
            return write_synthetic_gguf(tmp_path / "blocks.gguf", "F16", SyntheticSpec(n_layer=0))
        if kind == "NaN epsilon":
            return patch_value(tiny_f16, tmp_path / "eps.gguf",
                               "llama.attention.layer_norm_rms_epsilon", float("nan"))  # fmt: skip
        if kind == "more experts used than there are":
            return _with_experts(tmp_path / "experts.gguf", monkeypatch, count=2, used=4)
        if kind == "no heads":
            return patch_value(tiny_f16, tmp_path / "heads.gguf", "llama.attention.head_count", 0)
        if kind == "no width":
            return patch_value(tiny_f16, tmp_path / "embd.gguf", "llama.embedding_length", 0)
        raise AssertionError(kind)

    return make


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("no blocks", "llama.block_count is 0"),
        ("NaN epsilon", "llama.attention.layer_norm_rms_epsilon is nan"),
        ("more experts used than there are", "llama.expert_used_count (4) is more than"),
        ("no width", "llama.embedding_length is 0"),
        ("no heads", "KV heads but no attention heads"),  # once a ZeroDivisionError
    ],
)
def test_values_llama_cpp_aborts_on_are_refused_first(hostile, kind, said, capsys) -> None:
    path = hostile(kind)
    assert main(["bench", str(path), *FAST]) == ExitCode.BAD_INPUT
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"error: {path}: inconsistent header: ")
    assert said in captured.err and "Traceback" not in captured.err


@pytest.mark.parametrize(
    ("kind", "assertion"),
    [
        ("no blocks", "GGML_ASSERT(hparams.n_layer_all > 0"),
        ("NaN epsilon", "GGML_ASSERT(eps >= 0.0f) failed"),  # at the first prompt, after loading
    ],
)
def test_an_abort_in_llama_cpp_is_exit_7_with_its_message(
    hostile, kind, assertion, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the header check does not catch still ends the child, not advisor."""
    from advisor.commands import bench

    monkeypatch.setattr(bench, "_check_header", lambda path: None)
    path = hostile(kind)
    assert main(["bench", str(path), *FAST]) == ExitCode.BENCH_FAILED
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"error: {path}: llama.cpp stopped the test (SIGABRT): " in captured.err
    assert assertion in captured.err
    assert "hint: " in captured.err


@pytest.mark.parametrize("threads", ["100000", "513", "0"])
def test_thread_counts_ggml_cannot_run_are_usage_errors(tiny_f16: Path, threads, capsys) -> None:
    args = ["bench", str(tiny_f16), "--json", "--threads", threads]
    with pytest.raises(SystemExit) as exited:  # argparse's own usage error
        main(args)
    assert exited.value.code == ExitCode.USAGE
    captured = capsys.readouterr()
    assert captured.out == "" and "--threads" in captured.err and "1 to 512" in captured.err


def test_the_plan_refuses_more_threads_than_ggml_runs(tiny_f16: Path) -> None:
    from advisor.bench.plan import BenchPlan
    from advisor.errors import UsageError

    with pytest.raises(UsageError, match="between 1 and 512"):
        BenchPlan(tiny_f16, n_threads=100_000)


@pytest.mark.parametrize("kind", ["no heads", "no width"])
def test_catalog_add_refuses_a_header_with_no_heads_or_width(hostile, kind, capsys) -> None:
    path = hostile(kind)
    assert main(["catalog", "add", str(path)]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: ") and "Traceback" not in err
