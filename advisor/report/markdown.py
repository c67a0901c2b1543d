"""The report as markdown, rendered from the report's typed values (advisor.report.view), read
from the JSON document so both always say the same."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.report import fmt
from advisor.report.mdtext import md

if TYPE_CHECKING:
    from advisor.advise import TopCandidate
    from advisor.report.view import ReportView, VerdictView
    from advisor.workload import Workload


def render_markdown(report: ReportView) -> str:
    out = [f"# advisor report: {md(report.machine.name)}", ""]
    out += _preamble(report)
    out += _machine(report)
    out += _overview(report)
    for v, w in zip(report.verdicts, report.inputs.workloads, strict=True):
        out += _verdict(v, w)
    out += _candidates(report.candidates)
    return "\n".join(out).rstrip() + "\n"


def _preamble(report: ReportView) -> list[str]:
    return [
        f"Generated {report.generated_at} by advisor {report.advisor_version} with catalog "
        f"{report.catalog_version}. **All amounts are in US dollars (USD)**, per month unless "
        "stated.",
        "",
        f"- Config file: {fmt.config_line(report)}",
        f"- Electricity: {fmt.electricity_line(report)}",
        f"- Hardware cost: {fmt.hardware_line(report)}",
        f"- Machine id: `{report.machine_id}`"
        + (" (anonymized report)" if report.anonymized else ""),
        "",
    ]


def _machine(report: ReportView) -> list[str]:
    m = report.machine
    rows = [
        ("CPU", md(fmt.cpu_line(m.cpu, m.sources))),
        ("RAM", fmt.gib_text(m.ram_gb)),
    ]
    rows += [
        (f"GPU {i}", md(fmt.gpu_line(g, fmt.gpu_bandwidth_source(m.sources, i))))
        for i, g in enumerate(m.gpus)
    ]
    rows.append(("Backend", m.backend or "unknown"))
    count = len(report.measurements)
    rows.append(("Throughput tests", f"{count} stored" if count else "none (run `advisor bench`)"))
    out = ["## Machine", "", "| | |", "| --- | --- |"]
    out += [f"| {k} | {v} |" for k, v in rows]
    return out + [""]


def _overview(report: ReportView) -> list[str]:
    out = ["## Verdicts", "",
           "| Workload | Verdict | Local option | Local | Best cloud | Confidence |",
           "| --- | --- | --- | ---: | ---: | --- |"]  # fmt: skip
    for v in report.verdicts:
        name = md(fmt.option_name(v)) if v.local_option else "none fits"
        out.append(
            f"| {md(v.title)} | **{v.verdict.replace('_', ' ')}** | {name} | "
            f"{fmt.usd(fmt.local_usd(v))} | "
            f"{fmt.usd(v.cloud.best_usd_per_month)} | {v.confidence.level} |"
        )
    return out + [""]


def _verdict(v: VerdictView, w: Workload) -> list[str]:
    title, summary = md(v.title), md(v.summary)
    out = [f"## {title}: {v.verdict.replace('_', ' ')}", "", f"> {summary}", ""]
    if v.rule:
        out += [f"*{v.rule[:1].upper()}{v.rule[1:]}.*", ""]
    out += ["**Why**", ""]
    out += [
        f"- {md(r.strip())}" if not r.startswith("  ") else f"  - {md(r.strip())}"
        for r in v.reasons
    ]
    out += ["", "**Monthly cost of each path (USD)**", "", "| Path | USD/month | Note |",
            "| --- | ---: | --- |"]  # fmt: skip
    out += [f"| {p} | {a} | {n} |" for p, a, n in fmt.cost_rows(v)]
    out += [""] + [f"- {line[0].upper()}{line[1:]}" for line in v.cloud.basis]
    out += [""] + [f"*{note[0].upper()}{note[1:]}.*" for note in v.cloud.notes]
    out += [""] if v.cloud.notes else []
    out += _checks(v) + _gap_and_break_even(v) + _confidence(v) + _assumptions(w)
    return out


def _checks(v: VerdictView) -> list[str]:
    opt = v.local_option
    if opt is None:
        return []
    out = [f"**Requirements for {md(opt.model_name)} {opt.quant}** "
           f"({opt.placement}, speed {opt.speed_status})", "",
           "| Check | Needs | Has | Met |", "| --- | ---: | ---: | --- |"]  # fmt: skip
    for c in opt.checks:
        need = "-" if c.required is None else f"{c.required:g} {c.unit}"
        have = "-" if c.actual is None else f"{c.actual:g} {c.unit}"
        met = ("yes" if c.passed else "**no**") + (" (borderline)" if c.borderline else "")
        out.append(f"| {c.name} | {need} | {have} | {met} |")
    return out + [""]


def _gap_and_break_even(v: VerdictView) -> list[str]:
    out = []
    gap = v.quality_gap
    if gap is not None:
        index = gap.index.replace("_", " ")
        out.append(
            f"**Quality gap:** {gap.points:.1f} points ({gap.pct:.0f}%) below "
            f"{gap.frontier} ({gap.frontier_index:g}) on the {index}."
        )
    out.append(f"**Break-even:** {v.break_even.text}.")
    return out + [""]


def _confidence(v: VerdictView) -> list[str]:
    c = v.confidence
    why = c.why[:1].upper() + c.why[1:]
    out = [f"**Confidence: {c.level}.** {why}.", "",
           "| Input | Status | Detail |", "| --- | --- | --- |"]  # fmt: skip
    out += [f"| {i.input} | {i.status} | {md(i.detail)} |" for i in c.inputs]
    return out + [""]


def _floor_owner(w: Workload) -> str:
    """Whose quality floor the workload is judged against: the user's own (min_quality_pct,
    from a flag or their file), else the workload's origin (a preset, or the user's file)."""
    return f"yours: {w.min_quality_from}" if w.min_quality_from else w.origin


def _assumptions(w: Workload) -> list[str]:
    ttft = w.max_time_to_first_token_s
    out = [
        "**Workload:** "
        f"{w.requests_per_day:g} requests a day × {w.model_calls_per_request} call(s) of "
        f"{w.input_tokens_per_request:,} input ({w.cached_input_share:.0%} cached) and "
        f"{w.output_tokens_per_request:,} output tokens; context {w.context_tokens:,}; "
        f"≥ {w.min_decode_tokens_per_s:g} tokens/s; first token ≤ "
        f"{'no limit' if ttft is None else f'{ttft:g} s'}; {w.concurrency} at once; "
        f"{w.hours_per_day:g} h/day, {w.days_per_week:g} days/week; quality floor "
        f"{w.quality_floor_pct:g}% of the frontier ({md(_floor_owner(w))}).",
        "",
    ]
    if w.justification:
        out += ["<details><summary>Why these numbers</summary>", ""]
        out += [f"- `{md(k)}`: {md(t)}" for k, t in w.justification.items()]
        out += ["", "</details>", ""]
    return out


def _candidates(rows: tuple[TopCandidate, ...]) -> list[str]:
    if not rows:
        return []
    out = ["## Top candidates on this machine", "",
           "| # | Model | Quant | Placement | Memory | Decode tok/s | Prefill tok/s | Max context "
           "| Intelligence | Coding |",
           "| ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]  # fmt: skip
    for c in rows:
        out.append(
            f"| {c.rank} | {md(c.model_name)} | {c.quant} | {c.placement} | "
            f"{fmt.gib(c.memory_total_bytes)} | {fmt.rate(c.decode_tokens_per_s)} | "
            f"{fmt.rate(c.prefill_tokens_per_s)} | {fmt.tokens(c.max_context_tokens)} | "
            f"{_num(c.intelligence_index)} | {_num(c.coding_index)} |"
        )
    return out + ["", "Speeds are tg128/pp512-style figures: " + _speed_note(rows), ""]


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _speed_note(rows: tuple[TopCandidate, ...]) -> str:
    kinds = sorted({c.speed_status for c in rows})
    return ", ".join(kinds) + "."
