"""`advisor estimate --parallel B`: speed.parallel in the JSON contract, text, bad input."""

from __future__ import annotations

import json

import pytest

from advisor.cli import main
from advisor.errors import ExitCode
from advisor.estimate.render import SCHEMA_VERSION

ARGS = ["estimate", "--model", "qwen2.5-coder-7b-instruct", "--quant", "Q8_0",
        "--context", "16384", "--profile", "dgx-spark"]  # fmt: skip
KEYS = {"sequences", "prompt_tokens", "generated_tokens", "prefill_tokens_per_s",
        "decode_tokens_per_s", "decode_tokens_per_s_per_sequence", "decode_range",
        "prefill_range", "scaling", "context_tokens_needed", "prefill_s", "decode_s", "basis",
        "calibrated_from_runs"}  # fmt: skip


def _json(capsys, *extra: str) -> dict:
    assert main([*ARGS, *extra, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_parallel_adds_the_batched_aggregates(capsys) -> None:
    doc = _json(capsys, "--parallel", "8")
    assert doc["schema_version"] == SCHEMA_VERSION == 2
    p = doc["speed"]["parallel"]
    assert set(p) == KEYS
    assert (p["sequences"], p["prompt_tokens"], p["generated_tokens"]) == (8, 512, 128)
    assert p["decode_tokens_per_s"] == pytest.approx(8 * p["decode_tokens_per_s_per_sequence"],
                                                     rel=1e-3)  # fmt: skip
    assert p["decode_tokens_per_s"] > doc["speed"]["decode_tokens_per_s"]
    assert p["decode_range"][0] < p["decode_tokens_per_s"] < p["decode_range"][1]
    assert p["context_tokens_needed"] == 8 * 640
    assert any(f["name"].startswith("parallel.g_vector.cuda") and f["status"] == "fitted"
               for f in p["basis"])  # fmt: skip
    assert doc["speed"]["prompt_tokens"] == 4096  # the time to first token keeps its default


def test_prompt_tokens_sets_each_sequence_prompt(capsys) -> None:
    doc = _json(capsys, "--parallel", "4", "--prompt-tokens", "2048")
    p = doc["speed"]["parallel"]
    assert p["prompt_tokens"] == 2048 and p["context_tokens_needed"] == 4 * (2048 + 128)
    assert doc["speed"]["prompt_tokens"] == 2048


def test_without_parallel_the_field_is_null(capsys) -> None:
    assert _json(capsys)["speed"]["parallel"] is None


def test_text_names_the_batch(capsys) -> None:
    assert main([*ARGS, "--parallel", "16"]) == 0
    out = capsys.readouterr().out
    assert "Parallel 16 sequences, 512-token prompts, 128 tokens each: decode" in out
    assert "the KV cache must hold 10240 tokens" in out


@pytest.mark.parametrize(("value", "message"), [
    ("0", "--parallel must be at least 1 sequence, not 0"),
    ("-3", "--parallel must be at least 1 sequence, not -3"),
    ("1,x", "--parallel takes one whole number of sequences, not '1,x'"),
    ("x", "--parallel takes one whole number of sequences, not 'x'"),
])  # fmt: skip
def test_bad_parallel_is_a_usage_error(capsys, value, message) -> None:
    assert main([*ARGS, f"--parallel={value}", "--json"]) == ExitCode.USAGE
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""
