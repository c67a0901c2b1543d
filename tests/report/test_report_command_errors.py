"""`advisor report` refuses bad input with the right exit code and a message naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.cli import main
from advisor.errors import ExitCode

PROFILE = ["--profile", "rtx-3060-desktop"]


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (["--electricity-price", "-0.1"], "argument --electricity-price: expected 0 or more"),
        (["--hardware-price", "-5"], "argument --hardware-price: expected 0 or more"),
        (["--lifetime-months", "0"], "argument --lifetime-months: expected more than 0"),
    ],
)
def test_bad_numbers_stop_at_the_parser(flags, words, capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["report", *PROFILE, *flags])
    assert stop.value.code == ExitCode.USAGE
    assert words in capsys.readouterr().err


def test_an_unknown_region_is_a_usage_error(capsys) -> None:
    assert main(["report", *PROFILE, "--region", "atlantis"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "no electricity price for region 'atlantis'" in err
    assert "regions in the catalog: " in err and "us" in err


def test_an_unknown_workload_is_not_found(capsys) -> None:
    assert main(["report", *PROFILE, "--workload", "chat-asistant"]) == ExitCode.NOT_FOUND
    err = capsys.readouterr().err
    assert "no workload named 'chat-asistant'" in err and "chat-assistant" in err


def test_a_broken_workload_file_names_file_line_and_key(tmp_path: Path, capsys) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("title: x\ntask: chat\nconcurency: 2\n", encoding="utf-8")
    assert main(["report", *PROFILE, "--workload", str(path)]) == ExitCode.BAD_INPUT
    assert f"{path}:3: concurency: is not a workload key" in capsys.readouterr().err


def test_a_broken_config_names_file_line_and_key(tmp_path: Path, capsys) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("prices:\n  electricity_usd_per_kwh: cheap\n", encoding="utf-8")
    assert main(["report", *PROFILE, "--config", str(path)]) == ExitCode.BAD_INPUT
    assert f"{path}:2: prices.electricity_usd_per_kwh:" in capsys.readouterr().err


def test_the_default_config_is_read_from_the_config_dir(advisor_home: Path, capsys) -> None:
    path = advisor_home / "config" / "config.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("region: mars\n", encoding="utf-8")
    assert main(["report", *PROFILE]) == ExitCode.USAGE
    assert "no electricity price for region 'mars'" in capsys.readouterr().err


WORKLOAD = (Path(__file__).parents[2] / "profiles" / "workloads" / "chat-assistant.yaml").read_text(
    encoding="utf-8"
)


def test_a_workload_with_cloud_sometimes_names_file_line_and_key(tmp_path: Path, capsys) -> None:
    """Issue 13 bad input: `cloud` takes allowed or forbidden, nothing in between."""
    path = tmp_path / "private.yaml"
    path.write_text(WORKLOAD + "cloud: sometimes\n", encoding="utf-8")
    assert main(["report", *PROFILE, "--workload", str(path)]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    line = WORKLOAD.count("\n") + 1
    assert f"{path}:{line}: cloud:" in err and "'allowed' or 'forbidden'" in err


def test_a_negative_hardware_price_in_the_config_names_file_and_key(tmp_path: Path, capsys) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("prices:\n  hardware_price_usd: -900\n", encoding="utf-8")
    assert main(["report", *PROFILE, "--config", str(path)]) == ExitCode.BAD_INPUT
    assert f"{path}:2: prices.hardware_price_usd: must be 0 or more" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["report", *PROFILE, "--team", "5"], ["audit"]])
def test_an_unknown_plan_in_the_config_names_file_line_and_key(
    tmp_path: Path, capsys, command
) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("seats:\n  - {plan: chatgpt-platinum, count: 5}\n", encoding="utf-8")
    reports = tmp_path / "reports"
    reports.mkdir()
    args = [*command, "--config", str(path)] + ([str(reports)] if command == ["audit"] else [])
    assert main(args) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert f"{path}:2: seats[0].plan: no subscription plan 'chatgpt-platinum'" in err


def test_the_hardware_price_help_says_what_the_report_counts(capsys) -> None:
    """A profile's list price is never counted (the machine is owned); --help said it was the
    default."""
    import json

    with pytest.raises(SystemExit):
        main(["report", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "else the profile's price" not in help_text
    assert "a profile's list price is shown for reference, never counted" in help_text
    priced = ["--profile", "mac-studio-m3-ultra-512gb", "--workload", "chat-assistant"]
    assert main(["report", *priced, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["machine"]["price_usd"]  # the profile has a list price ...
    hardware = doc["verdicts"][0]["costs_usd_per_month"]["local_hardware"]
    assert not hardware  # ... and the local cost leaves it out


@pytest.mark.parametrize("flag", ["--workload", "--config"])
def test_an_output_naming_an_input_is_refused(tmp_path, capsys, monkeypatch, flag) -> None:
    """`advisor report --workload w.yaml -o w.yaml` wrote the report over the user's workload."""
    workload = Path(__file__).parents[2] / "profiles" / "workloads" / "chat-assistant.yaml"
    path = tmp_path / "input.yaml"
    path.write_text(workload.read_text(encoding="utf-8") if flag == "--workload" else
                    "defaults: {workloads: [chat-assistant]}\n", encoding="utf-8")  # fmt: skip
    kept = path.read_bytes()
    monkeypatch.chdir(tmp_path)
    code = main(["report", *PROFILE, flag, "input.yaml", "-o", str(path)])
    assert code == ExitCode.USAGE
    assert "this command reads that file" in capsys.readouterr().err
    assert path.read_bytes() == kept


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize(
    "argv", [["--json"], ["report", "--format", "markdown", "--workload", "chat-assistant"]]
)
def test_a_stdout_that_cannot_take_the_report_is_a_write_error(argv, advisor_home) -> None:
    """stdout on a full disk (/dev/full answers every write with ENOSPC), in a report's own
    process, a large report and one small enough to sit in stdout's buffer: exit code 9 with an
    error line, not a traceback (exit 1)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    env["ADVISOR_HOME"] = str(advisor_home)
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "advisor", *argv, *PROFILE],
            stdout=full, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
    assert done.returncode == ExitCode.WRITE_FAILED, done.stderr
    assert "error: could not write the output to stdout: No space left on device" in done.stderr
    assert "Traceback" not in done.stderr
