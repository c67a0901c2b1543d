"""Issue 13 item 11: upgrades ranked by monthly saving per USD, each naming the machines it is
for, an upgrade that does not pay back within the hardware's life ranked last and flagged, and a
stated reason when nothing the audit tries makes a workload local."""

from __future__ import annotations

import csv
import dataclasses
import io
import json

import pytest
from audit_kit import as_machine, report, write

from advisor.audit.audit import AuditSettings, run_audit
from advisor.audit.costs import MachineCost
from advisor.audit.evaluate import Outcome, Pick
from advisor.audit.fleet import MachineHardware, MachineRow, suggestion_rows
from advisor.audit.render.csv_rows import render_csv
from advisor.audit.render.html_page import render_html
from advisor.audit.render.json_doc import render_json
from advisor.audit.render.markdown import render_markdown
from advisor.audit.render.table import render_table
from advisor.probe import load_profile
from advisor.probe.specs.upgrades import gpu_changes, ram_changes
from advisor.workload import load_workloads

LAPTOPS, DESKTOPS = 40, 5


@pytest.fixture(scope="module")
def office_fleet(tmp_path_factory, catalog):
    """The issue's fleet: forty 16 GB office laptops and five RTX 4090 desktops, chat and
    coding, each report as `advisor report --json --anonymize` writes it."""
    workloads = load_workloads(["chat-assistant", "coding-agent"])
    folder = tmp_path_factory.mktemp("office")
    number = 0
    for profile, count in (("office-laptop-16gb", LAPTOPS), ("rtx-4090-desktop", DESKTOPS)):
        doc = report(profile, catalog, workloads)
        for _ in range(count):
            number += 1
            write(folder, f"{profile}-{number:02d}.json", as_machine(doc, number))
    return run_audit([str(folder)], catalog, AuditSettings(ram_usd_per_gb=3.0))


def test_no_upgrade_for_the_laptops_says_why(office_fleet) -> None:
    audit = office_fleet
    laptops = {m.machine_id for m in audit.machines if m.origin.endswith(".json")
               and "office-laptop" in m.origin}  # fmt: skip
    assert len(laptops) == LAPTOPS
    # The 4090s already run both workloads locally; nothing makes the laptops do so.
    assert audit.suggestions == ()
    by_workload = {u.workload: u for u in audit.unreached}
    assert set(by_workload) == {"chat-assistant", "coding-agent"}
    for u in by_workload.values():
        assert set(u.machine_ids) == laptops
        assert len(u.hosts) == LAPTOPS and u.hosts[0] == "office-laptop-16gb-01.json"
        # a laptop's RAM change says it needs slots (its RAM may be soldered)
        assert (
            "+64 GB RAM (if the laptop's RAM is in slots), the largest RAM change tried, "
            "leaves it cloud" in u.reason
        )
        assert "a laptop takes no desktop GPU" in u.reason


def test_every_format_states_the_reason_and_the_machines(office_fleet) -> None:
    audit = office_fleet
    reason = audit.unreached[0].reason
    table = render_table(audit, width=400)
    assert "Upgrade suggestions: none." in table and "Workloads no upgrade makes local" in table
    assert "No upgrade the audit tries makes another workload local" in table
    assert "office-laptop-16gb-01.json, office-laptop-16gb-02.json and 38 more" in table
    markdown = render_markdown(audit)
    assert "## Workloads no upgrade makes local" in markdown
    assert "office-laptop-16gb-40.json" in markdown  # markdown names every machine
    assert "largest RAM change tried" in render_html(audit)
    doc = json.loads(render_json(audit))
    assert doc["schema_version"] == 4
    [chat] = [u for u in doc["upgrades"]["unreached"] if u["workload"] == "chat-assistant"]
    assert chat["machines"] == LAPTOPS and "largest RAM change tried" in chat["reason"]
    assert len(chat["reports"]) == LAPTOPS and len(chat["machine_ids"]) == LAPTOPS
    rows = list(csv.DictReader(io.StringIO(render_csv(audit))))
    laptop_rows = [r for r in rows if "office-laptop" in r["report"]]
    assert len(laptop_rows) == 2 * LAPTOPS
    assert all("largest RAM change tried" in r["no_upgrade_reason"] for r in laptop_rows)
    assert any(r["no_upgrade_reason"].lstrip("'") == reason for r in laptop_rows)
    desktops = [r for r in rows if "rtx-4090" in r["report"]]
    assert desktops and all(r["no_upgrade_reason"] == "" for r in desktops)


def test_a_floor_no_model_reaches_names_the_best_model(tmp_path, catalog) -> None:
    [coding] = load_workloads(["coding-agent"])
    strict = dataclasses.replace(coding, quality_floor_pct=99.0)
    doc = report("rtx-3060-desktop", catalog, [coding])
    write(tmp_path, "desk.json", as_machine(doc, 1))
    audit = run_audit([str(tmp_path)], catalog, AuditSettings(workloads=(strict,)))
    [u] = audit.unreached
    assert u.reason.startswith("no catalog model reaches the coding quality floor of 99% of ")
    assert "(the best, " in u.reason and "% before any quant loss)" in u.reason
    assert u.hosts == ("desk.json",)


def test_a_machine_that_takes_no_change_says_so(tmp_path, catalog) -> None:
    [chat] = load_workloads(["chat-assistant"])
    doc = report("macbook-air-m2-16gb", catalog, [chat])
    write(tmp_path, "air.json", as_machine(doc, 1))
    audit = run_audit([str(tmp_path)], catalog, AuditSettings())
    [u] = audit.unreached
    assert u.reason == (
        "no change the audit tries fits this machine: its memory is in the package (unified "
        "memory): no RAM or GPU change goes in"
    )


