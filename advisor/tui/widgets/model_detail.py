"""The detail pane: memory breakdown, placement, speed as the context fills, how to get it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widgets import Static

from advisor.tui.candidates import pool_use
from advisor.tui.charts import BarRow, Segment, bar_chart, legend, stacked_bar
from advisor.tui.format import gib, rate, rate_range, tokens
from advisor.tui.howto import how_to_get
from advisor.units import GIB

if TYPE_CHECKING:  # the catalog loads in a worker; importing it here would delay first paint
    from advisor.catalog.model import Model, Quant
    from advisor.estimate.estimate import Estimate
    from advisor.estimate.placement import Placement
    from advisor.estimate.speed.figures import Speed

DEPTHS = (0, 4096, 16384, 32768, 65536, 131072)


def _heading(title: str) -> Text:
    text = Text()
    text.append(title, style="bold underline")
    return text


def memory_segments(estimate: Estimate) -> list[Segment]:
    memory = estimate.memory
    return [
        Segment("weights", memory.weights_bytes, "blue"),
        Segment("KV", memory.kv_cache_bytes, "magenta"),
        Segment("compute", memory.compute_bytes, "yellow"),
        Segment("overhead", memory.overhead_bytes, "bright_black"),
    ]


def memory_section(estimate: Estimate, width: int = 30) -> Text:
    """Weights, KV, compute and overhead as one bar against the memory the placement leans on."""
    segments = memory_segments(estimate)
    use = pool_use(estimate)
    total = estimate.memory.total_bytes
    scale = max(total, use.available_bytes or 0)
    text = _heading(f"Memory at {tokens(estimate.context_tokens)} context, GiB")
    text.append("\n")
    text.append_text(stacked_bar(segments, scale, width))
    text.append(f" {total / GIB:.1f}")
    text.append("\n")
    text.append_text(legend(segments, lambda v: f"{v / GIB:.1f}"))
    text.append(f"\n{use.used_bytes / GIB:.1f} of ")
    available = use.available_bytes
    text.append(f"{available / GIB:.1f}" if available is not None else "unknown")
    text.append(f" on the {use.where}", style="dim" if available is not None else "")
    return text


def _placement_summary(placement: Placement) -> str:
    if placement.kind == "gpu":
        return f"all {placement.total_layers} layers on the GPU (-ngl {placement.gpu_layers})"
    if placement.kind == "partial":
        return (
            f"{placement.gpu_layers} of {placement.total_layers} layers on the GPU, "
            "the rest on the CPU"
        )
    return "CPU only (-ngl 0)"


def placement_section(estimate: Estimate) -> Text:
    placement = estimate.placement
    text = _heading("Placement")
    text.append("\n" + _placement_summary(placement))
    if placement.experts_on_cpu:
        text.append("\nMoE experts stay in system RAM (--cpu-moe)")
    text.append(f"\nlongest context that fits: {tokens(estimate.max_context_tokens)}")
    for share in placement.shares:
        budget = gib(share.available_bytes) if share.available_bytes is not None else "unknown"
        text.append(f"\n  {share.device:<5} {gib(share.total_bytes)} of {budget}", style="dim")
    if not estimate.fits:
        text.append("\ndoes not fit", style="bold red")
    for reason in estimate.reasons:
        text.append(f"\n· {reason}", style="dim")
    return text


def depths_for(max_context: int | None) -> list[int]:
    """Depths to chart: the standard ones up to the longest context that fits."""
    limit = max_context if max_context else DEPTHS[-1]
    depths = [d for d in DEPTHS if d < limit]
    return depths + [limit] if limit not in depths else depths


def speed_section(speed: Speed, max_context: int | None, width: int = 20) -> Group:
    """Decode speed at growing context depth, as bars; the KV reads slow every token."""
    text = _heading("Speed")
    text.append(f"\ndecode {rate(speed.decode_tokens_per_s)} tok/s ")
    text.append(f"({rate_range(*speed.decode_range)})", style="dim")
    text.append(f" · prefill {rate(speed.prefill_tokens_per_s)} tok/s ")
    text.append(f"({rate_range(*speed.prefill_range)})", style="dim")
    if speed.measured_decode_tokens_per_s is not None:
        text.append(f"\n● measured decode {rate(speed.measured_decode_tokens_per_s)} tok/s")
    if speed.calibrated_from_runs:
        text.append(f"\ncalibrated from {speed.calibrated_from_runs} runs on this machine")
    rows = [
        BarRow(f"at {tokens(depth) if depth else '0'}", value, rate(value))
        for depth in depths_for(max_context)
        for value in [speed.decode_tokens_per_s_at(depth)]
    ]
    text.append("\n")
    text.append_text(_heading("Decode tok/s as the context fills"))
    return Group(text, bar_chart(rows, width))


def _command(label: str, command: str | None) -> Text:
    text = Text(f"\n{label:<9}", style="dim")
    text.append(command or "—", style="bold" if command else "dim")
    return text


def get_section(model: Model, quant: Quant, estimate: Estimate | None) -> Text:
    howto = how_to_get(model, quant, estimate)
    text = _heading("Get it")
    text.append_text(_command("download", howto.download))
    text.append_text(_command("ollama", howto.ollama))
    text.append_text(_command("run", howto.llama_server))
    for reason in howto.missing:
        text.append(f"\n· {reason}", style="dim")
    return text


def installed_section(paths: Sequence[Path]) -> Text:
    if not paths:
        return Text("Not found on this computer (advisor scan)", style="dim")
    text = Text("Installed: ", style="bold green")
    text.append(", ".join(str(p) for p in paths))
    return text


def title_text(model: Model, quant: Quant | None) -> Text:
    text = Text(model.name, style="bold")
    if quant is not None:
        text.append(f"  {quant.type} · {gib(quant.size_bytes)}", style="dim")
    text.append(f" · {model.hf_repo}", style="dim")
    if model.license:
        text.append(f" · {model.license}", style="dim")
    return text


def detail_renderable(
    model: Model,
    quant: Quant | None,
    estimate: Estimate | None,
    installed: Sequence[Path],
    *,
    wide: bool = False,
    quality: str | None = None,
) -> RenderableType:
    """Title, then memory and placement beside (or above) speed and how to get it."""
    left: list[RenderableType] = []
    right: list[RenderableType] = []
    if estimate is not None:
        left += [memory_section(estimate), Text(), placement_section(estimate)]
        if estimate.speed is not None:
            right += [speed_section(estimate.speed, estimate.max_context_tokens), Text()]
    if quant is not None:
        right.append(get_section(model, quant, estimate))
    head = [title_text(model, quant)]
    if quality:
        head.append(Text(f"quality on the task: {quality}", style="dim"))
    head = Group(*head, installed_section(installed), Text())
    if not wide:
        return Group(head, *left, Text(), *right)
    grid = Table.grid(padding=(0, 3), expand=True)
    grid.add_column(ratio=1)
    grid.add_column(ratio=1)
    grid.add_row(Group(*left), Group(*right))
    return Group(head, grid)


class ModelDetail(VerticalScroll):
    """Shows the highlighted candidate; says what to do while there is none."""

    candidate = reactive(None, init=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.renderable: RenderableType = Text(
            "Select a model to see its memory, speed and how to get it.", style="dim"
        )

    def compose(self):
        yield Static(self.renderable, id="detail-body")

    def watch_candidate(self, candidate) -> None:
        self.renderable = self._renderable_for(candidate)
        self.query_one("#detail-body", Static).update(self.renderable)

    def _renderable_for(self, candidate) -> RenderableType:
        if candidate is None:
            return Text("No model selected.", style="dim")
        renderable = detail_renderable(
            candidate.model,
            candidate.quant,
            candidate.estimate,
            candidate.installed,
            wide=self.size.width >= 100,
            quality=candidate.quality_basis,
        )
        if candidate.why_left_out:
            return Group(Text(f"Left out: {candidate.why_left_out}", style="red"), renderable)
        return renderable
