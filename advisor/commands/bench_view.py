"""How `advisor bench` looks in a terminal: the progress bar, the result and the history table."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from contextlib import contextmanager
from typing import IO

from rich.console import Console
from rich.progress import Progress, ProgressColumn, SpinnerColumn, Task, TextColumn
from rich.progress_bar import ProgressBar
from rich.text import Text

from advisor.bench.batched import BatchedMeasurement
from advisor.bench.measurement import Measurement, Throughput
from advisor.bench.plan import BatchedProgress
from advisor.bench.plan import Progress as RunProgress
from advisor.bench.store.db import StoredBatchedRun, StoredRun
from advisor.units import MIB

_PHASES = {
    "load": "loading the model",
    "warmup": "warming up",
    "prefill": "prompt processing",
    "decode": "generation",
}


def terminal_stream() -> IO[str]:
    """A private copy of stderr: llama.cpp's output is diverted from fd 2 during the run,
    and the progress bar must still reach the terminal."""
    try:
        return open(os.dup(sys.stderr.fileno()), "w", buffering=1, encoding="utf-8")  # noqa: SIM115
    except (OSError, ValueError, AttributeError):  # no real fd (an IDE, a test capture)
        return sys.stderr


class _BudgetBar(ProgressColumn):
    """The time used out of the budget, moving even while one long repetition runs."""

    def render(self, task: Task) -> ProgressBar:
        total = task.total or 1.0
        used = min(task.elapsed or 0.0, total)
        return ProgressBar(total=total, completed=used, width=30)


class _TimeLeft(ProgressColumn):
    def render(self, task: Task) -> Text:
        left = max(0.0, (task.total or 0.0) - (task.elapsed or 0.0))
        return Text(f"{left:4.0f} s left", style="progress.remaining")


@contextmanager
def progress_bar(stream: IO[str], budget_s: float, enabled: bool):
    """Yield a callback for runner progress events that drives a rich progress bar."""
    if not enabled:
        yield None
        return
    console = Console(file=stream, stderr=True)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), _BudgetBar(), _TimeLeft())
    with Progress(*columns, console=console, transient=True, refresh_per_second=2) as bar:
        task = bar.add_task("starting", total=budget_s)

        def update(event: RunProgress) -> None:
            bar.update(task, description=describe(event))

        yield update


def describe(event: RunProgress | BatchedProgress) -> str:
    """ "prompt processing, run 3 of 10", "B=4 (2 of 4): generation" and the like."""
    text = _PHASES[event.phase]
    if isinstance(event, BatchedProgress):
        if event.phase in ("prefill", "decode"):
            return f"B={event.sequences} ({event.index + 1} of {event.count}): {text}"
        return text
    if event.phase == "prefill":
        return f"{text}, run {event.prefill_runs + 1} of {event.max_runs}"
    if event.phase == "decode":
        return f"{text}, run {event.decode_runs + 1} of {event.max_runs}"
    return text


def _rate(result: Throughput | None) -> str:
    if result is None:
        return "not measured"
    runs = f"{result.runs} run" + ("s" if result.runs != 1 else "")
    return f"{result.mean_tokens_per_s:,.2f} ± {result.stdev_tokens_per_s:,.2f} tokens/s ({runs})"


def _vs_estimate(result: Throughput | None, estimated: float | None) -> str:
    if result is None or not estimated:
        return ""
    delta = (estimated / result.mean_tokens_per_s - 1) * 100
    return f"   estimated {estimated:,.2f} ({delta:+.0f}% vs measured)"


def _bytes(value: int | None, why: str | None) -> str:
    if value is None:
        return f"unknown ({why})" if why else "unknown"
    return f"{value / MIB:,.0f} MiB"


def _joules(m: Measurement) -> str:
    parts = [
        f"{r.test} {r.joules_per_token:.3f} J/token"
        for r in (m.prefill, m.decode)
        if r is not None and r.joules_per_token is not None
    ]
    if not parts:
        return f"unknown ({m.unknown.get('joules_per_token', 'not measured')})"
    return ", ".join(parts) + (f" at {m.mean_power_w:.0f} W" if m.mean_power_w else "")


def _header(m: Measurement | BatchedMeasurement) -> list[str]:
    """The model, file and settings lines every kind of run starts with."""
    model, s = m.model, m.settings
    label = f"{model.model_id} {model.quant}" if model.model_id else model.name or "model"
    ngl = "all" if s.n_gpu_layers < 0 else str(s.n_gpu_layers)
    return [
        f"model      {label} ({model.file_type or '?'}, {_size(model.size_bytes)})",
        f"file       {model.path}",
        f"settings   {s.backend}, {m.placement} placement ({ngl} GPU layers), "
        f"{s.n_threads} threads, llama-cpp-python {s.llama_cpp_version}",
    ]


def render_measurement(m: Measurement, stored: str | None) -> str:
    """The result as text lines for stdout."""
    s = m.settings
    lines = [
        *_header(m),
        f"load       {m.load_s:.2f} s",
        f"{_test_name(m.prefill, 'pp', s.n_prompt):<10} {_rate(m.prefill)}"
        + _vs_estimate(m.prefill, m.estimated_prefill_tokens_per_s),
        f"{_test_name(m.decode, 'tg', s.n_gen):<10} {_rate(m.decode)}"
        + _vs_estimate(m.decode, m.estimated_decode_tokens_per_s),
        f"peak RAM   {_bytes(m.peak_rss_bytes, m.unknown.get('peak_rss_bytes'))} (RSS)",
        f"peak VRAM  {_bytes(m.peak_vram_bytes, m.unknown.get('peak_vram_bytes'))}",
        f"energy     {_joules(m)}",
    ]
    lines += [f"note       {n}" for n in m.notes]
    if m.interrupted:
        lines.append("status     interrupted: these are the runs that finished")
    if stored:
        lines.append(f"stored     {stored}")
    return "\n".join(lines)


def _size(size_bytes: int) -> str:
    if size_bytes >= 10**9:
        return f"{size_bytes / 1e9:.2f} GB"
    return f"{size_bytes / 1e6:.1f} MB"


def _test_name(result: Throughput | None, prefix: str, n: int) -> str:
    return result.test if result is not None else f"{prefix}{n}"


def render_history(runs: Sequence[StoredRun], this_machine: str | None,
                   batched: Sequence[StoredBatchedRun] = ()) -> str:  # fmt: skip
    """Past results as aligned tables, newest first: single runs, then --parallel runs (their
    own ids: the store keeps them in a table of their own)."""
    if not runs and not batched:
        return "no throughput tests stored yet: run `advisor bench FILE.gguf`"
    parts = []
    if runs:
        header = ("id", "date", "model", "backend", "placement", "prefill t/s", "decode t/s",
                  "machine")  # fmt: skip
        parts.append(_table([header] + [_history_row(r, this_machine) for r in runs]))
    if batched:
        header = ("id", "date", "model", "backend", "placement", "B", "S_TG t/s (largest B)",
                  "scaling", "machine")  # fmt: skip
        rows = [header] + [_batched_row(r, this_machine) for r in batched]
        parts.append("batched runs (--parallel)\n" + _table(rows))
    return "\n\n".join(parts)


def _table(rows: Sequence[Sequence[str]]) -> str:
    """Text columns left-aligned (the first five), numbers right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            cell.ljust(w) if i < 5 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    )


