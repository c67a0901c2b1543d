"""Catalog problems: each names the file, the line and the key, and says what was expected."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from advisor.errors import CatalogError
from advisor.files.yamlpos import key_path

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a catalog file."""

    path: Path
    loc: Loc  # where in the document; () for the whole file
    message: str  # what is wrong and what was expected
    line: int | None = None  # 1-based; filled from the YAML node marks

    @property
    def key(self) -> str:
        return key_path(self.loc)

    def at_line(self, line: int | None) -> Problem:
        return replace(self, line=line)

    def __str__(self) -> str:
        where = str(self.path) + (f":{self.line}" if self.line is not None else "")
        return f"{where}: {self.key}: {self.message}" if self.loc else f"{where}: {self.message}"


class CatalogProblems(CatalogError):
    """Every problem found in one catalog file, all at once (the message lists them)."""

    def __init__(self, problems: Sequence[Problem], *, hint: str | None = None) -> None:
        if not problems:
            raise ValueError("CatalogProblems needs at least one problem")
        self.problems = tuple(problems)
        first = self.problems[0]
        if len(self.problems) == 1:
            super().__init__(
                first.message, path=first.path, line=first.line, key=first.key or None, hint=hint
            )
            return
        listing = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(f"{len(self.problems)} problems:\n{listing}", path=first.path, hint=hint)
