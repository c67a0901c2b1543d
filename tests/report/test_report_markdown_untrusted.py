"""The report's markdown shows names from profiles, workloads and model files as text: no HTML,
no link (the audit's markdown does the same; both use advisor.report.mdtext)."""

from __future__ import annotations

import copy
import json
import re

import pytest
from report_helpers import GOLDEN

from advisor.report.markdown import render_markdown
from advisor.report.view_read import report_view

SCRIPT = "<script>alert(1)</script>"
LINK = "[click](javascript:alert(1))"


@pytest.fixture()
def hostile() -> dict:
    """A real golden report with hostile text where a profile, a workload file or a GGUF header
    supplies it."""
    doc = json.loads((GOLDEN / "rtx-4090-desktop.json").read_text(encoding="utf-8"))
    doc = copy.deepcopy(doc)
    doc["machine"]["name"] = f"Desk {SCRIPT}"
    doc["machine"]["cpu"]["name"] = f"CPU {LINK}"
    verdict = doc["verdicts"][0]
    verdict["title"] = f"Chat <img src=x onerror=alert(1)> {LINK}"
    verdict["summary"] = f"local: {SCRIPT}"
    verdict["reasons"] = [f"fits {LINK}", *verdict["reasons"]]
    doc["inputs"]["workloads"][0]["origin"] = "<b>bold</b>.yaml"
    doc["inputs"]["workloads"][0]["justification"] = {"requests_per_day": SCRIPT}
    if verdict["local_option"] is not None:
        verdict["local_option"]["model_name"] = f"Model {SCRIPT}"
    if doc["candidates"]:
        doc["candidates"][0]["model_name"] = f"Cand {LINK}"
    return doc


def test_report_markdown_shows_html_and_links_as_text(hostile) -> None:
    text = render_markdown(report_view(hostile))
    for active in ("<script", "<img", "<b>"):
        assert active not in text
    assert not re.search(r"(?<!\\)\]\(javascript:", text)  # a link, unless escaped
    assert "# advisor report: Desk &lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "CPU \\[click\\](javascript:alert(1))" in text
    assert "&lt;b&gt;bold&lt;/b&gt;.yaml" in text


def test_our_own_markup_is_kept(hostile) -> None:
    """Escaping is for the data: the report's own details block and tables stay markdown."""
    text = render_markdown(report_view(hostile))
    assert "<details><summary>Why these numbers</summary>" in text
    assert "| Workload | Verdict | Local option |" in text
