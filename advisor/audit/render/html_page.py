"""The audit as one self-contained HTML page: inline CSS and SVG charts, nothing to fetch.

It opens offline and can be mailed as a single file; there are no scripts, fonts, images or
links to other pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from advisor.audit.fleet import UPGRADE_RANKING
from advisor.audit.render import present as p
from advisor.audit.render.markdown import (
    UNREACHED_TITLE,
    cost_rows,
    machine_rows,
    model_rows,
    unreached_rows,
    upgrade_rows,
    workload_rows,
)
from advisor.audit.render.svg import Bar, Part, bar_chart

if TYPE_CHECKING:
    from advisor.audit.fleet import FleetAudit

CHART_ROWS = 12

CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px;
       padding: 0 1em; color: #1d2330; background: #fff; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { margin-top: 1.8em; font-size: 1.2em; }
p.lead { color: #3b4456; } p.note { color: #667085; font-size: .92em; }
table { border-collapse: collapse; margin: .6em 0 1em; width: 100%; }
th, td { border-bottom: 1px solid #e3e6ec; padding: .3em .6em; text-align: left;
         vertical-align: top; }
th { background: #f4f6f9; font-weight: 600; } td.num { text-align: right; }
svg.chart { display: block; max-width: 100%; height: auto; margin: .4em 0 .8em; }
svg.chart text { font: 12px system-ui, sans-serif; fill: #1d2330; }
svg.chart text.value { fill: #3b4456; }
rect.local { fill: #2e9e5b; } rect.hybrid { fill: #e3a72f; } rect.cloud { fill: #a7b0c0; }
rect.not-viable { fill: #c0392b; }
rect.today { fill: #a7b0c0; } rect.with-local { fill: #2e9e5b; } rect.count { fill: #3d6fd6; }
.legend span { display: inline-block; margin-right: 1.2em; }
.legend i { display: inline-block; width: .9em; height: .9em; margin-right: .35em;
            vertical-align: -.1em; }
i.local { background: #2e9e5b; } i.hybrid { background: #e3a72f; } i.cloud { background: #a7b0c0; }
i.not-viable { background: #c0392b; }
@media (prefers-color-scheme: dark) {
  body { background: #14171d; color: #e4e7ee; } th { background: #222733; }
  th, td { border-color: #2d3340; } svg.chart text, svg.chart text.value { fill: #e4e7ee; }
  p.lead { color: #c3c9d6; }
}
"""


