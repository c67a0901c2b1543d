"""`advisor report --team` refuses bad input with a clear message and the usage or bad-input
exit code, before any planning."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.cli import main
from advisor.errors import ExitCode

SERVER = ["--profile", "h100-server"]


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (["--team", "-3"], "argument --team: expected a whole number from 1 to"),
        (["--team", "0"], "got 0"),
        (["--team", "25", "--peak-factor", "0.5"], "argument --peak-factor: expected 1 or more"),
        (["--team", "25", "--seats", "chatgpt-platinum=25"], "no subscription plan"),
        (["--team", "25", "--seats", "chatgpt-business"], "--seats takes PLAN=COUNT"),
        (["--team", "25", "--hosting-price", "-1"], "argument --hosting-price: expected 0 or more"),
        (["--team", "25", "--server-hours", "25"], "argument --server-hours: expected more than 0"),
        (["--peak-factor", "3"], "--peak-factor plans a shared server: add --team N"),
        (["--seats", "chatgpt-platinum=4"], "no subscription plan 'chatgpt-platinum'"),
        (["--team", "4", "--peak-factor", "9"], "at most the workload's hours_per_day (8)"),
    ],
)
def test_bad_team_flags_are_usage_errors(flags, words, capsys) -> None:
    try:
        code = main(["report", *SERVER, *flags])
    except SystemExit as exit:  # argparse refuses a value its type bounds
        code = exit.code
    assert code == ExitCode.USAGE
    err = capsys.readouterr().err
    assert words in err
    if "platinum" in " ".join(flags):
        assert "chatgpt-business" in err  # the plans there are


def test_an_unknown_plan_is_a_usage_error_on_audit_too(tmp_path: Path, capsys) -> None:
    (tmp_path / "r.json").write_text("{}", encoding="utf-8")
    code = main(["audit", str(tmp_path), "--seats", "chatgpt-platinum=3"])
    assert code == ExitCode.USAGE
    assert "no subscription plan 'chatgpt-platinum'" in capsys.readouterr().err


def test_a_workload_peak_factor_below_one_names_file_line_and_key(tmp_path: Path, capsys):
    path = tmp_path / "team.yaml"
    text = (
        Path("profiles/workloads/chat-assistant.yaml").read_text(encoding="utf-8")
        + "peak_factor: 0.8\n"
    )
    path.write_text(text, encoding="utf-8")
    line = text.count("\n")
    code = main(["report", *SERVER, "--team", "25", "--workload", str(path)])
    assert code == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert f"{path}:{line}: peak_factor: must be at least 1" in err
