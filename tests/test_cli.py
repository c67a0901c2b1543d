"""The command line builds only the parser it needs, and still knows every command."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from advisor.cli import COMMANDS, _command_in, build_parser, main


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], ""),
        (["--json"], ""),
        (["--profile", "rtx-4090-desktop", "--json"], ""),
        (["models", "--task", "coding"], "models"),
        (["--profile", "models", "report"], "report"),  # an option's value is not a command
        (["--profile=x", "estimate", "--model", "m"], "estimate"),
        (["--help"], None),
        (["reprot"], None),  # a typo: the full parser lists the real commands
    ],
)
def test_the_command_named_in_argv(argv: list[str], expected: str | None) -> None:
    assert _command_in(argv) == expected


def test_full_help_lists_every_command_with_its_help(capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert f"    {name} " in out
    assert "(not built yet)" not in out


def test_a_typo_is_a_usage_error_naming_the_commands(capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["reprot"])
    assert stop.value.code == 2
    assert "invalid choice: 'reprot'" in capsys.readouterr().err


def test_one_command_parser_does_not_import_the_others() -> None:
    code = (
        "import sys; from advisor.cli import build_parser; build_parser(only='models');"
        "print(sorted(m for m in sys.modules if m.startswith('advisor.commands.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    # commands.options and commands.judging hold the options several commands share; they are
    # no command
    assert out.strip() == (
        "['advisor.commands.judging', 'advisor.commands.models', 'advisor.commands.options']"
    )


def test_the_lazy_parser_parses_like_the_full_one() -> None:
    argv = ["--profile", "p", "models", "--task", "coding", "--min-tps", "20"]
    lazy = build_parser(only="models").parse_args(argv)
    full = build_parser().parse_args(argv)
    assert {k: v for k, v in vars(lazy).items() if k != "func"} == {
        k: v for k, v in vars(full).items() if k != "func"
    }


@pytest.fixture(autouse=True)
def _collector_back() -> Iterator[None]:
    """main() run as a report's process turns the cycle collector off for good (the process
    ends with the run); these tests run it in pytest's process, which goes on."""
    import gc

    collecting = gc.isenabled()
    yield
    if collecting:
        gc.enable()


def test_the_process_own_run_is_frozen_out_of_the_exit_collection(monkeypatch, capsys) -> None:
    """Run as the process's command line (no argv given), main() ends by freezing the run's
    objects out of the interpreter's exit collection, whatever the outcome; given argv (a
    caller that goes on running, as these tests), it leaves the collector alone."""
    import gc

    frozen: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    with pytest.raises(SystemExit):
        main(["reprot"])
    assert frozen == []
    monkeypatch.setattr(sys, "argv", ["advisor", "reprot"])
    with pytest.raises(SystemExit) as stop:
        main()
    assert stop.value.code == 2 and frozen == [True]
    monkeypatch.setattr(sys, "argv", ["advisor", "schema"])
    assert main() == 0 and frozen == [True, True]
    assert '"$schema"' in capsys.readouterr().out


class _Ended(Exception):
    """What os._exit raises here: the process would have ended with `code`."""

    def __init__(self, code: int) -> None:
        self.code = code


@pytest.fixture
def ending(monkeypatch) -> list[str]:
    """main()'s ways out, recorded: exit handlers run, os._exit called (raising _Ended), and
    the command's own run replaced by one that prints and returns 3."""
    import atexit
    import os
    import threading

    import advisor.cli as cli

    seen: list[str] = []

    def run(args) -> int:
        print("the report", end="")
        return 3

    def ended(code: int) -> None:
        seen.append("exit")
        raise _Ended(code)

    monkeypatch.setattr(cli, "_run", run)
    monkeypatch.setattr(cli, "_probes_this_computer", lambda argv: False)  # no probe's child
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # as a run's process: no other
    monkeypatch.setattr(atexit, "_run_exitfuncs", lambda: seen.append("handlers"))
    monkeypatch.setattr(os, "_exit", ended)
    return seen


@pytest.mark.parametrize(
    "argv", [["--json"], ["report", "--format", "markdown"], ["audit", "fleet/", "-o", "a.json"]]
)
def test_a_reports_process_ends_once_flushed_and_its_exit_handlers_ran(
    argv, ending, monkeypatch, capsys
) -> None:
    monkeypatch.setattr(sys, "argv", ["advisor", *argv])
    with pytest.raises(_Ended) as stop:
        main()
    assert stop.value.code == 3 and ending == ["handlers", "exit"]
    assert capsys.readouterr().out == "the report"
    assert main(argv) == 3 and ending == ["handlers", "exit"]  # given argv: the caller goes on


