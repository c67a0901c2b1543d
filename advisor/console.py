"""Diagnostics on stderr (`error:`, `warning:`, `hint:`); stdout stays for data."""

from __future__ import annotations

import sys

from advisor.errors import AdvisorError


def _emit(prefix: str, message: str) -> None:
    print(f"{prefix}: {message}", file=sys.stderr, flush=True)


def error(message: str) -> None:
    _emit("error", message)


def warning(message: str) -> None:
    _emit("warning", message)


def hint(message: str) -> None:
    _emit("hint", message)


def note(message: str) -> None:
    _emit("note", message)


def report_error(exc: AdvisorError) -> int:
    """Print an AdvisorError as `error:` plus an optional `hint:` and return its exit code."""
    error(exc.message)
    if exc.hint:
        hint(exc.hint)
    return int(exc.exit_code)
