"""The report as plain text for a terminal, rendered from the JSON document."""

from __future__ import annotations

import re
import textwrap
from typing import Any

from advisor.report import fmt

WIDTH = 96
NAME_WIDTH = 27  # the overview's local option column: the table stays within WIDTH


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_text(doc: dict[str, Any]) -> str:
    m = doc["machine"]
    out = [f"advisor report: {m['name']}   (amounts in USD per month)", ""]
    ram = fmt.gib_text(m.get("ram_gb"))
    out += [f"  CPU      {fmt.cpu_line(m)}", f"  RAM      {ram}"]
    out += [f"  GPU {i}    {fmt.gpu_line(g)}" for i, g in enumerate(m.get("gpus", []))]
    out += [
        f"  backend  {m.get('backend') or 'unknown'};  "
        f"{len(doc['measurements'])} throughput test(s) stored",
        *_field("config", fmt.config_line(doc)),
        *_field("energy", fmt.electricity_line(doc)),
        *_field("hardware", fmt.hardware_line(doc)),
        "",
    ]
    out += _overview(doc["verdicts"]) + [""]
    for v in doc["verdicts"]:
        out += _verdict(v)
    return "\n".join(out).rstrip() + "\n"


def _overview(verdicts: list[dict[str, Any]]) -> list[str]:
    rows = [("workload", "verdict", "local option", "local", "best cloud", "confidence")]
    for v in verdicts:
        opt, c = v["local_option"], v["costs_usd_per_month"]
        name = _cut(f"{opt['model_name']} {opt['quant']}" if opt else "none fits", NAME_WIDTH)
        local = c["hybrid"] if v["verdict"] == "hybrid" else c["local"]
        cloud = fmt.usd(v["cloud"]["best_usd_per_month"])
        rows.append(
            (
                v["title"],
                v["verdict"].replace("_", " "),
                name,
                fmt.usd(local),
                cloud,
                v["confidence"]["level"],
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


def _verdict(v: dict[str, Any]) -> list[str]:
    out = [f"{fmt.verdict_word(v['verdict']):<7} {v['title']}"]
    out += _wrap(v["summary"], "  ")
    if v.get("rule"):
        out += _wrap(f"({v['rule']})", "  ")
    for reason in v["reasons"]:
        nested = reason.startswith("  ")
        out += _wrap(("- " if nested else "* ") + reason.strip(), "      " if nested else "    ")
    out.append("  monthly cost:")
    out += [f"    {amount:>10}  {path}" for path, amount, _ in fmt.cost_rows(v)]
    for line in v["cloud"]["basis"]:
        out += _wrap(line, "    ")
    for note in v["cloud"]["notes"]:
        out += _wrap(f"({note})", "    ")
    gap = v["quality_gap"]
    if gap is not None:
        out += _wrap(
            f"quality gap: {gap['points']:.1f} points ({gap['pct']:.0f}%) below {gap['frontier']}",
            "  ",
        )
    out += _wrap(f"break-even: {v['break_even']['text']}", "  ")
    c = v["confidence"]
    out += _wrap(f"confidence: {c['level']} ({c['why']})", "  ")
    if c["estimated"]:
        out += _wrap(f"estimated or assumed: {', '.join(c['estimated'])}", "    ")
    return out + [""]
