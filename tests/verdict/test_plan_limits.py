"""A user's assumed limit for a plan whose vendor publishes none (`--plan-limit PLAN=N/UNIT`):
the plan is then judged on it, and every format prints it as the user's assumption."""

from __future__ import annotations

import json

import pytest

from advisor.catalog import load_catalog
from advisor.catalog.plan_limits import parse_plan_limit, unknown_limit, with_plan_limits
from advisor.cli import main
from advisor.errors import ExitCode, UsageError
from advisor.verdict.cloud import cloud_costs
from advisor.workload import load_workloads


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(overlay=False)


def test_google_ai_pro_is_unknown_until_the_user_assumes_a_limit(catalog) -> None:
    [chat] = load_workloads(["chat-assistant"])
    pro = next(s for s in catalog.cloud.subscriptions if s.id == "google-ai-pro")
    assert unknown_limit(pro)
    before = cloud_costs(chat, catalog)
    assert before.subscription is None or before.subscription.subscription_id != "google-ai-pro"
    assert any("Google AI Pro" in n and "limit unknown" in n for n in before.notes)

    assumed = with_plan_limits(catalog, [parse_plan_limit("google-ai-pro=50/5h")])
    after = cloud_costs(chat, assumed)
    sub = after.subscription
    assert sub.subscription_id == "google-ai-pro" and sub.usd_per_month == pytest.approx(19.99)
    assert sub.requests_per_day_per_seat == 100  # two 5-hour windows a working day
    assert sub.limit_assumed
    assert sub.limit_used.startswith(
        "assumed 100 prompts a day per seat (the user's assumption (--plan-limit "
        "google-ai-pro=50/5h): 50 prompts per 5 hours, 2 windows a working day = 100/day"
    )
    assert not any("Google AI Pro," in n for n in after.notes if "limit unknown" in n)


@pytest.mark.parametrize(
    ("text", "per_day"),
    [("google-ai-pro=50/5h", 100), ("chatgpt-go=30/day", 30), ("google-ai-ultra-5x=700/week", 100)],
)
def test_units(text: str, per_day: float) -> None:
    assert parse_plan_limit(text).per_day == pytest.approx(per_day)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("google-ai-pro", "expected --plan-limit PLAN=N/UNIT"),
        ("google-ai-pro=5/hour", "unknown unit 'hour'"),
        ("google-ai-pro=0/day", "the count must be above 0"),
        ("google-ai-pro=-3/day", "expected --plan-limit PLAN=N/UNIT"),
    ],
)
def test_a_malformed_limit_is_refused(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_plan_limit(text)


def test_an_unknown_plan_or_a_published_limit_is_refused(catalog) -> None:
    with pytest.raises(UsageError, match="no plan 'nope' in the catalog") as raised:
        with_plan_limits(catalog, [parse_plan_limit("nope=5/day")])
    assert "google-ai-pro" in raised.value.hint and "claude-pro" not in raised.value.hint
    with pytest.raises(UsageError, match="Claude Pro .* has a limit the catalog reads"):
        with_plan_limits(catalog, [parse_plan_limit("claude-pro=50/5h")])


def test_the_report_prints_the_assumption_as_the_users(capsys, tmp_path) -> None:
    args = ["report", "--profile", "rtx-3060-desktop", "--workload", "chat-assistant",
            "--plan-limit", "google-ai-pro=50/5h"]  # fmt: skip
    assert main([*args, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "the user's assumption (--plan-limit google-ai-pro=50/5h)" in json.dumps(doc)
    for fmt in ("text", "markdown"):
        assert main([*args, "--format", fmt]) == 0
        out = capsys.readouterr().out
        assert "the user's assumption (--plan-limit google-ai-pro=50/5h)" in out, fmt


def test_the_command_line_refuses_a_bad_limit_with_a_usage_error(capsys) -> None:
    code = main(["report", "--profile", "rtx-3060-desktop", "--plan-limit", "nope=5/day"])
    assert code == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "no plan 'nope' in the catalog" in err and "google-ai-pro" in err
