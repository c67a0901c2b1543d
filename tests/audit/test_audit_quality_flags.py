"""`advisor audit --min-quality PCT --quality MODEL=SCORE`: the fleet judged against the
user's floor and own scores, with the report's parsers, messages and exit codes."""

from __future__ import annotations

import json

import pytest

from advisor.cli import main
from advisor.errors import ExitCode

OWN = ["--min-quality", "18", "--quality", "qwen2.5-1.5b-instruct=12"]


@pytest.fixture(scope="module")
def laptop(tmp_path_factory) -> str:
    """An 8 GB office laptop's chat report (the scenario laptop-8gb-chat-own-score)."""
    path = tmp_path_factory.mktemp("fleet") / "laptop.json"
    assert main(["report", "--profile", "office-laptop-8gb", "--workload", "chat-assistant",
                 "--json", "-o", str(path)]) == 0  # fmt: skip
    return str(path)


def _audit(capsys, laptop: str, *extra: str) -> dict:
    capsys.readouterr()
    assert main(["audit", laptop, "--format", "json", "--no-upgrades", "--no-cache",
                 *extra]) == 0  # fmt: skip
    return json.loads(capsys.readouterr().out)


def test_the_audit_judges_the_fleet_on_the_users_floor_and_score(capsys, laptop) -> None:
    """Cloud on the preset's floor; local with Qwen2.5 1.5B once the user says 18% will do
    and scores the model 12, as `advisor report` says for the same flags."""
    before = _audit(capsys, laptop)["workloads"][0]
    assert before["local"] == 0
    after = _audit(capsys, laptop, *OWN)
    row = after["workloads"][0]
    assert row["local"] == 1
    assert row["models"] == [{"model": "Qwen2.5 1.5B Instruct Q8_0", "machines": 1}]
    notes = " ".join(after["notes"])
    assert "your quality floor of 18% of the frontier (--min-quality 18)" in notes
    assert "your assumption (--quality qwen2.5-1.5b-instruct=12), not a published score" in notes


def test_a_floor_of_zero_alone_lets_an_unscored_model_run(capsys, laptop) -> None:
    """The floor reaches the workloads each report carries, not only --workload's."""
    for extra in ([], ["--workload", "chat-assistant"]):
        doc = _audit(capsys, laptop, "--min-quality", "0", *extra)
        assert doc["workloads"][0]["local"] == 1, extra


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--min-quality", "120"], "argument --min-quality"),
        (["--min-quality", "-1"], "argument --min-quality"),
        (["--quality", "mistral-7b-instruct-v0.3"], "expected --quality MODEL=SCORE"),
        (["--quality", "mistral-7b-instruct-v0.3=0"], "the score must be above 0"),
        (["--quality", "no-such-model=20"], "no model 'no-such-model' in the catalog"),
        (["--quality", "qwen3.8-27b=20"], "has a published score"),
    ],
)
def test_bad_values_are_usage_errors_naming_the_flag(capsys, laptop, args, words) -> None:
    capsys.readouterr()
    try:
        code = main(["audit", laptop, "--no-upgrades", "--no-cache", *args])
    except SystemExit as exit_:  # argparse refuses a value out of range
        code = exit_.code
    assert code == ExitCode.USAGE
    assert words in capsys.readouterr().err


def test_the_help_names_both_flags(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["audit", "--help"])
    out = capsys.readouterr().out
    assert "--min-quality PCT" in out and "--quality MODEL=SCORE" in out
