"""The report as plain text for a terminal, rendered from the report's typed values
(advisor.report.view), read from the JSON document."""

from __future__ import annotations

import re
import textwrap
from typing import TYPE_CHECKING

from advisor.report import fmt

if TYPE_CHECKING:
    from advisor.report.view import ReportView, VerdictView

WIDTH = 96
NAME_WIDTH = 27  # the overview's local option column: the table stays within WIDTH


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_text(report: ReportView) -> str:
    m = report.machine
    out = [f"advisor report: {m.name}   (amounts in USD per month)", ""]
    ram = fmt.gib_text(m.ram_gb)
    out += [*_field("CPU", fmt.cpu_line(m.cpu, m.sources)), f"  RAM      {ram}"]
    out += [
        f"  GPU {i}    {fmt.gpu_line(g, fmt.gpu_bandwidth_source(m.sources, i))}"
        for i, g in enumerate(m.gpus)
    ]
    out += [
        f"  backend  {m.backend or 'unknown'};  "
        f"{len(report.measurements)} throughput test(s) stored",
        *_field("config", fmt.config_line(report)),
        *_field("energy", fmt.electricity_line(report)),
        *_field("hardware", fmt.hardware_line(report)),
        "",
    ]
    out += _overview(report.verdicts) + [""]
    for v in report.verdicts:
        out += _verdict(v)
    return "\n".join(out).rstrip() + "\n"


def _overview(verdicts: tuple[VerdictView, ...]) -> list[str]:
    rows = [("workload", "verdict", "local option", "local", "best cloud", "confidence")]
    for v in verdicts:
        name = _cut(fmt.option_name(v), NAME_WIDTH)
        cloud = fmt.usd(v.cloud.best_usd_per_month)
        rows.append(
            (
                v.title,
                v.verdict.replace("_", " "),
                name,
                fmt.usd(fmt.local_usd(v)),
                cloud,
                v.confidence.level,
            )  # fmt: skip
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    right = {3, 4}
    return [
        "  " + "  ".join(cell.rjust(w) if i in right else cell.ljust(w)
                         for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()
        for row in rows
    ]  # fmt: skip


_GLUE = "\x00"  # stands for a space that must not break: before a number ("needs 20")
_BEFORE_NUMBER = re.compile(r" (?=[0-9])")


def _wrap(text: str, indent: str, hang: str | None = None) -> list[str]:
    """`text` wrapped to WIDTH, never leaving a number apart from the word before it nor
    breaking a word or path; lines after the first start with `hang` (default: `indent` and
    two spaces)."""
    glued = _BEFORE_NUMBER.sub(_GLUE, text.replace(_GLUE, " "))
    hang = indent + "  " if hang is None else hang
    lines = textwrap.wrap(
        glued,
        WIDTH,
        initial_indent=indent,
        subsequent_indent=hang,
        break_long_words=False,
        break_on_hyphens=False,
    )  # paths stay whole
    return [line.replace(_GLUE, " ") for line in lines]


def _field(label: str, text: str) -> list[str]:
    """A header line: the label in a column of its own, the text wrapped beside it."""
    return _wrap(text, f"  {label:<9}", " " * 11)


def _verdict(v: VerdictView) -> list[str]:
    out = [f"{fmt.verdict_word(v.verdict):<7} {v.title}"]
    out += _wrap(v.summary, "  ")
    if v.rule:
        out += _wrap(f"({v.rule})", "  ")
    for reason in v.reasons:
        nested = reason.startswith("  ")
        out += _wrap(("- " if nested else "* ") + reason.strip(), "      " if nested else "    ")
    out.append("  monthly cost:")
    out += [f"    {amount:>10}  {path}" for path, amount, _ in fmt.cost_rows(v)]
    for line in v.cloud.basis:
        out += _wrap(line, "    ")
    for note in v.cloud.notes:
        out += _wrap(f"({note})", "    ")
    gap = v.quality_gap
    if gap is not None:
        out += _wrap(
            f"quality gap: {gap.points:.1f} points ({gap.pct:.0f}%) below {gap.frontier}", "  "
        )
    out += _wrap(f"break-even: {v.break_even.text}", "  ")
    c = v.confidence
    out += _wrap(f"confidence: {c.level} ({c.why})", "  ")
    if c.estimated:
        out += _wrap(f"estimated or assumed: {', '.join(c.estimated)}", "    ")
    return out + [""]
