"""The user's catalog overlay: models (and their sources) added to, or replacing, shipped ones.

It lives in the user data dir as catalog-overlay.yaml, has the shape of models.yaml's
`sources:` and `models:` sections, and may cite the shipped catalog's sources.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advisor.catalog.loader import parse_yaml, read_bytes, validate_document
from advisor.catalog.model import Catalog, Model, Source
from advisor.files.strict import FORBID
from advisor.paths import user_data_dir

OVERLAY_NAME = "catalog-overlay.yaml"


@dataclass(frozen=True)
class Overlay:
    __pydantic_config__ = FORBID

    sources: dict[str, Source] = field(default_factory=dict)
    models: tuple[Model, ...] = ()
    schema_version: int = 1


def overlay_path() -> Path:
    return user_data_dir() / OVERLAY_NAME


def load_overlay(path: Path, shipped: Catalog) -> Overlay:
    """The validated overlay in `path`. Raises CatalogProblems listing every problem."""
    content = read_bytes(path)
    return validate_overlay(path, content, parse_yaml(path, content), shipped)


def validate_overlay(path: Path, content: bytes, data: Any, shipped: Catalog) -> Overlay:
    """The overlay document `data` (parsed from `content`) validated against `shipped`."""
    if data is None:
        return Overlay()  # an empty file is an empty overlay
    return validate_document(
        path,
        content,
        data,
        Overlay,
        shipped_sources=set(shipped.sources),
        shipped_model_ids={m.id for m in shipped.models},
    )


def merge(catalog: Catalog, overlay: Overlay) -> Catalog:
    """The catalog with the overlay's sources added and its models added or replaced by id."""
    if not overlay.models and not overlay.sources:
        return catalog
    replacing = {m.id: m for m in overlay.models}
    models = [replacing.pop(m.id, m) for m in catalog.models]
    models += [m for m in overlay.models if m.id in replacing]
    return dataclasses.replace(
        catalog, sources={**catalog.sources, **overlay.sources}, models=tuple(models)
    )
