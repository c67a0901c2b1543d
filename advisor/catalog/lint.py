"""The strict checks `advisor catalog validate` adds on top of loading.

Loading refuses what would break the program; these refuse what would break the catalog's
promise: keys YAML silently dropped, and facts left None without a reason in `unknown`.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from advisor.catalog.cloud_offers import ApiModel, ElectricityPrice, Subscription
from advisor.catalog.model import Architecture, Catalog
from advisor.catalog.problems import Loc, Problem
from advisor.catalog.yaml_errors import duplicate_key_problems, with_lines


@dataclasses.dataclass(frozen=True)
class LintResult:
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]


def lint(path: Path, text: str, catalog: Catalog, *, overlay: bool = False) -> LintResult:
    """Problems of an already valid catalog (or overlay) document, with lines."""
    errors = duplicate_key_problems(path, text)
    for index, model in enumerate(catalog.models):
        errors += _unknown_problems(path, ("models", index), model)
        errors += _unknown_problems(path, ("models", index, "architecture"), model.architecture)
    errors += _score_problems(path, catalog)
    warnings = [] if overlay else _unused_sources(path, catalog)
    return LintResult(tuple(with_lines(errors, text)), tuple(with_lines(warnings, text)))


def _unknown_problems(path: Path, loc: Loc, entry: Any) -> list[Problem]:
    """A required fact set to null needs its reason in `unknown`, and `unknown` must be true."""
    problems = []
    names = {f.name for f in dataclasses.fields(entry)}
    for name in _nullable_required(type(entry)):
        if name in _not_applicable(entry):
            continue
        if getattr(entry, name) is None and name not in entry.unknown:
            message = f"is null without a reason: add `unknown: {{{name}: <why>}}`"
            problems.append(Problem(path, (*loc, name), message))
    for name in entry.unknown:
        if name not in names:
            problems.append(Problem(path, (*loc, "unknown", name), "names no field of this entry"))
        elif _is_scalar_value(getattr(entry, name)):
            message = f"says {name} is unknown, but {name} has a value"
            problems.append(Problem(path, (*loc, "unknown", name), message))
    return problems


def _not_applicable(entry: Any) -> set[str]:
    """Null facts that mean "does not apply": an MLA cache has no per-head K/V size."""
    return {"head_dim"} if isinstance(entry, Architecture) and entry.mla is not None else set()


def _is_scalar_value(value: Any) -> bool:
    """A known single value. Lists may be partly known: `unknown` can explain what is missing."""
    return value is not None and not isinstance(value, tuple | list | dict)


def _nullable_required(cls: type) -> Iterator[str]:
    """Fields with no default that accept None: the ones a curator must fill or explain."""
    hints = typing.get_type_hints(cls)
    for item in dataclasses.fields(cls):
        no_default = (
            item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING
        )
        if no_default and _allows_none(hints[item.name]):
            yield item.name


def _allows_none(tp: Any) -> bool:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return type(None) in typing.get_args(tp)
    return tp is type(None)


def _score_problems(path: Path, catalog: Catalog) -> list[Problem]:
    """Every score names its index version and snapshot date, and all share one scale: the
    verdict compares every model with the frontier, so two scales must never meet."""
    problems: list[Problem] = []
    scales: dict[str, Loc] = {}
    for index, model in enumerate(catalog.models):
        if model.quality is None:
            continue
        loc: Loc = ("models", index, "quality")
        if model.quality.scale is None:
            problems.append(
                Problem(
                    path,
                    (*loc, "index_version"),
                    "is missing: the scale of the scores (Artificial Analysis rescaled its index)",
                )
            )
        else:
            scales.setdefault(model.quality.scale, loc)
    for index, api in enumerate(catalog.cloud.api_models):
        if api.intelligence_index is None and api.coding_index is None:
            continue
        loc = ("cloud", "api_models", index)
        for key in ("quality_source", "quality_date", "quality_index_version"):
            if getattr(api, key) is None:
                problems.append(
                    Problem(
                        path,
                        (*loc, key),
                        "is missing: a score needs its source, snapshot date and index version",
                    )
                )
        if api.quality_scale is not None:
            scales.setdefault(api.quality_scale, loc)
    if len(scales) > 1:
        first, *others = scales.items()
        for scale, loc in others:
            problems.append(
                Problem(
                    path,
                    loc,
                    f"scores on {scale!r}, but others are on"
                    f" {first[0]!r}: two index scales in one catalog",
                )
            )
    return problems


def _unused_sources(path: Path, catalog: Catalog) -> list[Problem]:
    used = set(_cited(catalog))
    return [
        Problem(path, ("sources", key), "no entry cites this source")
        for key in catalog.sources
        if key not in used
    ]


def _cited(catalog: Catalog) -> Iterator[str]:
    for model in catalog.models:
        yield from model.source
        yield from model.architecture.source
        if model.quality:
            yield model.quality.source
        yield from (q.source for q in model.quants)
    cloud = catalog.cloud
    priced: tuple[Subscription | ApiModel | ElectricityPrice, ...] = (
        *cloud.subscriptions,
        *cloud.api_models,
        *cloud.electricity,
    )
    for entry in priced:
        yield entry.source
        for extra in ("quality_source", "exchange_rate_source"):
            value = getattr(entry, extra, None)
            if value:
                yield value
    for entry in getattr(catalog, "quant_quality", ()):
        yield from entry.source
