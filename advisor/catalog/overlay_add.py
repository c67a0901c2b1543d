"""Adding a model to the user's catalog overlay (`advisor catalog add`), checked as
`advisor catalog validate` will check it, under a lock, the old file kept as .bak."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from advisor.catalog.loader import parse_yaml, read_bytes
from advisor.catalog.model import Catalog, Model, Source
from advisor.catalog.overlay import load_overlay, validate_overlay
from advisor.files.strict import adapter
from advisor.paths import atomic_write_bytes, atomic_write_text

HEADER = """\
# advisor's user catalog overlay: models here are added to the shipped catalog, and an
# entry with a shipped model's id replaces it. Same format as models.yaml's `sources:` and
# `models:` sections. `advisor catalog add FILE.gguf` writes here; check edits with
# `advisor catalog validate`.
"""


def add_model(path: Path, shipped: Catalog, model: Model, source_key: str, source: Source) -> Model:
    """Write `model` into the overlay at `path`, keeping every other entry; returns the entry.

    An overlay model with the same id keeps its own fields and gains (or replaces) the new
    model's quants. A broken overlay is refused (CatalogProblems) and left as it was.
    """
    from advisor.files.locks import file_lock

    with file_lock(path):  # from the read to the replace: concurrent adds all keep their entry
        return _add_locked(path, shipped, model, source_key, source)


def _add_locked(
    path: Path, shipped: Catalog, model: Model, source_key: str, source: Source
) -> Model:
    import yaml

    old_content = read_bytes(path) if path.exists() else None
    data: dict[str, Any] = {}
    if old_content is not None:
        load_overlay(path, shipped)  # refuse to rewrite a file we could not read back
        data = parse_yaml(path, old_content) or {}
    before = copy.deepcopy(data)
    data.setdefault("sources", {})[source_key] = _dump(Source, source)
    entry = _merged_entry(data.setdefault("models", []), _dump(Model, model))
    if old_content is None:
        text = HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    else:
        text = _edited(path, old_content.decode("utf-8"), before, data, entry)
    content = text.encode("utf-8")
    written = validate_overlay(path, content, parse_yaml(path, content), shipped)
    _check_as_validate_will(path, content, shipped)
    if old_content is not None:
        atomic_write_bytes(path.with_name(path.name + ".bak"), old_content)
    atomic_write_text(path, text)
    return next(m for m in written.models if m.id == entry["id"])


def _edited(
    path: Path, text: str, before: dict[str, Any], after: dict[str, Any], entry: dict[str, Any]
) -> str:
    """The overlay's own text with the new source and model written into it: the user's
    comments, order and layout kept (advisor.catalog.yaml_edit). Checked: the edited text
    must read back as `after`, else nothing is written."""
    from advisor.catalog.problems import CatalogProblems, Problem
    from advisor.catalog.yaml_edit import (
        EditRefused,
        append_sequence_item,
        replace_in_item,
        set_mapping_entry,
    )

    try:
        for key, value in after["sources"].items():
            if (before.get("sources") or {}).get(key) != value:
                text = set_mapping_entry(text, "sources", key, value, after["sources"])
        old_models = before.get("models") or []
        index = next((i for i, m in enumerate(old_models) if m.get("id") == entry["id"]), None)
        if index is None:
            text = append_sequence_item(text, "models", entry, after["models"])
        else:
            new_types = {q["type"] for q in entry["quants"]}
            old_quants = old_models[index].get("quants") or []
            drop = {i for i, q in enumerate(old_quants) if q.get("type") in new_types}
            added = [q for q in entry["quants"] if q["type"] in new_types]
            text = replace_in_item(text, "models", index, "quants", drop, added)
    except EditRefused as exc:
        raise CatalogProblems(
            [Problem(path, (), str(exc))], hint="the overlay was left as it was"
        ) from None
    if parse_yaml(path, text.encode("utf-8")) != after:  # never write what we did not mean
        raise CatalogProblems(
            [Problem(path, (), "advisor could not add the entry without rewriting the file")],
            hint="the overlay was left as it was; add the entry by hand or move the file "
            "aside and run the command again",
        )
    return text


def _check_as_validate_will(path: Path, content: bytes, shipped: Catalog) -> None:
    """Refuse to write what `advisor catalog validate` would then reject (its strict checks
    go beyond the schema), so a user's overlay never fails validation through advisor."""
    from advisor.catalog.problems import CatalogProblems
    from advisor.catalog.validate import validate_content

    report = validate_content(path, content, shipped, as_overlay=True)
    if report.errors:
        raise CatalogProblems(report.errors, hint="the overlay was left as it was")


def _merged_entry(models: list[dict[str, Any]], new: dict[str, Any]) -> dict[str, Any]:
    existing = next((m for m in models if m.get("id") == new["id"]), None)
    if existing is None:
        models.append(new)
        return new
    new_types = {q["type"] for q in new["quants"]}
    kept = [q for q in existing.get("quants", []) if q.get("type") not in new_types]
    existing["quants"] = kept + new["quants"]
    return existing


def _dump(kind: type, value: Any) -> dict[str, Any]:
    return adapter(kind).dump_python(value, mode="json", exclude_defaults=True)
