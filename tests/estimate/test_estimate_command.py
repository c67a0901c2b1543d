"""`advisor estimate` on the shipped catalog and profiles: the JSON contract, text, errors."""

from __future__ import annotations

import json
import re

import pytest

from advisor.cli import main
from advisor.errors import ExitCode

ARGS = ["estimate", "--model", "META-LLAMA/Llama-3.1-8B-Instruct", "--quant", "q4_k_m",
        "--context", "8192", "--profile", "rtx-4090-desktop"]  # fmt: skip


def _json(capsys, *extra: str) -> dict:
    assert main([*ARGS, *extra, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_contract(capsys) -> None:
    doc = _json(capsys)
    memory = doc["memory"]
    assert set(memory) == {"weights_bytes", "kv_cache_bytes", "compute_bytes",
                           "overhead_bytes", "total_bytes"}  # fmt: skip
    assert memory["total_bytes"] == sum(v for k, v in memory.items() if k != "total_bytes")
    assert all(isinstance(v, int) and v > 0 for v in memory.values())
    assert doc["placement"] in ("gpu", "partial", "cpu") and doc["placement"] == "gpu"
    assert doc["gpu_layers"] == doc["total_layers"] == 33
    assert doc["fits"] is True and isinstance(doc["max_context_tokens"], int)
    by_placement = {c["placement"]: c for c in doc["max_context_by_placement"]}
    assert by_placement["all on the GPU"]["max_context_tokens"] == doc["max_context_tokens"]
    assert by_placement["CPU only"]["kind"] == "cpu"
    speed = doc["speed"]
    assert speed["decode_tokens_per_s"] > 0 and speed["prefill_tokens_per_s"] > 0
    low, high = speed["decode_range"]
    assert low <= speed["decode_tokens_per_s"] <= high
    assert speed["basis"] and {"name", "value", "status", "source"} <= set(speed["basis"][0])
    assert speed["decode_at_depth"][0] == {
        "depth_tokens": 0,
        "decode_tokens_per_s": speed["decode_tokens_per_s"],
    }
    assert speed["time_to_first_token_s"] > 0 and speed["prompt_tokens"] == 4096
    assert doc["model_id"] == "llama-3.1-8b-instruct" and doc["quant"] == "Q4_K_M"
    devices = {d["device"]: d for d in doc["devices"]}
    assert set(devices) == {"gpu0", "cpu"}
    assert sum(d["total_bytes"] for d in doc["devices"]) == memory["total_bytes"]
    assert doc["reasons"][0].startswith("fits at 8192 tokens")
    assert doc["settings"] == {"n_batch": 2048, "n_ubatch": 512, "flash_attn": True,
                               "n_parallel": 1, "swa_full": False}  # fmt: skip


def test_options_reach_the_estimate(capsys) -> None:
    doc = _json(capsys, "--kv-type", "q8_0", "--gpu-layers", "20", "--mode", "now",
                "--prompt-tokens", "1000")  # fmt: skip
    assert doc["kv_type"] == "q8_0" and doc["mode"] == "now"
    assert doc["placement"] == "partial" and doc["gpu_layers"] == 20
    assert doc["speed"]["prompt_tokens"] == 1000


def test_does_not_fit_has_null_speed(capsys) -> None:
    code = main(["estimate", "--model", "llama-3.3-70b-instruct", "--quant", "Q8_0",
                 "--context", "8192", "--profile", "office-laptop-8gb", "--json"])  # fmt: skip
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["fits"] is False and doc["speed"] is None
    assert doc["placement"] == "cpu" and doc["max_context_tokens"] is None


def test_text_output(capsys) -> None:
    assert main(ARGS) == 0
    out = capsys.readouterr().out
    assert out.startswith("Llama 3.1 8B Instruct · Q4_K_M · 8192 tokens")
    assert "Fits: all on the GPU, -ngl 33 of 33" in out
    assert "Longest context this way:" in out and "decode at depth:" in out


def test_text_quotes_the_prefill_range_beside_the_decode_range(capsys) -> None:
    """The text showed the decode range only: a prefill point of 7,719 tokens/s read as exact
    while its quoted range (in --json) spans about 1.5x."""
    assert main(ARGS) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("Speed"))
    speed = _json(capsys)["speed"]
    found = re.search(r"prefill (\d+) tok/s \((\d+)-(\d+)\)$", line)
    assert found, line
    shown = [float(v) for v in found.groups()]
    quoted = [speed["prefill_tokens_per_s"], *speed["prefill_range"]]
    assert shown == pytest.approx(quoted, abs=1) and shown[1] < shown[0] < shown[2]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--model", "llama-3.1-8b"], "did you mean llama-3.1-8b-instruct"),
        (["--quant", "Q4_K_XL"], "has no Q4_K_XL file"),
    ],
)
def test_unknown_model_or_quant_is_not_found(capsys, argv, message) -> None:
    args = list(ARGS)
    flag = argv[0]
    args[args.index(flag) + 1] = argv[1]
    assert main(args) == ExitCode.NOT_FOUND
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "extra", [["--gpu-layers", "-1"], ["--kv-type", "q4_0", "--no-flash-attn"]]
)
def test_bad_options_are_usage_errors(capsys, extra) -> None:
    assert main([*ARGS, *extra]) == ExitCode.USAGE
    assert capsys.readouterr().err.startswith("error:")


@pytest.mark.parametrize(
    "extra", [["--context", "0"], ["--context", "nan"], ["--kv-type", "bogus"]]
)
def test_bad_values_stop_at_the_parser(capsys, extra) -> None:
    with pytest.raises(SystemExit) as stop:
        main([*ARGS, *extra])
    assert stop.value.code == ExitCode.USAGE
    assert f"argument {extra[0]}: expected" in capsys.readouterr().err


def test_a_prompt_longer_than_the_context_is_a_usage_error(capsys) -> None:
    """A 99,999,999-token prompt in an 8,192-token context was timed (4.4 million s to the
    first token) though llama.cpp cannot hold it."""
    assert main([*ARGS, "--prompt-tokens", "8193"]) == ExitCode.USAGE
    captured = capsys.readouterr()
    assert "--prompt-tokens 8193 is longer than --context 8192" in captured.err
    assert "raise --context to 8193 or more" in captured.err and captured.out == ""
    assert _json(capsys, "--prompt-tokens", "8192")["speed"]["prompt_tokens"] == 8192
