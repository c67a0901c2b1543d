"""Where a command's output goes: stdout, or a file written atomically and announced."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from advisor.console import printable


def emit(text: str, output: str | None, *, styled: bool = False) -> None:
    """Print `text`, or write it to `output` through a temporary file and a rename; either way
    without control characters (`styled`: but for the colours a renderer added)."""
    text = printable(text, keep_styles=styled)
    if not output:
        print(text, end="")
        return
    from advisor.console import note
    from advisor.paths import atomic_write_text

    atomic_write_text(output, text)
    note(f"wrote {output}")


def named_files(values: Iterable[object]) -> list[Path]:
    """The existing files among a command's argument values (text, or lists of text)."""
    found = []
    for value in values:
        for item in value if isinstance(value, (list, tuple)) else (value,):
            if isinstance(item, str) and item and Path(item).expanduser().is_file():
                found.append(Path(item).expanduser())
    return found


def refuse_overwriting_inputs(output: str | None, inputs: Iterable[Path]) -> None:
    """UsageError when `-o output` names a file the command reads (a workload, the config, a
    profile, a fleet report): writing there would destroy the input before anyone saw it."""
    if not output or not os.path.isfile(target := Path(output).expanduser()):
        return
    for path in inputs:
        if os.path.samefile(target, path):
            from advisor.errors import UsageError

            raise UsageError(f"-o {output}: this command reads that file ({path}); writing the "
                             "output there would overwrite it",
                             hint="write the output to another file")  # fmt: skip
