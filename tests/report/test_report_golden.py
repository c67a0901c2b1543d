"""Golden reports: every preset workload gets a verdict on every reference profile.

The JSON (time and versions pinned) and its markdown rendering are compared byte for byte
with tests/report/golden/; regenerate with --regen-golden when a change is meant.
"""

from __future__ import annotations

import json
import re

import pytest
from report_helpers import GOLDEN, check_golden, normalized

from advisor.advice_options import AdviceOptions
from advisor.advise import advise
from advisor.probe import list_profiles, load_profile
from advisor.report.document import build_document
from advisor.report.markdown import render_markdown
from advisor.report.models import validate_report
from advisor.report.text import WIDTH, render_text
from advisor.report.view_read import report_view
from advisor.workload import load_workloads

PROFILES = list_profiles()
PRESETS = ("chat-assistant", "coding-agent", "document-batch", "rag-summarisation", "support-bot")


@pytest.fixture(scope="module")
def reports(catalog) -> dict[str, dict]:
    workloads = load_workloads(list(PRESETS))
    options = AdviceOptions()
    return {
        name: normalized(build_document(advise(load_profile(name), catalog, workloads, options)))
        for name in PROFILES
    }


def test_there_are_reference_profiles() -> None:
    assert len(PROFILES) >= 15


@pytest.mark.parametrize("profile", PROFILES)
def test_every_preset_gets_a_verdict_a_reader_can_follow(reports, profile) -> None:
    doc = reports[profile]
    assert [v["workload"] for v in doc["verdicts"]] == list(PRESETS)
    for v in doc["verdicts"]:
        assert v["verdict"] in ("local", "hybrid", "cloud")
        assert v["summary"].startswith(v["verdict"] + ":")
        assert v["reasons"], "every verdict says why"
        assert v["cloud"]["best_usd_per_month"] is not None, "a priced cloud path exists"
        assert v["confidence"]["inputs"]
        if v["verdict"] != "cloud":
            assert v["local_option"] is not None and v["quality_gap"] is not None


@pytest.mark.parametrize("profile", PROFILES)
def test_report_validates_against_the_models(reports, profile) -> None:
    validate_report(reports[profile])


@pytest.mark.parametrize("profile", PROFILES)
def test_json_matches_golden(reports, profile, regen) -> None:
    text = json.dumps(reports[profile], indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    check_golden(GOLDEN / f"{profile}.json", text, regen)


@pytest.mark.parametrize("profile", PROFILES)
def test_markdown_matches_golden(reports, profile, regen) -> None:
    text = render_markdown(report_view(reports[profile]))
    check_golden(GOLDEN / f"{profile}.md", text, regen)


@pytest.mark.parametrize("profile", PROFILES)
def test_text_never_leaves_a_number_apart_from_its_word(reports, profile) -> None:
    """A wrapped line never starts with the number of the line before ("needs" / "20")."""
    lines = render_text(report_view(reports[profile])).splitlines()
    for before, line in zip(lines, lines[1:], strict=False):
        if re.match(r"^\s+\d[\d.,]*( |$)", line) and not re.match(r"^\s+\d[\d.,]*  \S", line):
            pytest.fail(f"a number was wrapped apart from its word: {before!r} / {line!r}")
    assert max(len(line) for line in lines) <= WIDTH


@pytest.mark.parametrize("profile", ["rtx-3060-desktop", "office-laptop-16gb"])
def test_the_command_gives_the_golden_report(capsys, profile) -> None:
    """`advisor --json` takes the path the golden reports pin: the same estimator, estimate
    cache, brief search and remedies, so the file it prints is the golden one."""
    from advisor.cli import main

    presets = [arg for name in PRESETS for arg in ("--workload", name)]
    assert main(["report", "--json", "--profile", profile, *presets]) == 0
    printed = normalized(json.loads(capsys.readouterr().out))
    golden = json.loads((GOLDEN / f"{profile}.json").read_text(encoding="utf-8"))
    assert printed == golden


def test_a_probed_memory_size_is_shown_to_one_decimal(reports) -> None:
    """A live probe reads RAM and VRAM to the byte (23.5403 GiB); the report printed every
    digit of it."""
    import copy

    doc = copy.deepcopy(next(r for r in reports.values() if r["machine"].get("gpus")))
    doc["machine"]["ram_gb"] = 23.5403
    doc["machine"]["gpus"][0]["vram_gb"] = 7.99567
    report = report_view(doc)
    for text in (render_text(report), render_markdown(report)):
        assert "23.5 GiB" in text and "8 GiB" in text
        assert "23.5403" not in text and "7.99567" not in text
