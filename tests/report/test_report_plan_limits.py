"""The subscription limit a verdict assumed is printed in every format (issue 13 item 5: the
text report never said which limit it assumed, e.g. Google AI Pro read as 100 requests a day)."""

from __future__ import annotations

import json

from advisor.cli import main


def _report(capsys, *extra: str) -> str:
    argv = ["report", "--profile", "rtx-4090-desktop", "--workload", "coding-agent", *extra]
    assert main(argv) == 0
    return capsys.readouterr().out


def test_the_assumed_plan_limit_is_in_text_markdown_and_json(capsys) -> None:
    # Claude Pro: ~45 messages per 5 h, two windows a working day = 90 prompts; the agent's
    # 60 prompts a day fit, its 8 steps a prompt are not what the vendor counts.
    said = "Claude Pro: read as 90 prompts a day per seat"
    needs = "this workload needs 60; the 8 agent steps of each prompt are not counted"
    text = " ".join(_report(capsys).split())
    assert f"subscription limit: {said}" in text and needs in text
    markdown = _report(capsys, "--format", "markdown")
    assert f"Subscription limit: {said}" in markdown and needs in markdown
    sub = json.loads(_report(capsys, "--json"))["verdicts"][0]["cloud"]["subscription"]
    assert sub["limit_used"].startswith("read as 90 prompts a day per seat")
    assert sub["limit_assumed"] is False and sub["requests_per_day_per_seat"] == 90
    # A plan whose quota has no published number is never counted as covering the workload.
    assert "Google AI Pro" in text and "limit unknown (no number published)" in text