def _row(number: int) -> MachineRow:
    return MachineRow(
        origin=f"/fleet/desk-{number}.json",
        machine_id=f"m-{number:020x}",
        name=None,
        generated_at="2026-12-01T00:00:00Z",
        hardware=MachineHardware("AMD Ryzen 9 7950X", 64.0, (), "cpu"),
        outcomes=(),
        cost=MachineCost(None, None, ()),
    )


def _outcome(kind: str, path_usd: float | None, local_usd: float | None) -> Outcome:
    pick = Pick("m", "M", "Q4_K_M", "gpu", 30.0, 900.0, 1.0, "estimated", 50.0, kind == "local")
    return Outcome("chat-assistant", kind, "", pick, local_usd, None, None, None, path_usd,
                   "API", "medium")  # fmt: skip


def test_ranked_by_saving_per_usd_and_a_payback_beyond_life_comes_last() -> None:
    """The issue's case: an upgrade saving 0.23 USD a month for 900 USD used to lead the list
    (it covered the most machines); now it comes last, flagged."""
    desk = load_profile("rtx-3060-desktop")
    gpu = next(c for c in gpu_changes(desk) if c.unit_price_usd == 450)  # RTX 5060 Ti 16GB
    ram32 = next(c for c in ram_changes(desk, 4.0) if c.size_gb == 32)  # 128 USD
    ram16_unpriced = next(c for c in ram_changes(desk, None) if c.size_gb == 16)
    cloud, local = _outcome("cloud", 0.40, None), _outcome("local", 0, 0.285)
    found = [
        (gpu, "chat-assistant", _row(1), cloud, local),
        (gpu, "chat-assistant", _row(2), cloud, local),
        (ram32, "batch", _row(3), _outcome("cloud", 20.0, None), _outcome("local", 0, 6.0)),
        (ram16_unpriced, "rag", _row(4), _outcome("cloud", 9.0, None), _outcome("local", 0, 1.0)),
    ]
    ranked = suggestion_rows(found, lifetime_months=36)
    assert [s.change for s in ranked] == [ram32, ram16_unpriced, gpu]
    first, unpriced, last = ranked
    assert first.saving_per_usd == pytest.approx(14 / 128)
    assert first.payback_months == pytest.approx(128 / 14) and first.pays_back
    assert unpriced.pays_back is None and unpriced.saving_per_usd is None
    assert last.saving_usd_per_month == pytest.approx(0.23)
    assert last.total_price_usd == 900 and last.pays_back is False
    assert last.hosts == ("desk-1.json", "desk-2.json")


@pytest.fixture(scope="module")
def payback_audit(tmp_path_factory, catalog):
    """Two RTX 3060 desktops whose support bot a 450 USD card makes local for a few USD a
    month, and an 8 GB laptop whose document batch 32 GB of RAM makes local."""
    folder = tmp_path_factory.mktemp("payback")
    bot = report("rtx-3060-desktop", catalog, load_workloads(["support-bot"]))
    batch = report("office-laptop-8gb", catalog, load_workloads(["document-batch"]))
    write(folder, "desk-1.json", as_machine(bot, 1))
    write(folder, "desk-2.json", as_machine(bot, 2))
    write(folder, "laptop-3.json", as_machine(batch, 3))
    return run_audit([str(folder)], catalog, AuditSettings(ram_usd_per_gb=4.0))


def test_an_upgrade_that_does_not_pay_back_is_last_and_flagged_everywhere(payback_audit):
    audit = payback_audit
    first, *_, last = audit.suggestions
    assert first.change.kind == "ram" and first.hosts == ("laptop-3.json",) and first.pays_back
    assert last.change.kind == "gpu" and last.hosts == ("desk-1.json", "desk-2.json")
    assert last.machines == 2 > first.machines  # the old order put the most machines first
    assert last.pays_back is False and last.payback_months > last.lifetime_months == 36
    flag = "beyond its 36-month life"
    texts = {
        "table": render_table(audit, width=400),
        "markdown": render_markdown(audit),
        "html": render_html(audit),
    }
    for fmt, text in texts.items():
        assert flag in text and "desk-1.json, desk-2.json" in text, fmt
        assert text.index("laptop-3.json") < text.index("desk-1.json, desk-2.json"), fmt
    assert "pays back in" in texts["table"].split("Workloads")[0]  # the headline's top upgrade
    doc = json.loads(render_json(audit))
    assert doc["upgrades"]["ranking"].startswith("ranked by monthly saving per USD")
    *_, gpu = doc["upgrades"]["changes"]
    [effect] = gpu["effects"]
    assert effect["pays_back"] is False and effect["reports"] == ["desk-1.json", "desk-2.json"]
    assert effect["payback_months"] > 36 and effect["lifetime_months"] == 36
    rows = list(csv.DictReader(io.StringIO(render_csv(audit))))
    # (a cell starting with "+" gets an apostrophe: see render_csv.inert)
    assert {
        r["report"].rsplit("/", 1)[-1]: r["upgrades"].lstrip("'") for r in rows if r["upgrades"]
    } == {
        "desk-1.json": last.change.label,
        "desk-2.json": last.change.label,
        "laptop-3.json": first.change.label,
    }
