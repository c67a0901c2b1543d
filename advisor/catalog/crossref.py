"""Checks across entries that the schema alone cannot make: sources exist, ids are unique.

They run on the raw YAML data, so they report alongside schema errors in one pass.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

from advisor.catalog.problems import Loc, Problem


def reference_problems(
    path: Path,
    data: dict[str, Any],
    *,
    shipped_sources: Collection[str] = (),
    shipped_model_ids: Collection[str] = (),
) -> list[Problem]:
    """Problems of sources, ids and cross-references in a catalog or overlay document.

    For an overlay, `shipped_sources` and `shipped_model_ids` are the shipped catalog's: an
    overlay may cite shipped sources but not redefine them.
    """
    own_sources = data.get("sources")
    own_sources = own_sources if isinstance(own_sources, dict) else {}
    known = set(own_sources) | set(shipped_sources)
    problems = [
        Problem(path, ("sources", key), "redefines a source of the shipped catalog; use a new key")
        for key in own_sources
        if key in shipped_sources
    ]
    for loc, value in _source_refs(data):
        problems += _check_ref(path, loc, value, known)
    models = _items(data, "models")
    problems += _duplicates(path, "models", models, "id", "model id")
    for index, model in models:
        quants = _items(model, "quants")
        problems += _duplicates(path, ("models", index, "quants"), quants, "type", "quant type")
    # Ids and references that are not strings are the schema's to report (and unhashable).
    model_ids = {m["id"] for _, m in models if isinstance(m.get("id"), str)}
    model_ids |= set(shipped_model_ids)
    cloud = data.get("cloud") if isinstance(data.get("cloud"), dict) else {}
    for group in ("subscriptions", "api_models"):
        problems += _duplicates(path, ("cloud", group), _items(cloud, group), "id", "id")
    for index, api in _items(cloud, "api_models"):
        wanted = api.get("catalog_model")
        if isinstance(wanted, str) and wanted not in model_ids:
            loc = ("cloud", "api_models", index, "catalog_model")
            problems.append(
                Problem(path, loc, f"no model has id {wanted!r}" + _close(wanted, model_ids))
            )
    return problems


def _source_refs(data: dict[str, Any]) -> Iterator[tuple[Loc, Any]]:
    """(location, value) of every `source` reference in the document."""
    for index, model in _items(data, "models"):
        yield ("models", index, "source"), model.get("source", _ABSENT)
        arch = model.get("architecture")
        if isinstance(arch, dict):
            yield ("models", index, "architecture", "source"), arch.get("source", _ABSENT)
        quality = model.get("quality")
        if isinstance(quality, dict):
            yield ("models", index, "quality", "source"), quality.get("source", _ABSENT)
        for q_index, quant in _items(model, "quants"):
            yield ("models", index, "quants", q_index, "source"), quant.get("source", _ABSENT)
    for index, entry in _items(data, "quant_quality"):
        yield ("quant_quality", index, "source"), entry.get("source", _ABSENT)
    cloud = data.get("cloud") if isinstance(data.get("cloud"), dict) else {}
    for group in ("subscriptions", "api_models", "electricity"):
        for index, entry in _items(cloud, group):
            yield ("cloud", group, index, "source"), entry.get("source", _ABSENT)
            for extra in ("quality_source", "exchange_rate_source"):
                if entry.get(extra) is not None:
                    yield ("cloud", group, index, extra), entry[extra]


_ABSENT = object()  # the schema reports a missing key; the reference check skips it


def _check_ref(path: Path, loc: Loc, value: Any, known: set[str]) -> list[Problem]:
    if value is _ABSENT:
        return []
    if value in ("", [], ()):
        return [Problem(path, loc, "lacks a source: name one of the keys under `sources:`")]
    refs = [(loc, value)] if isinstance(value, str) else []
    if isinstance(value, list | tuple):
        refs = [((*loc, i), ref) for i, ref in enumerate(value) if isinstance(ref, str)]
    return [
        Problem(path, ref_loc, f"unknown source {ref!r}" + _close(ref, known))
        for ref_loc, ref in refs
        if ref not in known
    ]


def _close(name: str, known: Collection[Any]) -> str:
    names = sorted(k for k in known if isinstance(k, str))
    close = difflib.get_close_matches(str(name), names, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _items(parent: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    """The mapping entries of the list parent[key]; anything malformed is the schema's job."""
    if not isinstance(parent, dict) or not isinstance(parent.get(key), list):
        return []
    return [(i, item) for i, item in enumerate(parent[key]) if isinstance(item, dict)]


def _duplicates(
    path: Path, where: str | Loc, items: list[tuple[int, dict[str, Any]]], field: str, what: str
) -> list[Problem]:
    base = (where,) if isinstance(where, str) else where
    first: dict[Any, int] = {}
    problems = []
    for index, item in items:
        value = item.get(field)
        if not isinstance(value, str):
            continue
        if value in first:
            message = f"duplicate {what} {value!r} (also {base[-1]}[{first[value]}])"
            problems.append(Problem(path, (*base, index, field), message))
        first.setdefault(value, index)
    return problems
