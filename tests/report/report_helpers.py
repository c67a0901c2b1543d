"""Golden-file helpers for report tests (a module of its own: tests import it by name)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "golden"


def normalized(doc: dict) -> dict:
    """A report with what changes from run to run (time, versions) pinned."""
    doc = json.loads(json.dumps(doc))
    doc["generated_at"] = "2026-01-01T00:00:00Z"
    doc["advisor_version"] = "<advisor version>"
    doc["catalog_version"] = "<catalog version>"
    return doc


def check_golden(path: Path, text: str, regen: bool) -> None:
    if regen or not path.exists():
        path.write_text(text, encoding="utf-8")
        if not regen:
            pytest.fail(f"{path.name} was missing and has been written; review and commit it")
        return
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{path.name} differs; regenerate with ADVISOR_REGEN_GOLDEN=1"
