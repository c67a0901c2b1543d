"""The shipped JSON Schema file of the report, read without importing pydantic."""

from __future__ import annotations

import json
from pathlib import Path

SCHEMA_FILE = Path(__file__).resolve().parent / "report.schema.json"


def shipped_schema_text() -> str:
    return SCHEMA_FILE.read_text(encoding="utf-8")


def render_schema(schema: dict) -> str:
    """The file's exact text for a schema dict: what tests compare and regeneration writes."""
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
