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
    with pytest.raises(UsageError, match="Claude Pro .* already has a limit in the catalog"):
        with_plan_limits(catalog, [parse_plan_limit("claude-pro=50/5h")])


def test_a_refused_limit_does_not_claim_a_vendor_figure_the_catalog_does_not_have(catalog) -> None:
    """Claude Pro's figure is a community one: the refusal said it was read "from its vendor"
    and then quoted "commonly cited community figure"."""
    with pytest.raises(UsageError) as raised:
        with_plan_limits(catalog, [parse_plan_limit("claude-pro=50/5h")])
    assert "community figure" in str(raised.value)
    assert "vendor" not in str(raised.value)


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


PRO = "the user's assumption (--plan-limit google-ai-pro=50/5h)"
HEAVY = """\
title: Heavy chat
task: chat
access: interactive
requests_per_day: 200
input_tokens_per_request: 30000
output_tokens_per_request: 2000
cached_input_share: 0.5
context_tokens: 65536
min_decode_tokens_per_s: 10
max_time_to_first_token_s: 30
concurrency: 1
hours_per_day: 8
days_per_week: 5
quality_floor_pct: 60
"""


def test_the_full_report_takes_the_same_option(capsys) -> None:
    """`advisor --json` (the full report, top-level options only) takes --plan-limit too."""
    assert main(["--json", "--profile", "rtx-3060-desktop", "--plan-limit",
                 "google-ai-pro=50/5h"]) == 0  # fmt: skip
    assert PRO in capsys.readouterr().out
    assert main(["--json", "--profile", "rtx-3060-desktop", "--plan-limit", "nope=5/day"]) == 2
    assert "--plan-limit: no plan 'nope' in the catalog" in capsys.readouterr().err


def test_the_audit_judges_the_fleet_on_the_assumed_limit(tmp_path, capsys) -> None:
    """A heavy chat workload costs 11.52 a month on the cheapest API; ChatGPT Go (8 USD,
    limit unknown) covers it once the user assumes 150 prompts per 5 hours."""
    workload = tmp_path / "heavy.yaml"
    workload.write_text(HEAVY, encoding="utf-8")
    assert main(["report", "--profile", "office-laptop-8gb", "--workload", str(workload),
                 "--json", "-o", str(tmp_path / "laptop.json")]) == 0  # fmt: skip
    capsys.readouterr()
    args = ["audit", str(tmp_path / "laptop.json"), "--format", "json", "--no-upgrades",
            "--no-cache"]  # fmt: skip
    costs = []
    for extra in ([], ["--plan-limit", "chatgpt-go=150/5h"]):
        assert main([*args, *extra]) == 0
        costs.append(json.loads(capsys.readouterr().out)["cost"]["today_usd_per_month"])
    assert costs[0] == pytest.approx(11.52, abs=0.01) and costs[1] == pytest.approx(8.0)
    assert main([*args, "--plan-limit", "claude-pro=50/5h"]) == ExitCode.USAGE
    assert "--plan-limit: Claude Pro" in capsys.readouterr().err


def _config(advisor_home, text: str):
    from advisor.paths import user_config_dir

    folder = user_config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.yaml").write_text(text, encoding="utf-8")
    return folder / "config.yaml"


def test_the_config_file_assumes_a_limit_and_a_flag_overrides_it(advisor_home, capsys) -> None:
    path = _config(advisor_home, "prices:\n  plan_limits: [google-ai-pro=50/5h]\n")
    args = ["report", "--profile", "rtx-3060-desktop", "--workload", "chat-assistant", "--json"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"the user's assumption (google-ai-pro=50/5h, prices.plan_limits in {path})" in out
    _config(advisor_home, "prices:\n  plan_limits: [google-ai-pro=10/day]\n")  # too few
    assert main(args) == 0
    assert "google-ai-pro=10/day" not in capsys.readouterr().out  # the plan does not cover it
    assert main([*args, "--plan-limit", "google-ai-pro=50/5h"]) == 0
    out = capsys.readouterr().out
    assert PRO in out and "prices.plan_limits" not in out  # the flag's, for the same plan


def test_a_config_limit_for_an_unknown_plan_names_the_file_and_key(advisor_home, capsys) -> None:
    path = _config(advisor_home, "prices:\n  plan_limits: [nope=50/5h]\n")
    code = main(["report", "--profile", "rtx-3060-desktop", "--workload", "chat-assistant"])
    assert code == ExitCode.USAGE
    assert f"prices.plan_limits in {path}: no plan 'nope' in the catalog" in capsys.readouterr().err


def test_the_app_reads_the_config_limits_through_the_same_parser(advisor_home) -> None:
    from advisor.config import load_config
    from advisor.tui.setup import Setup
    from advisor.tui.stages import catalog as app_catalog

    path = _config(advisor_home, "prices:\n  plan_limits: [google-ai-pro=50/5h]\n")
    found = app_catalog(Setup(), load_config())
    pro = next(s for s in found.cloud.subscriptions if s.id == "google-ai-pro")
    assert pro.limit_assumed and pro.requests_per_day == 100
    assert pro.limits_basis.startswith(
        f"the user's assumption (google-ai-pro=50/5h, prices.plan_limits in {path})"
    )
