"""`advisor estimate`: not built yet (skeleton; its owner replaces this module)."""

from __future__ import annotations

import argparse

from advisor.errors import AdvisorError


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("estimate", help="(not built yet)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    raise AdvisorError("advisor estimate is not built yet")
