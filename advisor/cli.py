"""The `advisor` command line: one parser, one module per command under advisor/commands/.

Command modules must stay cheap to import: they import their stage inside `run`, so
`advisor --json` never pays for Textual or llama-cpp-python.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import sys
from collections.abc import Sequence

from advisor import __version__
from advisor.commands.judging import add_plan_limit_option, add_quality_options
from advisor.commands.options import add_extra_models_option, add_json_option, add_machine_options
from advisor.console import error, fit_streams, report_error
from advisor.errors import AdvisorError, ExitCode

# Order is the order `advisor --help` lists them in.
COMMANDS = (
    "probe",
    "doctor",
    "catalog",
    "scan",
    "estimate",
    "models",
    "bench",
    "report",
    "schema",
    "audit",
)

DESCRIPTION = """\
Tells you whether open LLMs run well on this machine for the work you do, and whether
that beats paying for a subscription or an API.

With no command, opens the interactive app. `advisor --json` prints the full report."""

EPILOG = """\
exit codes: 0 ok, 1 unexpected failure, 2 usage, 3 bad input file, 4 not found,
5 missing optional dependency, 6 out of memory, 7 throughput test failed,
8 finished but skipped some inputs, 9 could not write output, 10 Hugging Face unreachable or
refused access, 130 interrupted."""


def _top_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="advisor",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"advisor {__version__}")
    add_json_option(parser, suppress=False)
    add_machine_options(parser, suppress=False)
    add_extra_models_option(parser, suppress=False)
    add_plan_limit_option(parser, suppress=False)
    add_quality_options(parser, suppress=False)
    return parser


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser, or with `only` set, one whose other commands are bare names.

    Building every command's options costs tens of milliseconds (each module is imported),
    which `advisor --json` should not pay; a bare name still lets argparse reject typos.
    """
    parser = _top_parser()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        if only is None or name == only:
            importlib.import_module(f"advisor.commands.{name}").add_parser(sub)
        else:
            sub.add_parser(name, add_help=False)
    return parser


@functools.cache
def _valued_options() -> frozenset[str]:
    """The top-level options that take a value: worked out once a process, since a report's
    main() asks _command_in three times before it builds its parser (a top-level parser is
    ~0.4 ms CPU once argparse's imports are done, 2026-12-07)."""
    return frozenset(
        option
        for action in _top_parser()._actions
        if action.nargs is None and action.option_strings
        for option in action.option_strings
    )


def _command_in(argv: Sequence[str]) -> str | None:
    """The command argv names, "" for none, or None when top-level help is asked for."""
    takes_value = _valued_options()
    tokens = iter(argv)
    for token in tokens:
        if token in ("-h", "--help"):
            return None
        if token in takes_value:
            next(tokens, None)
        elif token in COMMANDS:
            return token
        elif not token.startswith("-"):
            return None  # not a command: let the full parser say which ones exist
    return ""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command `argv` names (None: this process's own command line, which ends when
    main returns: a report's process ends here, see _end_report) and give its exit code."""
    if argv is not None:
        return _main(list(argv))
    if _reports(sys.argv[1:]):
        _without_collector()
    if _probes_this_computer(sys.argv[1:]):
        from advisor.probe.live.early import start_for_this_run

        start_for_this_run()  # beside the parsing and loading below (advisor.probe.live.early)
    try:
        fit_streams()
        args = _parse(sys.argv[1:])
        code = _run(args)
    finally:
        _before_exit()
    if args.command in ("report", "audit") or (args.command is None and args.json):
        _end_report(code)
    return code


def _reports(argv: list[str]) -> bool:
    """Whether `argv` asks for a report (`advisor --json`, `advisor report ...`)."""
    command = _command_in(argv)
    return command == "report" or (command == "" and "--json" in argv)


def _probes_this_computer(argv: list[str]) -> bool:
    """Whether `argv` asks for a report on this computer (`advisor --json`, `advisor report`,
    no --profile; a profile the config names stops the probe started for it)."""
    return _reports(argv) and not any(
        token in ("-h", "--help", "--profile") or token.startswith("--profile=") for token in argv
    )


def _without_collector() -> None:
    """A report's process runs without the cycle collector: it lives well under a second, and
    its imports, loading and document leave ~800 objects in reference cycles for a collector
    to find (advise() leaves none: tests/verdict/test_verdict_shipped.py), while the collector's
    passes over everything the run makes (39 of them in a first `advisor --json`: 14-22 ms CPU,
    2026-12-07, shared 2-core machine at load 6-8; collections timed with gc.callbacks) are
    work the run waits for. The garbage goes with the process, as every object does
    (_end_report). Other commands (the app, an audit) keep the collector."""
    import gc

    gc.disable()


def _before_exit() -> None:
    """The interpreter's exit runs one full collection over every object the run made: 65-235
    ms of a first `advisor --json`'s wall time, 18-43 ms with them frozen out of it (gc.freeze;
    `benchmarks/startup.py --stages`, 2026-12-07, shared 2-core machine at load 1.7-4.8). The
    run has ended and keeps nothing that needs such a pass: its files are written and closed
    through `with` blocks, and the objects are freed as the modules are torn down, as before."""
    import gc

    gc.freeze()


def _end_report(code: int) -> None:
    """End a report's (or an audit's) process now, skipping the modules' teardown (~20 ms of
    a first `advisor --json` after main() returned, with the objects frozen;
    `benchmarks/startup.py --stages`, 2026-12-07; 23-41 ms of an audit of 10,000 reports,
    whose pools are stopped by then): what the run wrote went through `with` blocks and is
    closed, the exit handlers run (the early copy test's child is collected), and then stdout
    and stderr are flushed, with whatever the handlers wrote (the interpreter's own exit
    flushes them after its handlers too). Returns instead, for the interpreter's own exit as
    before, when another thread is still running (the interpreter would wait for it), or when
    a stream cannot be flushed (a closed pipe, a full disk: the same message and exit status
    as always; the handlers, run once, are not run again)."""
    import threading

    if threading.active_count() != 1:
        return
    import atexit
    import os

    atexit._run_exitfuncs()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return
    os._exit(code)


def _parse(argv: list[str]) -> argparse.Namespace:
    return build_parser(only=_command_in(argv)).parse_args(argv)


def _main(argv: list[str]) -> int:
    fit_streams()
    return _run(_parse(argv))


def _run(args: argparse.Namespace) -> int:
    try:
        if args.command is None:
            name = "report" if args.json else "tui"
            return int(importlib.import_module(f"advisor.commands.{name}").run(args))
        return int(args.func(args))
    except AdvisorError as exc:
        return report_error(exc)
    except KeyboardInterrupt:
        error("interrupted")
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        # The reader went away (`advisor --json | head`); that is not our failure.
        sys.stderr.close()
        return int(ExitCode.OK)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
