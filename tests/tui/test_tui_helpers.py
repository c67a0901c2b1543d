"""The app's pure helpers: numbers, charts, row order, commands, form parsing, child errors."""

from __future__ import annotations

import dataclasses
import shlex
import sys
from pathlib import Path

import pytest

from advisor.errors import BenchError, ExitCode, MissingDependencyError
from advisor.tui.bench_process import BenchRequest, _error_from
from advisor.tui.candidates import ListedCandidate, arrange, pool_use
from advisor.tui.charts import BarRow, Segment, bar_chart, stacked_bar, usage_bar
from advisor.tui.format import gib, rate, rate_range, tokens, unknown_because, usd
from advisor.tui.howto import how_to_get
from advisor.tui.screens.export import format_for
from advisor.tui.stages import machine_summary
from advisor.tui.widgets.workload_form import FIELDS, edited_workload, field_text, parse_field
from advisor.units import GIB


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "unknown"), (7.14, "7.1"), (38.4, "38"), (2337.2, "2,337"), (13_300.0, "13.3k")],
)
def test_rate(value, text) -> None:
    assert rate(value) == text


def test_numbers() -> None:
    assert rate_range(1335.0, 3412.0) == "1.3k–3.4k"
    assert rate_range(21.0, 53.2) == "21–53"
    assert tokens(8192) == "8k" and tokens(131072) == "128k" and tokens(1048576) == "1M"
    assert tokens(86000) == "86k" and tokens(None) == "unknown"
    assert gib(24 * GIB) == "24.0 GiB" and gib(None) == "unknown"
    assert usd(0.284) == "$0.28" and usd(1234.5) == "$1,234" and usd(None) == "unknown"
    assert unknown_because("not stated in the profile") == "unknown (not stated in the profile)"


def test_usage_bar_turns_red_past_the_limit() -> None:
    assert usage_bar(5, 10, width=10).plain == "█████" + "░" * 5
    over = usage_bar(12, 10, width=10)
    assert over.plain == "█" * 10 and over.spans[0].style == "red"
    assert usage_bar(5, None, width=4).plain == "????"


def test_stacked_bar_keeps_every_part_visible() -> None:
    parts = [Segment("weights", 100, "blue"), Segment("KV", 0.1, "red"), Segment("x", 0, "y")]
    bar = stacked_bar(parts, 200, 20)
    assert bar.plain == "█" * 10 + "█" + "░" * 9  # the tiny KV part still gets one cell


