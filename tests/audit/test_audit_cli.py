"""`advisor audit` on the command line: paths, stdin, formats, -o, exit codes, config seats."""

from __future__ import annotations

import io
import json
import sys

import pytest
from audit_kit import as_machine, write

from advisor.cli import main
from advisor.errors import ExitCode


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["audit", "--no-upgrades", "--jobs", "1", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_folder_as_json(capsys, fleet_dir) -> None:
    code, out, err = _run(capsys, str(fleet_dir), "--format", "json")
    assert code == ExitCode.OK
    doc = json.loads(out)
    assert doc["reports"]["machines"] == 8 and doc["upgrades"]["checked"] is False
    assert "warning" not in err


def test_a_glob_and_a_single_file(capsys, fleet_dir) -> None:
    code, out, _ = _run(
        capsys,
        str(fleet_dir / "rtx-*.json"),
        str(fleet_dir / "office-laptop-8gb-1.json"),
        "--format",
        "csv",
    )
    assert code == ExitCode.OK
    machines = {line.split(",")[1] for line in out.splitlines()[1:]}
    assert len(machines) == 5


def test_json_lines_on_stdin(capsys, monkeypatch, docs) -> None:
    lines = "".join(json.dumps(as_machine(docs["rtx-4090-desktop"], n)) + "\n" for n in (1, 2))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines.encode())))
    code, out, _ = _run(capsys, "-", "--format", "json")
    assert code == ExitCode.OK
    reports = [m["report"] for m in json.loads(out)["machines"]]
    assert reports == ["<stdin>:1", "<stdin>:2"]


def test_skipped_reports_are_warned_and_the_exit_code_says_so(capsys, tmp_path, docs) -> None:
    write(tmp_path, "good.json", as_machine(docs["office-laptop-8gb"], 1))
    write(tmp_path, "cut.json", json.dumps(as_machine(docs["office-laptop-8gb"], 2))[:900])
    code, out, err = _run(capsys, str(tmp_path), "--format", "markdown")
    assert code == ExitCode.PARTIAL
    assert f"warning: skipped {tmp_path / 'cut.json'}: truncated" in err
    assert "## Skipped reports (1)" in out and "good.json" in out


def test_nothing_usable_is_bad_input(capsys, tmp_path) -> None:
    write(tmp_path, "foreign.json", {"hello": "world"})
    code, out, err = _run(capsys, str(tmp_path))
    assert code == ExitCode.BAD_INPUT
    assert out == "" and "no report could be used" in err


def test_output_file_is_written_whole(capsys, tmp_path, fleet_dir) -> None:
    target = tmp_path / "audit.html"
    code, out, err = _run(capsys, str(fleet_dir), "--format", "html", "-o", str(target))
    assert code == ExitCode.OK and out == ""
    assert target.read_text().startswith("<!DOCTYPE html>") and "note: wrote" in err
    assert [p.name for p in tmp_path.iterdir()] == ["audit.html"]  # no temporary left behind


def test_an_unwritable_output_changes_nothing(capsys, tmp_path, fleet_dir) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("keep me")
    code, _, err = _run(capsys, str(fleet_dir), "-o", str(blocker / "audit.txt"))
    assert code == ExitCode.WRITE_FAILED and "could not write" in err
    assert blocker.read_text() == "keep me"


def test_seats_from_the_config_file(capsys, tmp_path, fleet_dir) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("seats:\n  - {plan: chatgpt-plus, count: 8}\n")
    code, out, _ = _run(capsys, str(fleet_dir), "--config", str(config), "--format", "json")
    assert code == ExitCode.OK
    cost = json.loads(out)["cost"]
    assert cost["basis"] == "seats" and cost["today_usd_per_month"] == 160
    code, out, _ = _run(
        capsys,
        str(fleet_dir),
        "--config",
        str(config),
        "--format",
        "json",
        "--seats",
        "claude-pro=4",
    )
    assert [s["plan_id"] for s in json.loads(out)["cost"]["seats"]] == ["claude-pro"]


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--region", "atlantis"], "no electricity price for region 'atlantis'"),
        (["--tui", "--format", "csv"], "--tui shows the audit"),
        (["--seats", "chatgpt-plus"], "PLAN=COUNT"),
    ],
)
def test_bad_flags_are_usage_errors(capsys, fleet_dir, argv, words) -> None:
    code, _, err = _run(capsys, str(fleet_dir), *argv)
    assert code == ExitCode.USAGE and words in err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--electricity-price", "-1"], "argument --electricity-price: expected 0 or more"),
        (["--electricity-price", "nan"], "argument --electricity-price: expected a finite"),
        (["--jobs", "0"], "argument --jobs: expected a whole number from 1"),
    ],
)
def test_bad_numbers_stop_at_the_parser(capsys, fleet_dir, argv, words) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["audit", str(fleet_dir), *argv])
    assert stop.value.code == ExitCode.USAGE and words in capsys.readouterr().err


