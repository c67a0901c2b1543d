"""Real reports for the audit tests: advise() on reference profiles, written as
`advisor report --json --anonymize` writes them, each with its own machine id."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from advisor.advice_options import AdviceOptions
from advisor.advise import advise
from advisor.probe import load_profile
from advisor.report.document import build_document

# Small and large, CPU-only, discrete GPU and unified memory: every upgrade rule is exercised.
PROFILES = (
    "office-laptop-8gb",
    "rtx-3060-desktop",
    "rtx-4090-desktop",
    "macbook-air-m2-16gb",
)
WORKLOADS = ("chat-assistant", "document-batch")
FLEET_COUNTS = (3, 2, 2, 1)  # machines per profile in the shared test fleet


def report(profile: str, catalog, workloads) -> dict[str, Any]:
    """The anonymized report of a reference profile, as plain JSON data."""
    machine = load_profile(profile)
    advice = advise(machine, catalog, workloads, AdviceOptions(cache=False))
    return json.loads(json.dumps(build_document(advice, anonymize=True)))


def as_machine(doc: dict[str, Any], number: int, *, when: str | None = None) -> dict[str, Any]:
    """A copy of `doc` standing for another physical machine: its own id (and time)."""
    doc = copy.deepcopy(doc)
    doc["machine_id"] = f"m-{number:020x}"
    if when is not None:
        doc["generated_at"] = when
    return doc


def write(folder: Path, name: str, doc: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(doc, indent=2) if not isinstance(doc, str) else doc)
    return path


def write_fleet(folder: Path, docs: dict[str, dict], counts: Sequence[int]) -> list[Path]:
    """`counts[i]` machines of the i-th profile in PROFILES, one file each."""
    paths = []
    number = 0
    for profile, count in zip(PROFILES, counts, strict=True):
        for _ in range(count):
            number += 1
            paths.append(
                write(folder, f"{profile}-{number}.json", as_machine(docs[profile], number))
            )
    return paths


def whole_json(audit) -> str:
    """What `advisor audit --format json` printed before it wrote the document piece by
    piece: the whole document serialized at once, then cleaned of control characters."""
    from pydantic_core import to_json

    from advisor.audit.render.json_doc import audit_document
    from advisor.console import printable

    return printable(to_json(audit_document(audit), indent=2).decode("utf-8") + "\n")