def test_bar_chart_says_what_is_missing() -> None:
    from rich.console import Console

    rows = [
        BarRow("local", 1.0, "$1.00"),
        BarRow("API", 4.0, "$4.00", note="gpt"),
        BarRow("sub", None, "not available"),
    ]
    console = Console(width=60, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(bar_chart(rows, 8))
    lines = console.export_text().splitlines()
    assert lines[0].startswith("local ██ ") and "$1.00" in lines[0]
    assert "████████" in lines[1] and lines[1].rstrip().endswith("gpt")
    assert "not available" in lines[2]


@pytest.fixture(scope="module")
def rows(catalog, reference_machine) -> list[ListedCandidate]:
    from advisor.estimate import estimate

    picked = []
    for n, model_id in enumerate(("qwen3-8b", "gpt-oss-120b", "llama-3.1-8b-instruct"), 1):
        model = catalog.find(model_id)
        quant = model.quant("Q4_K_M") or model.quants[0]
        est = estimate(reference_machine, model, quant.type, context_tokens=8192)
        picked.append(ListedCandidate(model, quant, est, n, 40.0 - n))
    return picked


def test_arrange_filters_and_sorts(rows) -> None:
    assert [c.model.id for c in arrange(rows, text="qwen")] == ["qwen3-8b"]
    assert [c.rank for c in arrange(rows)] == [1, 2, 3]
    by_decode = arrange(rows, sort="decode")
    speeds = [c.estimate.speed.decode_tokens_per_s for c in by_decode]
    assert speeds == sorted(speeds, reverse=True)
    assert arrange(rows, sort="decode", reverse=True) == by_decode[::-1]
    assert all(c.estimate.placement.kind == "gpu" for c in arrange(rows, fit="gpu"))
    assert all("coding" in c.model.tasks for c in arrange(rows, task="coding"))


def test_pool_use_counts_the_memory_that_limits_the_placement(rows) -> None:
    full_gpu = next(c.estimate for c in rows if c.estimate.placement.kind == "gpu")
    use = pool_use(full_gpu)
    gpu = full_gpu.placement.shares[0]
    assert (use.used_bytes, use.available_bytes, use.where) == (
        gpu.total_bytes,
        gpu.available_bytes,
        "GPU",
    )


def test_pool_use_on_unified_memory_does_not_add_the_two_budgets(catalog) -> None:
    from advisor.estimate import estimate
    from advisor.probe import load_profile

    mac = load_profile("macbook-air-m2-16gb")
    est = estimate(mac, catalog.find("qwen3.6-27b"), "Q2_K", context_tokens=8192)
    use = pool_use(est)
    if est.placement.kind != "gpu":  # split between the GPU's working set and the rest of RAM
        assert use.where == "unified memory"
        assert use.available_bytes <= mac.memory.ram_total_bytes


def test_how_to_get_the_model(rows) -> None:
    candidate = rows[0]
    model, quant, est = candidate.model, candidate.quant, candidate.estimate
    howto = how_to_get(model, quant, est)
    repo = quant.repo or model.gguf_repo
    assert shlex.split(howto.download) == ["hf", "download", repo, quant.file]
    assert howto.ollama == f"ollama pull {model.ollama_tag}"
    args = shlex.split(howto.llama_server)
    assert args[:3] == ["llama-server", "-hf", f"{repo}:{quant.type}"]
    assert args[3:7] == ["-ngl", str(est.placement.gpu_layers), "-c", "8192"]
    q8 = dataclasses.replace(est, kv_type="q8_0")
    assert "-ctk q8_0 -ctv q8_0" in how_to_get(model, quant, q8).llama_server
    bare = dataclasses.replace(model, ollama_tag=None)
    assert how_to_get(bare, quant, est).missing == ("no Ollama tag is known for this model",)


def test_form_fields_parse_and_validate(presets) -> None:
    spec = {s.name: s for s in FIELDS}
    assert parse_field(spec["requests_per_day"], "1,200") == 1200.0
    assert parse_field(spec["max_time_to_first_token_s"], "") is None
    with pytest.raises(ValueError, match="is not a whole number"):
        parse_field(spec["context_tokens"], "8k")
    base = presets[0]
    texts = {s.name: field_text(getattr(base, s.name)) for s in FIELDS}
    assert edited_workload(base, base.task, texts) is base  # nothing changed
    texts["users"] = "3"
    edited = edited_workload(base, "coding", texts)
    assert (edited.users, edited.task, edited.origin) == (3, "coding", "edited")
    texts["hours_per_day"] = "30"
    with pytest.raises(ValueError, match="hours_per_day: must be more than 0 and at most 24"):
        edited_workload(base, base.task, texts)


def test_export_format_follows_the_suffix() -> None:
    assert format_for(Path("r.md"), "json") == "markdown"
    assert format_for(Path("r.JSON"), "markdown") == "json"
    assert format_for(Path("report"), "markdown") == "markdown"


def test_bench_child_command_and_errors() -> None:
    request = BenchRequest(Path("/m/a.gguf"), "qwen3-8b", "Q4_K_M", budget_s=12)
    assert request.command() == [
        sys.executable, "-m", "advisor", "bench", "/m/a.gguf", "--json", "--budget", "12",
        "--no-probes",
        "--model", "qwen3-8b", "--quant", "Q4_K_M",
    ]  # fmt: skip
    stderr = "llama.cpp says hi\nerror: llama-cpp-python is not installed\nhint: pip install x\n"
    missing = _error_from(stderr, ExitCode.MISSING_DEPENDENCY)
    assert isinstance(missing, MissingDependencyError)
    assert (missing.message, missing.hint) == ("llama-cpp-python is not installed", "pip install x")
    odd = _error_from("", 1)
    assert isinstance(odd, BenchError) and "exit code 1" in odd.message


def test_profile_summary(reference_machine) -> None:
    from advisor.probe import load_profile

    assert machine_summary(reference_machine) == "cuda · 24 GiB VRAM · 64 GiB RAM"
    assert (
        machine_summary(load_profile("dual-rtx-3090")) == "cuda · 2 GPUs, 48 GiB VRAM · 128 GiB RAM"
    )
    assert (
        machine_summary(load_profile("macbook-air-m2-16gb"))
        == "metal · unified memory · 16 GiB RAM"
    )


def test_measured_speeds_are_marked(rows, reference_machine) -> None:
    from advisor.estimate.calibration.apply import apply_calibration
    from advisor.estimate.calibration.values import Calibration, MeasuredModel, Target
    from advisor.probe import machine_fingerprint
    from advisor.tui.widgets.models_table import MEASURED, decode_cell, prefill_cell

    candidate = rows[0]
    est = candidate.estimate
    assert MEASURED not in decode_cell(candidate).plain
    run = MeasuredModel(
        candidate.model.id, candidate.quant.type, reference_machine.backend,
        est.placement.kind, 42.0, 1234.0,
    )  # fmt: skip
    fingerprint = machine_fingerprint(reference_machine)
    speed = apply_calibration(
        est.speed,
        Calibration(fingerprint, files=(), measured=(run,)),
        Target(fingerprint, reference_machine.backend, est.placement.kind,
               candidate.model.id, candidate.quant.type),
    )  # fmt: skip
    measured = dataclasses.replace(candidate, estimate=dataclasses.replace(est, speed=speed))
    assert decode_cell(measured).plain == f"{MEASURED} 42"
    assert prefill_cell(measured).plain == f"{MEASURED} 1,234"
    assert measured.measured
