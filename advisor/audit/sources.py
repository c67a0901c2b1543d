"""Where reports come from: files, folders, globs, and `-` for JSON lines on stdin.

Each argument expands to raw report texts in a stable order (sorted paths, lines in order), or
to a Skipped entry that says why nothing could be read from it. `.jsonl` and `.ndjson` files
hold one report per line, like stdin.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from advisor.errors import UsageError

MAX_FILE_BYTES = 1 << 30  # a JSON-lines file of many reports; /dev/zero is refused first
STDIN = "-"
REPORT_SUFFIXES = (".json", ".jsonl", ".ndjson")
LINE_SUFFIXES = (".jsonl", ".ndjson")
GLOB_CHARS = frozenset("*?[")  # an argument with one of these is a glob (the CLI checks too)


@dataclass(frozen=True)
class RawReport:
    """One report's bytes and where they came from: a path, or `PATH:LINE` for JSON lines."""

    origin: str
    data: bytes


@dataclass(frozen=True)
class Skipped:
    """An input the audit could not use, and why, in words."""

    origin: str
    reason: str


def gather(paths: Sequence[str], stdin: BinaryIO | None = None) -> Iterator[RawReport | Skipped]:
    """Every report the arguments name, in order; a file named twice is read once."""
    for item in locate_text(paths, stdin):
        if isinstance(item, str):
            yield from read_file(item)
        else:
            yield item


def locate(
    paths: Sequence[str], stdin: BinaryIO | None = None
) -> Iterator[Path | RawReport | Skipped]:
    """What gather yields, with each file as its path, unread (a worker can read it)."""
    for item in locate_text(paths, stdin):
        yield Path(item) if isinstance(item, str) else item


def locate_text(
    paths: Sequence[str], stdin: BinaryIO | None = None
) -> Iterator[str | RawReport | Skipped]:
    """locate, with each file as its path's text (`str(path)`), without making 10,000 Paths
    the reading sends to its workers as text again (about 50 ms of an audit's start, which
    runs alone before the workers read)."""
    if list(paths).count(STDIN) > 1:
        raise UsageError("'-' (stdin) was given more than once")
    seen: set[str] = set()  # resolved paths
    for arg in paths:
        if arg == STDIN:
            if stdin is None:
                raise UsageError("'-' was given but there is no stdin to read")
            yield from _lines(stdin.read(), "<stdin>")
            continue
        for found in _expand(arg):
            if isinstance(found, Skipped):
                yield found
                continue
            path, key = found if isinstance(found, tuple) else (str(found), None)
            key = key or os.path.realpath(path)  # as Path.resolve() resolves
            if key not in seen:
                seen.add(key)
                yield path


def _expand(arg: str) -> Iterator[Path | tuple[str, str] | Skipped]:
    """The files `arg` names; a file found in a folder comes with its resolved path."""
    path = Path(arg).expanduser()
    if path.is_dir():
        yield from _folder(path)
    elif path.exists():
        yield path
    elif GLOB_CHARS & set(arg):
        matches = _glob(path)
        if not matches:
            yield Skipped(arg, "no file matches this pattern")
        for match in matches:
            found = Path(match)
            if found.is_dir():
                yield from _folder(found)
            elif found.suffix.lower() in REPORT_SUFFIXES:
                yield found
    else:
        yield Skipped(arg, "no such file or folder")


def _glob(pattern: Path) -> list[Path]:
    """What `glob.glob(pattern, recursive=True)` matches, but with `**` not descending into
    symlinked folders, as `_folder` does not: two symlink loops would make it walk forever.
    Hidden names are left out unless the pattern names them, as glob does."""
    parts = pattern.parts
    fixed = next(i for i, part in enumerate(parts) if GLOB_CHARS & set(part))
    anchor = Path(*parts[:fixed]) if fixed else Path()
    rest = Path(*parts[fixed:])
    hidden = any(part.startswith(".") for part in rest.parts)
    return sorted(
        found
        for found in anchor.glob(str(rest))
        if hidden or not any(p.startswith(".") for p in found.relative_to(anchor).parts)
    )


def _folder(folder: Path) -> Iterator[tuple[str, str] | Skipped]:
    """Report files anywhere under `folder`, in path order, each as `str(Path)` would write
    it, with its resolved path; hidden files (atomic-write temporaries) left out.

    What `folder.rglob("*")` finds, filtered (folders met through a symlink are not entered,
    unreadable ones are passed over), but walked with os.scandir: the walk knows which entries
    are symlinks, so the resolved path of any other file is the resolved folder joined with its
    relative path, without resolving 10,000 paths one component at a time.
    """
    found: list[tuple[tuple[str, ...], str, bool]] = []
    _walk(str(folder), (), found)
    if not found:
        yield Skipped(str(folder), "the folder holds no .json or .jsonl report files")
        return
    real = os.path.realpath(folder)
    base = str(folder)  # as Path writes it; "." is left out of the paths under it, as by Path
    found.sort(key=_order)
    for parts, path, link in found:
        text = os.path.join(base, *parts) if base != "." else os.path.join(*parts)
        yield text, (os.path.realpath(path) if link else os.path.join(real, *parts))


def _order(item: tuple[tuple[str, ...], str, bool]) -> tuple[str, ...]:
    """Paths' order: part by part, without case on Windows."""
    return tuple(p.lower() for p in item[0]) if os.name == "nt" else item[0]


def _walk(top: str, parts: tuple[str, ...], found: list) -> None:
    try:
        with os.scandir(top) as listing:
            entries = list(listing)
    except PermissionError:
        return
    for entry in entries:
        if _is_dir(entry):
            _walk(entry.path, (*parts, entry.name), found)
        elif (
            os.path.splitext(entry.name)[1].lower() in REPORT_SUFFIXES
            and not entry.name.startswith(".")
            and _is_file(entry)
        ):
            found.append(((*parts, entry.name), entry.path, entry.is_symlink()))


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir() and not entry.is_symlink()
    except OSError:
        return False


def _is_file(entry: os.DirEntry) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def read_file(path: Path | str) -> Iterator[RawReport | Skipped]:
    """The report (or, for JSON lines, the reports) in one file: `path` as locate gives it, or
    that path as text (`str(path)`: a reading worker is sent text)."""
    from advisor.files.regular import read_regular

    text = str(path)
    try:
        data = read_regular(text, MAX_FILE_BYTES)
    except OSError as exc:
        yield Skipped(text, f"unreadable: {exc.strerror or exc}")
        return
    if _suffix(text).lower() in LINE_SUFFIXES:
        yield from _lines(data, text)
    else:
        yield RawReport(text, data)


def _suffix(text: str) -> str:
    """`Path(text).suffix` for a path as str(Path) writes it, without making the Path."""
    name = os.path.basename(text)
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _lines(data: bytes, origin: str) -> Iterator[RawReport]:
    for number, line in enumerate(data.splitlines(), start=1):
        if line.strip():
            yield RawReport(f"{origin}:{number}", line)
