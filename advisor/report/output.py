"""Where a command's output goes: stdout, or a file written atomically and announced."""

from __future__ import annotations

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