def test_the_workload_flag_judges_every_machine_on_it(capsys, fleet_dir) -> None:
    code, out, _ = _run(capsys, str(fleet_dir), "--workload", "support-bot", "--format", "json")
    assert code == ExitCode.OK
    assert [w["name"] for w in json.loads(out)["workloads"]] == ["support-bot"]


def test_tui_needs_a_terminal(capsys, fleet_dir) -> None:
    code, _, err = _run(capsys, str(fleet_dir), "--tui")
    assert code == ExitCode.USAGE and "needs a terminal" in err


def test_help_lists_the_formats(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["audit", "--help"])
    text = capsys.readouterr().out
    assert "{table,csv,json,markdown,html}" in text
    assert "- for JSON lines" in text and "exits with code 8" in text


@pytest.mark.parametrize("how", ["folder", "glob", "file"])
def test_an_output_naming_a_fleet_report_is_refused(capsys, tmp_path, fleet_dir, how) -> None:
    """`advisor audit fleet/ -o fleet/a.json` wrote the audit over a report it had just read."""
    report = tmp_path / "a.json"
    kept = (fleet_dir / "office-laptop-8gb-1.json").read_bytes()
    report.write_bytes(kept)
    path = {"folder": str(tmp_path), "glob": str(tmp_path / "*.json"), "file": str(report)}
    code, out, err = _run(capsys, path[how], "--format", "json", "-o", str(report))
    assert code == ExitCode.USAGE and out == ""
    assert f"-o {report}: this command reads that file" in err
    assert report.read_bytes() == kept


def test_an_existing_output_beside_the_fleet_is_replaced(capsys, tmp_path, fleet_dir) -> None:
    """Only a file the audit reads is refused: last run's output elsewhere is written over."""
    target = tmp_path / "audit.json"
    target.write_text("last run's audit")
    code, out, err = _run(capsys, str(fleet_dir), "--format", "json", "-o", str(target))
    assert code == ExitCode.OK and out == "" and "note: wrote" in err
    assert json.loads(target.read_text())  # the new audit, as JSON


def test_workers_reading_before_a_bad_config_is_loaded_change_nothing(
    capsys, tmp_path, fleet_dir, monkeypatch
) -> None:
    """The workers start reading before the config and catalog load: a bad config is still
    the error given, as it was, before a bad path list ('-' twice); the workers are stopped."""
    import multiprocessing

    import advisor.audit.read as read

    config = tmp_path / "config.yaml"
    config.write_text("seats: many\n")
    argv = ["audit", "--config", str(config), "--format", "json", "-", "-", str(fleet_dir)]
    one = main([*argv, "--jobs", "1"])
    alone = capsys.readouterr()
    monkeypatch.setattr(read, "POOL_MIN_FILES", 2)
    started: list[read.Started] = []
    real = read.start_reading

    def recording(*args, **kwargs):
        started.append(real(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(read, "start_reading", recording)
    two = main([*argv, "--jobs", "2"])
    pooled = capsys.readouterr()
    assert one == two != ExitCode.OK and pooled.err == alone.err and "config" in pooled.err
    assert started and started[0].error is not None  # '-' twice: raised only when read
    argv.remove("-")
    argv.remove("-")
    assert main([*argv, "--jobs", "2"]) == one and capsys.readouterr().err == alone.err
    assert started[-1].results is not None  # workers were reading
    assert multiprocessing.active_children() == []
