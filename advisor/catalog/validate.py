"""`advisor catalog validate`: every problem of a catalog or overlay file, strict checks too."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.catalog.cloud_offers import Cloud
from advisor.catalog.lint import lint
from advisor.catalog.loader import parse_yaml, read_bytes, validate_document
from advisor.catalog.model import Catalog
from advisor.catalog.overlay import Overlay
from advisor.catalog.problems import CatalogProblems, Problem
from advisor.catalog.yaml_errors import duplicate_key_problems


@dataclass(frozen=True)
class ValidationReport:
    path: Path
    kind: str  # "catalog" | "overlay"
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    counts: dict[str, int]  # what a valid file holds: models, quants, sources, ...

    @property
    def ok(self) -> bool:
        return not self.errors


def looks_like_overlay(data: Any) -> bool:
    """An overlay has models and sources but none of the catalog's top-level keys."""
    return isinstance(data, dict) and not {"catalog_version", "cloud"} & set(data)


def validate_file(
    path: Path, shipped: Catalog | None = None, *, as_overlay: bool | None = None
) -> ValidationReport:
    """Check `path` as a catalog or, given the `shipped` catalog, as an overlay.

    `as_overlay=None` decides from the file's keys. Raises only for a file that cannot be
    read at all (NotFoundError, CatalogError).
    """
    return validate_content(path, read_bytes(path), shipped, as_overlay=as_overlay)


def validate_content(
    path: Path, content: bytes, shipped: Catalog | None = None, *, as_overlay: bool | None = None
) -> ValidationReport:
    """validate_file for `content` about to be written to `path`: what advisor writes is
    checked exactly as `advisor catalog validate` will check it."""
    try:
        data = parse_yaml(path, content, duplicates=True)  # listed below with the rest
    except CatalogProblems as exc:
        return ValidationReport(path, "catalog", exc.problems, (), {})
    if as_overlay is None:
        as_overlay = looks_like_overlay(data)
    overlay = shipped is not None and as_overlay
    text = content.decode("utf-8")
    try:
        if shipped is not None and as_overlay:
            checked = _overlay(path, content, data, shipped)
        else:
            checked = validate_document(path, content, data, Catalog)
    except CatalogProblems as exc:
        duplicates = duplicate_key_problems(path, text)
        errors = sorted((*exc.problems, *duplicates), key=lambda p: p.line or 0)
        return ValidationReport(path, _kind(overlay), tuple(errors), (), {})
    result = lint(path, text, checked, overlay=overlay)
    return ValidationReport(path, _kind(overlay), result.errors, result.warnings, _counts(checked))


def _overlay(path: Path, content: bytes, data: Any, shipped: Catalog) -> Catalog:
    """The overlay validated, as a Catalog of its own entries (for lint and counts)."""
    checked = validate_document(
        path,
        content,
        {} if data is None else data,  # an empty overlay is a valid one
        Overlay,
        shipped_sources=set(shipped.sources),
        shipped_model_ids={m.id for m in shipped.models},
    )
    return Catalog(
        schema_version=checked.schema_version,
        catalog_version="overlay",
        sources=checked.sources,
        models=checked.models,
        cloud=Cloud(subscriptions=(), api_models=()),
    )


def _kind(overlay: bool) -> str:
    return "overlay" if overlay else "catalog"


def _counts(catalog: Catalog) -> dict[str, int]:
    return {
        "models": len(catalog.models),
        "quants": sum(len(m.quants) for m in catalog.models),
        "sources": len(catalog.sources),
        "subscriptions": len(catalog.cloud.subscriptions),
        "api_models": len(catalog.cloud.api_models),
    }
