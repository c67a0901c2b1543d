"""What a hostile report could make of the audit's files and paths: formulas in the CSV, HTML
and javascript: links in the markdown, and a glob through symlink loops."""

from __future__ import annotations

import copy
import csv
import io
import os
import re

import pytest
from audit_kit import as_machine, write

from advisor.audit.audit import AuditSettings, run_audit
from advisor.audit.render.csv_rows import inert, render_csv
from advisor.audit.render.markdown import render_markdown
from advisor.audit.sources import locate

FORMULAS = {
    "cpu": "=cmd|' /C calc'!A0",
    "gpu": '+HYPERLINK("https://evil.example","click")',
    "workload": "@SUM(1+1)*cmd|' /C calc'!A0",
    "name": "\t=1+2",
    "title": "-2+3+cmd|' /C calc'!A0",
}


@pytest.fixture(scope="module")
def hostile_audit(tmp_path_factory, docs, catalog):
    doc = copy.deepcopy(as_machine(docs["rtx-4090-desktop"], 1))
    doc["machine"]["name"] = FORMULAS["name"]
    doc["machine"]["cpu"]["name"] = FORMULAS["cpu"]
    doc["machine"]["gpus"][0]["name"] = FORMULAS["gpu"]
    doc["inputs"]["workloads"][0]["name"] = FORMULAS["workload"]
    doc["inputs"]["workloads"][1]["title"] = "<script>alert(1)</script>"
    doc["machine"]["cpu"]["name"] = "[click](javascript:alert(1)) <img src=x onerror=alert(1)>"
    csv_doc = copy.deepcopy(doc)
    csv_doc["machine"]["cpu"]["name"] = FORMULAS["cpu"]
    folder = tmp_path_factory.mktemp("injection")
    write(folder / "csv", "=HYPERLINK(1).json", csv_doc)
    write(folder / "md", "<b>bold<b>.json", doc)
    settings = AuditSettings(jobs=1, upgrades=False)
    return {kind: run_audit([str(folder / kind)], catalog, settings) for kind in ("csv", "md")}


def test_csv_cells_a_spreadsheet_would_run_are_made_text(hostile_audit) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(hostile_audit["csv"]))))
    assert rows
    cells = [value for row in rows for value in row.values()]
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
    assert not [c for c in cells if c.startswith("-") and not _number(c)]
    first = rows[0]
    assert first["cpu"] == "'" + FORMULAS["cpu"]
    assert first["gpus"] == "'" + FORMULAS["gpu"] + " 24 GiB"
    assert first["machine_name"] == "'" + FORMULAS["name"]
    assert first["report"].endswith("=HYPERLINK(1).json")  # a path: starts with /, kept
    assert {row["workload"] for row in rows} >= {"'" + FORMULAS["workload"]}


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("-12.5", "-12.5"),  # a negative number stays a number
        ("-3", "-3"),
        ("-1e+06", "-1e+06"),
        ("-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"),
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("RTX 4090", "RTX 4090"),
        ("", ""),
    ],
)
def test_inert(cell: str, written: str) -> None:
    assert inert(cell) == written


def test_markdown_shows_html_and_links_as_text(hostile_audit) -> None:
    text = render_markdown(hostile_audit["md"])
    for active in ("<script", "<img", "<b>"):
        assert active not in text
    assert not re.search(r"(?<!\\)\]\(javascript:", text)  # a link, unless escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "\\[click\\](javascript:alert(1)) &lt;img src=x onerror=alert(1)&gt;" in text
    assert "&lt;b&gt;bold&lt;b&gt;.json" in text


def test_a_glob_through_two_symlink_loops_ends(tmp_path, docs, monkeypatch) -> None:
    fleet = tmp_path / "fleet"
    write(fleet / "team", "a.json", as_machine(docs["office-laptop-8gb"], 1))
    (fleet / "team" / "loop-1").symlink_to("..")
    (fleet / "team" / "loop-2").symlink_to("..")
    (fleet / "up").symlink_to(".")
    real = os.scandir
    calls = []

    def counted(path="."):
        calls.append(path)
        if len(calls) > 1000:  # glob.glob follows the loops 2**n ways, and never ends
            raise RuntimeError("the glob is walking in circles")
        return real(path)

    monkeypatch.setattr(os, "scandir", counted)
    found = list(locate([str(fleet / "**" / "*.json"), str(fleet / "*")]))
    assert found == [fleet / "team" / "a.json"]
