"""Every number or name on the command line is typed and bounded: NaN, infinity, absurd sizes and
over-long names are usage errors (exit 2) naming the flag, never a traceback or a NaN in the JSON
(issue 17, "NaN and infinity from arguments" and "Other argument tracebacks")."""

from __future__ import annotations

import pytest

from advisor.cli import main
from advisor.errors import ExitCode

PROFILE = ["--profile", "rtx-4090-desktop"]
LONG = "w" * 100_000
CASES = [
    (["--ram", "1e308", "--json"], "--ram"),
    (["--ram", "nan", "--json"], "--ram"),
    (["--vram", "1e12", "--json"], "--vram"),
    (["report", "--electricity-price", "nan"], "--electricity-price"),
    (["report", "--hardware-price", "inf"], "--hardware-price"),
    (["report", "--lifetime-months", "nan"], "--lifetime-months"),
    (["report", "--workload", LONG], "--workload"),
    (["report", "--workload", "a\0b"], "--workload"),
    (["models", "--min-tps", "nan"], "--min-tps"),
    (["models", "--min-tps", "-5"], "--min-tps"),
    (["models", "--limit", "-1"], "--limit"),
    (["models", "--limit", "0"], "--limit"),
    (["models", "--context", "9" * 4301], "--context"),
    (["models", "--kv-type", "bogus"], "--kv-type"),
    (["estimate", "--model", "qwen3-8b", "--quant", "Q4_K_M", "--context", "inf"], "--context"),
    (
        [
            "estimate",
            "--model",
            "qwen3-8b",
            "--quant",
            "Q4_K_M",
            "--context",
            "4096",
            "--parallel",
            "1000000000000000000",
        ],
        "--parallel",
    ),
    (["bench", "--budget", "nan", "x.gguf"], "--budget"),
    (["bench", "--threads", "100000", "x.gguf"], "--threads"),
    (["audit", "reports/", "--seats", "chatgpt-plus=" + "9" * 4301], "--seats"),
    (["audit", "reports/", "--seats", "chatgpt-plus=0"], "--seats"),
    (["audit", "reports/", "--ram-price", "inf"], "--ram-price"),
    (["--catalog", LONG, "--json"], "--catalog"),
    # One name over NAME_MAX (255 bytes) raised OSError from the system: a traceback, exit 1.
    (["report", "--workload", "w" * 300], "--workload"),
    (["report", "--workload", "w" * 300 + ".yaml"], "--workload"),
    (["report", "--config", "folder/" + "c" * 256 + ".yaml"], "--config"),
    (["--profile", "é" * 128, "--json"], "--profile"),
    (["estimate", "--model", "m" * 300, "--context", "100"], "--model"),
    (["audit", "r" * 300], "PATH"),
    # A ~user that does not exist raised RuntimeError from pathlib: a traceback, exit 1.
    (["report", "--workload", "~no-such-user-here/w.yaml"], "--workload"),
    (["audit", "~no-such-user-here/reports"], "PATH"),
]


def _code(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as stop:  # argparse stops with exit code 2
        return int(stop.code or 0)


@pytest.mark.parametrize(("argv", "flag"), CASES, ids=[" ".join(c[0])[:40] for c in CASES])
def test_bad_values_are_usage_errors(capsys, argv: list[str], flag: str) -> None:
    code = _code([*PROFILE, *argv])
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE, err
    assert flag in err and "Traceback" not in err
    assert len(err) < 2000  # a 100k-character value is not echoed back


@pytest.mark.parametrize(
    ("argv", "key", "value"),
    [
        (["models", "--min-tps", "0", "--limit", "1", "--json"], "min_decode_tokens_per_s", 0.0),
        (["models", "--context", "4096", "--kv-type", "Q8_0", "--json"], "context_tokens", 4096),
    ],
)
def test_good_values_still_pass(capsys, argv: list[str], key: str, value: object) -> None:
    import json

    assert _code([*PROFILE, *argv]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)[key] == value
