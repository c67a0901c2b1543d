"""Typed, bounded command-line values: a bad one is a usage error (exit 2) naming the flag.

argparse turns the ArgumentTypeError these raise into `advisor X: error: argument --flag: ...`
and exit code 2, before any work starts. Every number must be finite and inside a range that
means something for the flag: NaN, infinity, 1e308 GB of RAM or a 4,301-digit count would
otherwise reach the arithmetic (a traceback) or the JSON output (NaN is not JSON).
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable

MAX_DIGITS = 20  # longer than any count a flag takes; Python refuses to parse over 4,300
MAX_PATH_CHARS = 4096  # PATH_MAX on Linux; longer names fail in the OS, not here
MAX_NAME_BYTES = 255  # NAME_MAX, one file or folder name, on Linux, macOS and Windows
MAX_CONTEXT_TOKENS = 1 << 27  # 134M tokens: ten times the longest context any model offers


def real(low: float, high: float, *, above: bool = False) -> Callable[[str], float]:
    """A finite number from `low` (exclusive with `above`) to `high` inclusive."""

    def parse(text: str) -> float:
        value = _float(text)
        if value < low or (above and value == low) or value > high:
            side = f"more than {low:g}" if above else f"{low:g} or more"
            raise argparse.ArgumentTypeError(f"expected {side} and at most {high:g}, got {text}")
        return value

    parse.__name__ = "number"
    return parse


def whole(low: int, high: int) -> Callable[[str], int]:
    """A whole number from `low` to `high` inclusive."""

    def parse(text: str) -> int:
        value = _int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"expected a whole number from {low} to {high}, got {value}"
            )
        return value

    parse.__name__ = "whole number"
    return parse


def choice(options: tuple[str, ...], *, fold: Callable[[str], str] = str.lower):
    """One of `options`, compared after `fold` (argparse's own `choices` checks after `type`)."""

    def parse(text: str) -> str:
        value = fold(text)
        if value not in options:
            raise argparse.ArgumentTypeError(
                f"expected one of {', '.join(options)}, got {text[:40]!r}"
            )
        return value

    parse.__name__ = "choice"
    return parse


def path_text(text: str) -> str:
    """A file or folder name, or a name to look up: no NUL byte, not longer than PATH_MAX, no
    part longer than NAME_MAX (the system refuses such a name with an OSError, not a message),
    and a ~user that exists (URLs aside)."""
    if "\0" in text:
        raise argparse.ArgumentTypeError("a file name cannot hold a NUL byte")
    if len(text) > MAX_PATH_CHARS:
        raise argparse.ArgumentTypeError(
            f"{len(text)} characters is longer than any file name ({MAX_PATH_CHARS} at most)"
        )
    if "://" in text:
        return text
    for part in text.replace("\\", "/").split("/"):
        size = len(part.encode("utf-8", "surrogateescape"))
        if size > MAX_NAME_BYTES:
            raise argparse.ArgumentTypeError(
                f"{part[:24]}... is {size} bytes, longer than any file or folder name "
                f"({MAX_NAME_BYTES} at most)"
            )
    if text.startswith("~") and os.path.expanduser(text) == text:
        user = text[1:].split("/", 1)[0]
        raise argparse.ArgumentTypeError(f"~{user}: no such user, so no such home folder")
    return text


def count_text(text: str, *, low: int = 1, high: int = 10_000_000) -> int:
    """A count written inside a larger value (`PLAN=COUNT`); ValueError saying what is wrong."""
    text = text.strip()
    if not text.isdigit() or len(text) > MAX_DIGITS:
        raise ValueError(f"expected a whole number, got {text[:40]!r}")
    value = int(text)
    if not low <= value <= high:
        raise ValueError(f"expected a whole number from {low} to {high}, got {value}")
    return value


def _float(text: str) -> float:
    if len(text) > 64:
        raise argparse.ArgumentTypeError(f"expected a number, got {len(text)} characters")
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text}")
    return value


def _int(text: str) -> int:
    stripped = text.strip().removeprefix("-").removeprefix("+")
    if not stripped.isdigit() or len(stripped) > MAX_DIGITS:
        shown = text if len(text) <= 40 else f"{len(text)} characters"
        raise argparse.ArgumentTypeError(f"expected a whole number, got {shown!r}")
    return int(text)