def render_html(audit: FleetAudit) -> str:
    body = ["<h1>advisor audit</h1>"]
    body += [f'<p class="lead">{escape(line)}</p>' for line in p.headline(audit)]
    body += _workloads(audit) + _cost(audit) + _upgrades(audit)
    if audit.servers is not None:
        body += _section("Shared servers (USD per month)", p.server_rows(audit))
    body += _models(audit)
    body += _section("Machines: each one's best option", machine_rows(audit))
    body += _problems(audit)
    body.append(
        f'<p class="note">advisor {escape(audit.advisor_version)}, catalog '
        f"{escape(audit.catalog_version)}, generated {escape(audit.generated_at)}. "
        "Amounts are USD per month.</p>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>advisor audit: {p.count(len(audit.machines), 'machine')}</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )


def _table(rows: list[Sequence[str]]) -> str:
    head, *body = rows
    numeric = [name in p.NUMERIC_COLUMNS for name in head]
    out = ["<table><thead><tr>"]
    out += [f"<th>{escape(name)}</th>" for name in head]
    out.append("</tr></thead><tbody>")
    for row in body:
        cells = (
            f'<td class="num">{escape(c)}</td>' if n else f"<td>{escape(c)}</td>"
            for c, n in zip(row, numeric, strict=True)
        )
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _section(title: str, rows: list[Sequence[str]], chart: str = "") -> list[str]:
    out = [f"<h2>{escape(title)}</h2>"]
    if chart:
        out.append(chart)
    out.append(_table(rows) if len(rows) > 1 else "<p>None.</p>")
    return out


def _workloads(audit: FleetAudit) -> list[str]:
    bars = [
        Bar(
            w.title,
            (
                Part(w.local, "local", f"local on {p.count(w.local, 'machine')}"),
                Part(w.hybrid, "hybrid", f"hybrid on {p.count(w.hybrid, 'machine')}"),
                Part(w.cloud, "cloud", f"cloud on {p.count(w.cloud, 'machine')}"),
                Part(
                    w.not_viable, "not-viable", f"not viable on {p.count(w.not_viable, 'machine')}"
                ),
            ),
            f"{p.share(w.local, w.machines)} local",
        )
        for w in audit.workloads
    ]
    legend = (
        '<p class="legend"><span><i class="local"></i>local</span>'
        '<span><i class="hybrid"></i>hybrid</span><span><i class="cloud"></i>cloud</span>'
        '<span><i class="not-viable"></i>not viable</span></p>'
    )
    chart = legend + bar_chart("Machines per verdict, by workload", bars) if bars else ""
    return _section("Workloads: where each runs well locally", workload_rows(audit), chart)


def _cost(audit: FleetAudit) -> list[str]:
    c = audit.cost
    bars = [
        Bar(
            "today",
            (Part(c.today_usd_per_month, "today", "today"),),
            p.money(c.today_usd_per_month),
        ),
        Bar(
            "with local where viable",
            (Part(c.with_local_usd_per_month, "with-local", "with local"),),
            p.money(c.with_local_usd_per_month),
        ),
    ]
    out = _section(
        "Fleet cost (USD per month)", cost_rows(audit), bar_chart("Fleet cost per month, USD", bars)
    )
    return out + [f'<p class="note">How: {escape(c.explanation)}.</p>']


def _upgrades(audit: FleetAudit) -> list[str]:
    title = "Upgrade suggestions"
    if not audit.upgrades_checked:
        return [f"<h2>{title}</h2>", "<p>Not checked (--no-upgrades).</p>"]
    bars = [
        Bar(
            f"{s.change.label}: {s.workload}",
            (Part(s.machines, "count", s.text),),
            p.count(s.machines, "machine"),
        )
        for s in audit.suggestions[:CHART_ROWS]
    ]
    chart = bar_chart("Machines each upgrade makes viable", bars) if bars else ""
    out = _section(title, upgrade_rows(audit), chart)
    if audit.suggestions:
        out.append(f'<p class="note">Order: {escape(UPGRADE_RANKING)}.</p>')
    sources = {s.change.label: s.change.price_source for s in audit.suggestions}
    out += [
        f'<p class="note">Price of {escape(label)}: {escape(source)}.</p>'
        for label, source in sources.items()
        if source
    ]
    if audit.unreached:
        out += _section(UNREACHED_TITLE, unreached_rows(audit))
    return out


def _models(audit: FleetAudit) -> list[str]:
    total = len(audit.machines)
    bars = [
        Bar(
            m.model_name,
            (Part(len(m.machine_ids), "count", ", ".join(m.workloads)),),
            f"{p.share(len(m.machine_ids), total)} of machines",
        )
        for m in audit.models[:CHART_ROWS]
    ]
    chart = bar_chart("Machines that would run each model", bars, scale=total) if bars else ""
    return _section("Models the fleet would run", model_rows(audit), chart)


def _problems(audit: FleetAudit) -> list[str]:
    out = []
    if audit.skipped:
        out += _section(
            f"Skipped reports ({len(audit.skipped)})",
            [("report", "reason"), *((s.origin, s.reason) for s in audit.skipped)],
        )
    if audit.replaced:
        out += _section(
            f"Replaced by a newer report of the same machine ({len(audit.replaced)})",
            [
                ("report", "machine id", "newer report"),
                *((r.origin, r.machine_id, r.newer) for r in audit.replaced),
            ],
        )
    return out
