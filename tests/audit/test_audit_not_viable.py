"""A workload that may not leave the building (`cloud: forbidden`) is counted in the audit's
summaries in every format: the machines where nothing runs it are 'not viable', not missing
from the counts, and no cloud price is counted for it in the fleet's cost."""

from __future__ import annotations

import csv
import dataclasses
import io
import json

import pytest
from audit_kit import as_machine, report, write

from advisor.audit.audit import AuditSettings, run_audit
from advisor.audit.render.csv_rows import render_csv
from advisor.audit.render.html_page import render_html
from advisor.audit.render.json_doc import render_json
from advisor.audit.render.markdown import render_markdown
from advisor.audit.render.table import render_table
from advisor.workload import load_workloads


@pytest.fixture(scope="module")
def private_fleet(tmp_path_factory, catalog):
    """Two 8 GB office laptops (nothing runs the support bot there) and one RTX 4090 desktop
    (Qwen3.8 27B runs it), judged on a support bot whose prompts may not leave the building."""
    bot = dataclasses.replace(load_workloads(["support-bot"])[0], cloud="forbidden")
    folder = tmp_path_factory.mktemp("private")
    number = 0
    for profile, count in (("office-laptop-8gb", 2), ("rtx-4090-desktop", 1)):
        doc = report(profile, catalog, [bot])
        for _ in range(count):
            number += 1
            write(folder, f"{profile}-{number}.json", as_machine(doc, number))
    return run_audit([str(folder)], catalog, AuditSettings(upgrades=False))


def test_the_workload_row_counts_every_machine(private_fleet) -> None:
    (row,) = private_fleet.workloads
    assert (row.machines, row.local, row.hybrid, row.cloud, row.not_viable) == (3, 1, 0, 0, 2)
    assert row.local + row.hybrid + row.cloud + row.not_viable == row.machines


def test_no_cloud_price_is_counted_for_a_workload_that_may_not_use_it(private_fleet) -> None:
    # Before, today's cost was three support bots on the API (3 × 18.17) and the laptops'
    # "path" was that same API: a saving claimed against a path the workload rules out.
    cost = private_fleet.cost
    assert cost.today_usd_per_month == 0 and cost.with_local_usd_per_month == 0
    assert cost.unpriced == 3
    for machine in private_fleet.machines:
        (outcome,) = machine.outcomes
        assert outcome.cloud_usd_per_month is None and outcome.cloud_path is None


def test_every_format_says_not_viable(private_fleet) -> None:
    audit = private_fleet
    table = render_table(audit, width=200)
    assert "not viable" in table and "not viable here for every workload" in table
    markdown = render_markdown(audit)
    head = "| workload | machines | local | hybrid | cloud | not viable | viable locally |"
    assert head in markdown and "| 3 | 1 | 0 | 0 | 2 | 33% |" in markdown
    doc = json.loads(render_json(audit))
    assert doc["schema_version"] == 4
    (workload,) = doc["workloads"]
    assert workload["not_viable"] == 2 and workload["machines"] == 3
    html = render_html(audit)
    assert "not viable on 2 machines" in html and 'class="not-viable"' in html
    rows = list(csv.DictReader(io.StringIO(render_csv(audit))))
    assert sorted(r["verdict"] for r in rows) == ["local", "not_viable", "not_viable"]
