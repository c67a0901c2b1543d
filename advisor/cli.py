"""The `advisor` command line: one parser, one module per command under advisor/commands/.

Command modules must stay cheap to import: they import their stage inside `run`, so
`advisor --json` never pays for Textual or llama-cpp-python.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from advisor import __version__
from advisor.argtypes import path_text, real
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


def add_machine_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Options that pick or adjust the machine and the data files; shared by most commands."""
    default = argparse.SUPPRESS if suppress else None
    group = parser.add_argument_group("machine and data")
    group.add_argument(
        "--profile",
        metavar="NAME|FILE",
        type=path_text,
        default=default,
        help="describe the machine with a profile (a name from profiles/ or a YAML/JSON file) "
        "instead of probing this one",
    )
    group.add_argument(
        "--profiles-dir",
        metavar="DIR",
        type=path_text,
        default=default,
        help="look for named profiles here",
    )
    group.add_argument(
        "--catalog",
        metavar="FILE",
        type=path_text,
        default=default,
        help="use this models.yaml instead",
    )
    group.add_argument(
        "--ram",
        metavar="GB",
        type=real(0, 1_000_000, above=True),
        default=default,
        help="pretend the machine has this RAM",
    )
    group.add_argument(
        "--vram",
        metavar="GB",
        type=real(0, 100_000, above=True),
        default=default,
        help="pretend each GPU has this much VRAM",
    )


def add_extra_models_option(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """--model FILE.gguf|hf:ORG/REPO:QUANT, repeatable: the user's own models, judged beside the
    catalog's (advisor.catalog.extra_models)."""
    parser.add_argument(
        "--model",
        dest="extra_models",
        action="append",
        metavar="FILE.gguf|hf:ORG/REPO:QUANT",
        type=path_text,
        default=argparse.SUPPRESS if suppress else None,
        help="also rank and judge this model beside the catalog: a GGUF file (header only) or "
        "a Hugging Face repository (listing and one header); repeat for several",
    )


def add_json_option(parser: argparse.ArgumentParser, *, suppress: bool = True) -> None:
    parser.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="print one JSON document on stdout instead of text",
    )


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


def _command_in(argv: Sequence[str]) -> str | None:
    """The command argv names, "" for none, or None when top-level help is asked for."""
    takes_value = {
        option
        for action in _top_parser()._actions
        if action.nargs is None and action.option_strings
        for option in action.option_strings
    }
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
    argv = list(sys.argv[1:] if argv is None else argv)
    fit_streams()
    args = build_parser(only=_command_in(argv)).parse_args(argv)
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
