"""Every output format of the audit, from one audit of the shared test fleet."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

from advisor.audit.render.csv_rows import COLUMNS
from advisor.audit.render.json_doc import AUDIT_KIND, audit_document
from advisor.commands.audit import render


def test_table_has_every_section_and_no_escape_codes(fleet_audit) -> None:
    text = render(fleet_audit, "table")
    for title in (
        "Workloads: where each runs well locally",
        "Fleet cost (USD per month)",
        "Upgrade suggestions",
        "Models the fleet would run",
        "Machines: each one's best option",
    ):
        assert title in text
    assert "\x1b[" not in text
    assert "rtx-4090-desktop-6.json" in text
    assert "8 machines from 8 reports (4 distinct configurations)" in text


def test_csv_has_a_row_per_machine_and_workload(fleet_audit) -> None:
    rows = list(csv.DictReader(io.StringIO(render(fleet_audit, "csv"))))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == sum(len(m.outcomes) for m in fleet_audit.machines)
    for w in fleet_audit.workloads:
        verdicts = [r["verdict"] for r in rows if r["workload"] == w.name]
        assert (verdicts.count("local"), verdicts.count("hybrid"), verdicts.count("cloud")) == (
            w.local,
            w.hybrid,
            w.cloud,
        )
    upgraded = [r for r in rows if r["upgrades"]]
    assert len(upgraded) == sum(s.machines for s in fleet_audit.suggestions)


def test_json_document_adds_up(fleet_audit) -> None:
    doc = audit_document(fleet_audit)
    assert doc["kind"] == AUDIT_KIND and doc["currency"] == "USD"
    assert doc["reports"]["machines"] == len(doc["machines"]) == 8
    for w in doc["workloads"]:
        assert w["local"] + w["hybrid"] + w["cloud"] == w["machines"] == 8
    cost = doc["cost"]
    assert (
        abs(
            cost["today_usd_per_month"]
            - cost["with_local_usd_per_month"]
            - cost["saving_usd_per_month"]
        )
        < 1e-3
    )
    effects = [e for change in doc["upgrades"]["changes"] for e in change["effects"]]
    assert len(effects) == len(fleet_audit.suggestions)
    labels = [change["change"] for change in doc["upgrades"]["changes"]]
    assert len(labels) == len(set(labels))  # grouped by change
    machine = doc["machines"][0]
    assert {"report", "machine_id", "hardware", "best", "cost", "workloads"} <= set(machine)


def test_markdown_tables_are_well_formed(fleet_audit) -> None:
    text = render(fleet_audit, "markdown")
    assert text.startswith("# advisor audit\n")
    for block in re.split(r"\n\n", text):
        lines = [line for line in block.splitlines() if line.startswith("|")]
        if lines:
            widths = {line.count(" | ") for line in lines if "---" not in line}
            assert len(widths) == 1, block


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)
        self.attrs += attrs


def test_html_is_one_self_contained_page_with_charts(fleet_audit) -> None:
    page = render(fleet_audit, "html")
    parser = _Tags()
    parser.feed(page)
    assert parser.tags.count("svg") >= 3 and "rect" in parser.tags and "style" in parser.tags
    for banned in ("script", "link", "img", "iframe", "object", "embed"):
        assert banned not in parser.tags
    assert not [name for name, _ in parser.attrs if name in ("src", "href", "srcset", "xmlns")]
    for needle in ("http://", "https://", "url(", "@import", "//cdn"):
        assert needle not in page


def test_html_upgrade_labels_are_whole_and_counts_agree(fleet_audit, tmp_path, docs, catalog):
    """Each upgrade bar's label is drawn whole, inside the chart (not cut with an ellipsis, not
    off its left edge), and one machine is "1 machine"."""
    from html import escape

    from audit_kit import as_machine, write

    from advisor.audit.audit import AuditSettings, run_audit

    page = render(fleet_audit, "html")
    chart = re.search(r"<title>Machines each upgrade makes viable</title>(.*?)</svg>", page, re.S)
    label = r'<text class="label" x="([\d.]+)"[^>]*>(?:<title>.*?</title>)?(.*?)</text>'
    labels = re.findall(label, chart.group(1))
    assert len(labels) == min(len(fleet_audit.suggestions), 12)
    for s, (x, text) in zip(fleet_audit.suggestions, labels, strict=False):
        assert text == escape(f"{s.change.label}: {s.workload}")  # whole, no "…"
        assert float(x) >= len(f"{s.change.label}: {s.workload}") * 6.5  # room on its left
    one = run_audit(
        [str(write(tmp_path, "one.json", as_machine(docs["office-laptop-8gb"], 1)))],
        catalog, AuditSettings(jobs=1, ram_usd_per_gb=3.0),
    )  # fmt: skip
    for fmt in ("html", "table", "markdown"):
        text = render(one, fmt)
        assert "1 machines" not in text and "1 reports" not in text
        assert "1 machine from 1 report" in text
