"""Where a command's output goes: stdout, or a file written atomically and announced."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from advisor.console import Printable, printable


def emit(text: str, output: str | None, *, styled: bool = False) -> None:
    """Print `text`, or write it to `output` through a temporary file and a rename; either way
    without control characters (`styled`: but for the colours a renderer added)."""
    text = printable(text, keep_styles=styled)
    if not output:
        _print_out(text)
        return
    from advisor.console import note
    from advisor.paths import atomic_write_text

    atomic_write_text(output, text)
    note(f"wrote {output}")


def emit_pieces(pieces: Iterable[Printable], output: str) -> None:
    """emit() of the pieces' text to `output`, each written as soon as it is made (see
    advisor.paths.atomic_write_pieces). The pieces are clean already (console.Printable)."""
    from advisor.console import note
    from advisor.paths import atomic_write_pieces

    atomic_write_pieces(output, pieces)
    note(f"wrote {output}")


def _print_out(text: str) -> None:
    """Print `text` on stdout and flush it, so that a stdout that cannot take it (a full disk,
    a device error) is a WriteError (exit code 9) here, not a traceback or the interpreter's
    exit status 120 at exit. A reader that went away (BrokenPipeError) is left to the caller
    (advisor.cli: not our failure)."""
    import sys

    try:
        print(text, end="")
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        from advisor.errors import WriteError

        raise WriteError(
            f"could not write the output to stdout: {exc.strerror or exc}",
            hint="free some space, or write it to a file with -o FILE",
        ) from exc


def named_files(values: Iterable[object]) -> list[Path]:
    """The existing files among a command's argument values (text, or lists of text)."""
    found = []
    for value in values:
        for item in value if isinstance(value, (list, tuple)) else (value,):
            path = _file(item) if isinstance(item, str) and item else None
            if path is not None:
                found.append(path)
    return found


def _file(text: str) -> Path | None:
    """The existing file `text` names, else None (also for a name the system refuses, too
    long or naming an unknown ~user: the command itself then says what is wrong with it)."""
    try:
        path = Path(text).expanduser()
        return path if path.is_file() else None
    except (OSError, ValueError, RuntimeError):
        return None


def refuse_overwriting_inputs(output: str | None, inputs: Iterable[Path]) -> None:
    """UsageError when `-o output` names a file the command reads (a workload, the config, a
    profile, a fleet report): writing there would destroy the input before anyone saw it."""
    target = _file(output) if output else None
    if target is None:
        return
    for path in inputs:
        if _same(target, path):
            from advisor.errors import UsageError

            raise UsageError(f"-o {output}: this command reads that file ({path}); writing the "
                             "output there would overwrite it",
                             hint="write the output to another file")  # fmt: skip


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # gone meanwhile: nothing to overwrite
        return False
