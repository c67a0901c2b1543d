"""`advisor schema`: print the JSON Schema of the report (`advisor --json`)."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "schema",
        help="print the JSON Schema of the report (advisor --json)",
        description="Print the JSON Schema (draft 2020-12) that every `advisor --json` report "
        "validates against. It ships with the package; `schema_version` in a report says which "
        "version of it the report follows.",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from advisor.report.output import emit
    from advisor.report.schema import shipped_schema_text

    emit(shipped_schema_text(), getattr(args, "output", None))
    return 0
