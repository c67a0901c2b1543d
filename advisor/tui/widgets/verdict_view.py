"""The verdict for the edited workload: local, hybrid or cloud, why, and what each path costs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from advisor.tui.charts import BarRow, bar_chart
from advisor.tui.format import usd
from advisor.verdict.cloud_basis import cloud_basis

if TYPE_CHECKING:
    from advisor.verdict.staleness import StaleFact
    from advisor.verdict.verdict import QualityGap, Verdict

KIND_STYLES = {"local": "bold black on green", "hybrid": "bold black on yellow"}
CLOUD_STYLE = "bold white on blue"


def headline(verdict: Verdict) -> Text:
    text = Text()
    text.append(f" {verdict.kind.upper()} ", style=KIND_STYLES.get(verdict.kind, CLOUD_STYLE))
    text.append(f"  {verdict.workload.title}", style="bold")
    text.append(f"\n{verdict.summary}")
    return text


def cost_rows(verdict: Verdict) -> list[BarRow]:
    """One bar per way of paying; a path that is not available says so instead of a bar."""
    costs, cloud = verdict.costs, verdict.cloud
    local_note = ""
    if costs.local is not None and costs.local_hardware:
        local_note = f"{usd(costs.local_electricity)} power + {usd(costs.local_hardware)} hardware"
    elif costs.local is not None:
        local_note = "electricity"
    rows = [
        _row("local", costs.local, local_note, "green"),
        _row("hybrid", costs.hybrid, "", "yellow") if costs.hybrid is not None else None,
        _row(
            "subscription",
            costs.subscription,
            cloud.subscription.plan if cloud.subscription else "",
            "magenta",
        ),
        _row(
            "API frontier",
            costs.frontier_api,
            cloud.frontier.name if cloud.frontier else "",
            "blue",
        ),
        _row(
            "API cheapest",
            costs.cheapest_api,
            cloud.cheapest_api.name if cloud.cheapest_api else "",
            "cyan",
        ),
    ]
    return [r for r in rows if r is not None]


def _row(label: str, amount: float | None, note: str, style: str) -> BarRow:
    if amount is None:
        return BarRow(label, None, "not available", style)
    return BarRow(label, amount, usd(amount), style, note)


def quality_sentence(gap: QualityGap) -> str:
    """The local model's index against the frontier's, and the gap in points and percent."""
    where = "below" if gap.points >= 0 else "above"
    return (
        f"{gap.local_index:.0f} here against {gap.frontier_index:.0f} for {gap.frontier} on the "
        f"{gap.index.replace('_', ' ')}: {abs(gap.points):.0f} points ({abs(gap.pct):.0f}%) {where}"
    )


def reason_lines(reasons: Sequence[str]) -> list[Text]:
    """Reasons as a list; the indented ones are the checks under the reason before them."""
    lines = []
    for reason in reasons:
        nested = reason.startswith(" ")
        line = Text("    · " if nested else "· ", style="dim")
        line.append(reason.strip())
        lines.append(line)
    return lines


def _section(title: str) -> Text:
    text = Text()
    text.append(title, style="bold underline")
    return text


def stale_lines(stale: Sequence[StaleFact]) -> list[Text]:
    """A line for each price or score older than the staleness limit, as `advisor report`
    warns of it."""
    return [Text(f"· {fact.message()}", style="yellow") for fact in stale]


def verdict_renderable(
    verdict: Verdict, width: int = 80, stale: Sequence[StaleFact] = ()
) -> RenderableType:
    """The verdict for a pane `width` columns wide, with the old prices and scores it used."""
    parts: list[RenderableType] = [headline(verdict), Text()]
    parts.append(_section("Monthly cost, USD"))
    parts.append(bar_chart(cost_rows(verdict), 24, fit=width))
    parts += [Text(), _section("Break-even"), Text(verdict.break_even.text)]
    gap = verdict.quality_gap
    if gap is not None:
        parts += [
            Text(),
            _section("Quality"),
            Text(quality_sentence(gap)),
        ]
    parts += [Text(), _section("Why")]
    parts += reason_lines(verdict.reasons)
    basis = cloud_basis(verdict.cloud, verdict.workload.quality_index)
    if basis:
        parts += [Text(), _section("Scores and limits assumed")]
        parts += [Text(line) for line in basis]
    conf = verdict.confidence
    parts += [Text(), _section("Confidence")]
    parts.append(Text(f"{conf.level}: {conf.why}"))
    if conf.measured:
        parts.append(Text("measured: " + ", ".join(conf.measured), style="green"))
    if conf.estimated:
        parts.append(Text("estimated: " + ", ".join(conf.estimated), style="dim"))
    if stale:
        parts += [Text(), _section("Old prices and scores")]
        parts += stale_lines(stale)
    return Group(*parts)


class VerdictView(VerticalScroll):
    """Shows a verdict, or what it is waiting for; `verdict` is the last one shown."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.verdict: Verdict | None = None
        self.stale: tuple[StaleFact, ...] = ()  # the old prices and scores it used
        self.message = "Working out the verdict…"

    def compose(self):
        yield Static(Text(self.message, style="italic dim"), id="verdict-body")

    def show(self, verdict: Verdict, stale: Sequence[StaleFact] = ()) -> None:
        self.verdict = verdict
        self.stale = tuple(stale)
        self.message = ""
        self._draw()

    def on_resize(self) -> None:
        if self.verdict is not None and not self.message:
            self.call_after_refresh(self._draw)  # the chart fits the width

    def _draw(self) -> None:
        width = self.scrollable_content_region.width or 80
        self.query_one("#verdict-body", Static).update(
            verdict_renderable(self.verdict, width, self.stale)
        )

    def say(self, text: str, *, problem: bool = False) -> None:
        """A message instead of the verdict: waiting, or why there is none."""
        self.message = text
        style = "bold red" if problem else "italic dim"
        self.query_one("#verdict-body", Static).update(Text(text, style=style))
