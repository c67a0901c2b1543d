"""What one probe path hands back: its figures plus where each came from and why any is missing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Findings:
    """Sources, reasons and notes gathered by a probe path (mutable while probing only)."""

    sources: dict[str, str] = field(default_factory=dict)
    unknown: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def got(self, path: str, value: Any, source: str | None, reason: str | None = None) -> Any:
        """Record `value` at `path` as coming from `source`, or why it is None. (`source` is
        None only where `value` is: a spec table figure and the match that found it.)"""
        if value is None:
            if reason:
                self.unknown.setdefault(path, reason)
        else:
            if source is not None:
                self.sources[path] = source
            self.unknown.pop(path, None)
        return value

    def merge(self, other: Findings) -> None:
        self.sources.update(other.sources)
        for path, reason in other.unknown.items():
            self.unknown.setdefault(path, reason)
        self.notes.extend(n for n in other.notes if n not in self.notes)