def _batched_row(run: StoredBatchedRun, this_machine: str | None) -> tuple[str, ...]:
    m = run.measurement
    label = _model_label(m.model)
    machine = "this one" if m.machine_fingerprint == this_machine else m.machine_fingerprint[:8]
    flag = "*" if m.interrupted else ""
    largest = max(m.points, key=lambda p: p.sequences) if m.points else None
    scaling = m.scaling(largest.sequences) if largest else None
    return (
        str(run.id),
        m.started_at[:16].replace("T", " "),
        label,
        m.settings.backend,
        m.placement,
        ",".join(str(p.sequences) for p in m.points) + flag,
        f"{largest.decode_tokens_per_s:,.1f} (B={largest.sequences})" if largest else "-",
        "-" if scaling is None else f"x{scaling:.2f}",
        machine,
    )


def _model_label(model) -> str:
    label = f"{model.model_id} {model.quant}" if model.model_id else model.name or "?"
    return label + (f" [{model.file_type}]" if model.file_type and not model.model_id else "")


def _history_row(run: StoredRun, this_machine: str | None) -> tuple[str, ...]:
    m = run.measurement
    label = _model_label(m.model)
    machine = "this one" if m.machine_fingerprint == this_machine else m.machine_fingerprint[:8]
    flag = "*" if m.interrupted else ""
    return (
        str(run.id),
        m.started_at[:16].replace("T", " "),
        label,
        m.settings.backend,
        m.placement,
        _short(m.prefill) + flag,
        _short(m.decode) + flag,
        machine,
    )


def _short(result: Throughput | None) -> str:
    if result is None:
        return "-"
    return f"{result.test} {result.mean_tokens_per_s:,.1f}"


def render_batched(m: BatchedMeasurement, stored: str | None) -> str:
    """A --parallel result: one line per B, llama-batched-bench's columns and the estimate's."""
    s = m.settings
    lines = [
        *_header(m),
        f"test       {s.n_prompt}-token prompt per sequence, {s.n_gen} tokens each "
        f"(llama-batched-bench -npp {s.n_prompt} -ntg {s.n_gen})",
        f"load       {m.load_s:.2f} s",
        "",
        f"{'B':>4} {'T_PP s':>8} {'S_PP t/s':>10} {'T_TG s':>8} {'S_TG t/s':>10} "
        f"{'per seq':>8} {'scaling':>8} {'est. S_TG':>10}",
    ]
    for p in m.points:
        scaling = m.scaling(p.sequences)
        est = p.estimated_decode_tokens_per_s
        lines.append(
            f"{p.sequences:>4} {p.prefill_s:>8.3f} {p.prefill_tokens_per_s:>10.2f} "
            f"{p.decode_s:>8.3f} {p.decode_tokens_per_s:>10.2f} "
            f"{p.decode_tokens_per_s_per_sequence:>8.2f} "
            f"{'-' if scaling is None else f'x{scaling:.2f}':>8} "
            f"{'-' if est is None else f'{est:.2f}':>10}"
        )
    missing = [b for b in m.sequences_asked if m.point(b) is None]
    if missing:
        lines.append(f"not run    B={', '.join(map(str, missing))}")
    lines.append(f"peak RAM   {_bytes(m.peak_rss_bytes, m.unknown.get('peak_rss_bytes'))} (RSS)")
    lines += [f"note       {n}" for n in m.notes]
    if m.interrupted:
        lines.append("status     interrupted: these are the B values that finished")
    if stored:
        lines.append(f"stored     {stored}")
    return "\n".join(lines)