def test_other_commands_and_unflushable_or_threaded_runs_end_as_before(ending, monkeypatch) -> None:
    import threading

    monkeypatch.setattr(sys, "argv", ["advisor", "schema"])
    assert main() == 3 and ending == []
    monkeypatch.setattr(sys, "argv", ["advisor", "--json"])
    monkeypatch.setattr(threading, "active_count", lambda: 2)  # the interpreter waits for it
    assert main() == 3 and ending == []
    monkeypatch.setattr(threading, "active_count", lambda: 1)

    class Closed:
        def flush(self) -> None:
            raise ValueError("I/O operation on closed file")  # stderr after a broken pipe

    monkeypatch.setattr(sys, "stderr", Closed())
    assert main() == 3 and ending == ["handlers"]  # run once: the interpreter's exit has none


def test_a_reports_process_runs_without_the_cycle_collector(tmp_path) -> None:
    """A report's process (advisor --json, advisor report) turns the collector off as it starts
    (cli._without_collector); another command's keeps it, and so does a caller that passes its
    own arguments to main() and goes on running."""
    import os

    code = (
        "import atexit, gc, sys; from advisor.cli import main;"
        "atexit.register(lambda: print('collecting', gc.isenabled(), file=sys.stderr));"
        "sys.argv = ['advisor', *sys.argv[1:]]; raise SystemExit(main())"
    )
    env = {**os.environ, "ADVISOR_HOME": str(tmp_path / "home")}
    for argv, collecting in (
        (["--json", "--profile", "rtx-3060-desktop"], False),
        (["report", "--profile", "rtx-3060-desktop", "--workload", "chat-assistant"], False),
        (["schema"], True),
    ):
        done = subprocess.run([sys.executable, "-c", code, *argv], env=env, capture_output=True,
                              text=True)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert done.stderr.splitlines()[-1] == f"collecting {collecting}", argv
    import gc

    assert gc.isenabled() and main(["schema"]) == 0 and gc.isenabled()


def test_a_reports_process_loses_nothing_it_or_its_exit_handlers_wrote(tmp_path) -> None:
    """A real report's process, ended by os._exit (cli._end_report), with stdout and stderr
    block-buffered pipes as a user's shell gives (PYTHONUNBUFFERED unset): the report is whole,
    and what an exit handler writes after it (here one the embedding code added, unterminated
    lines) still comes out, as the interpreter's own exit lets it. The same report written with
    -o is the same bytes, and the exit code is the run's."""
    import json
    import os

    code = (
        "import atexit, sys; from advisor.cli import main;"
        "atexit.register(lambda: (print('handler', end=''),"
        " print('handler', end='', file=sys.stderr)));"
        "sys.argv = ['advisor', *sys.argv[1:]]; raise SystemExit(main())"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    env["ADVISOR_HOME"] = str(tmp_path / "home")
    argv = ["report", "--json", "--profile", "rtx-3060-desktop", "--workload", "chat-assistant"]

    def run(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", code, *argv, *extra], env=env,
                              capture_output=True, text=True)  # fmt: skip

    piped = run()
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.endswith("}\nhandler") and piped.stderr.endswith("handler")
    doc = json.loads(piped.stdout.removesuffix("handler"))
    assert doc["kind"] == "advisor-report" and doc["verdicts"]
    written = run("-o", str(tmp_path / "report.json"))
    assert written.returncode == 0 and written.stdout == "handler", written.stderr
    again = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert {**again, "generated_at": None} == {**doc, "generated_at": None}
    refused = run("--min-quality", "101")  # a usage error, before the report
    assert refused.returncode == 2 and refused.stdout == "handler"
    missing = run("--workload", "no-such-preset")  # not found, after parsing
    assert missing.returncode == 4 and missing.stdout == "handler", missing.stderr


@pytest.mark.parametrize(
    ("argv", "probes"),
    [
        (["--json"], True),
        (["report"], True),
        (["report", "--format", "markdown", "--ram", "16"], True),
        (["--json", "--profile", "rtx-4090-desktop"], False),
        (["report", "--profile=rtx-4090-desktop"], False),
        (["--json", "--help"], False),
        ([], False),  # the app
        (["probe"], False),
        (["models", "--json"], False),
    ],
)
def test_a_report_on_this_computer_starts_its_probe_first(argv, probes) -> None:
    from advisor.cli import _probes_this_computer

    assert _probes_this_computer(argv) is probes
