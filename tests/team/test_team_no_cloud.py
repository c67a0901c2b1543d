"""`--no-cloud` (or a workload's `cloud: forbidden`) with `--team`: the team plan sized and
priced, with no catalog subscription or API offered beside it; the seats the team says it pays
today are still compared (that is its current bill)."""

from __future__ import annotations

import json
import re

from advisor.cli import main

ARGS = ["report", "--profile", "h100-server", "--team", "20"]
RULED_OUT = "no cloud plan or API is compared: the prompts may not leave (--no-cloud)"


def _text(capsys, *extra: str) -> str:
    capsys.readouterr()
    assert main([*ARGS, *extra]) == 0
    return " ".join(capsys.readouterr().out.split())


def test_no_cloud_drops_the_cloud_plans_from_the_team_plan(capsys) -> None:
    """The team plan offered the cheapest subscription and API under --no-cloud."""
    allowed = _text(capsys)
    plan = re.search(r"Qwen3\.8 27B BF16, \d+ slots", allowed)
    assert plan is not None
    assert "cheapest plan covering the team:" in allowed
    assert "cheapest API meeting the floor" in allowed
    text = _text(capsys, "--no-cloud")
    assert "cheapest plan covering the team" not in text
    assert "cheapest API" not in text and "publish no intelligence index" not in text
    assert RULED_OUT in text
    assert plan.group(0) in text  # the plan itself is as without the flag


def test_no_cloud_in_json_and_with_the_seats_paid_today(capsys) -> None:
    capsys.readouterr()
    assert main([*ARGS, "--no-cloud", "--seats", "chatgpt-business=20", "--json"]) == 0
    (team,) = json.loads(capsys.readouterr().out)["team"]
    cmp = team["comparison"]
    assert cmp["subscription_label"] is None and cmp["api_label"] is None
    assert cmp["replaced_usd_per_month"] > 0  # the team's own bill is still compared
    assert RULED_OUT in cmp["headline"]


def test_a_workload_that_forbids_the_cloud_says_so(capsys, tmp_path) -> None:
    """The same for a workload file with `cloud: forbidden` (named after its file)."""
    from advisor.paths import workloads_dir

    preset = (workloads_dir() / "chat-assistant.yaml").read_text(encoding="utf-8")
    path = tmp_path / "private-chat.yaml"
    path.write_text(preset + "\ncloud: forbidden\n", encoding="utf-8")
    out = _text(capsys, "--workload", str(path))
    assert "cheapest plan covering the team" not in out
    assert "the prompts may not leave (the private-chat workload says cloud: forbidden)" in out


def test_the_team_plan_takes_the_users_floor(capsys) -> None:
    """`--team` ignored --min-quality in text and JSON: it planned Qwen3.8 27B (58.5% of the
    frontier) against a floor of 60%."""
    assert "quality ≥ 60% of the frontier" in _text(capsys, "--min-quality", "60")
    capsys.readouterr()
    assert main([*ARGS, "--min-quality", "60", "--json"]) == 0
    (team,) = json.loads(capsys.readouterr().out)["team"]
    assert team["plan"] is None  # nothing in the catalog reaches 60% on this server
    assert main([*ARGS, "--json"]) == 0
    (team,) = json.loads(capsys.readouterr().out)["team"]
    assert team["plan"]["quality_pct_of_frontier"] < 60
