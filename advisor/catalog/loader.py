"""Read a catalog document (models.yaml or an overlay) and validate it, reporting every problem."""

from __future__ import annotations

import functools
from collections.abc import Collection
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import TypeAdapter, ValidationError

from advisor.catalog import cache, compiled
from advisor.catalog.crossref import reference_problems
from advisor.catalog.model import Catalog
from advisor.catalog.problems import CatalogProblems, Problem
from advisor.catalog.yaml_errors import shown, syntax_problem, validation_problems, with_lines
from advisor.errors import CatalogError, NotFoundError
from advisor.yamlpos import LOADER

SCHEMA_VERSION = 1  # the newest models.yaml schema this advisor reads
CATALOG_KEYS = ("schema_version", "catalog_version", "sources", "models", "cloud")

T = TypeVar("T")


def load_catalog_file(path: Path, *, use_cache: bool = True) -> Catalog:
    """The validated catalog in `path` (no overlay). Raises CatalogProblems listing everything.

    The document comes from the compiled form shipped beside the file when it was compiled
    from these exact bytes, else from the user's parse cache, else from parsing the YAML.
    """
    content = read_bytes(path)
    if use_cache:
        shipped = compiled.lookup(path, content)
        if shipped is not None:
            try:
                return validate_document(path, content, shipped, Catalog)
            except CatalogProblems:
                pass  # a compiled form that no longer passes: the YAML says what is wrong
    cached = cache.lookup(path, content) if use_cache else None
    if cached is not None:
        try:
            return validate_document(path, content, cached, Catalog)
        except CatalogProblems:
            # The cached copy no longer passes (a schema change, a tampered entry): the YAML
            # is the truth, and only it can give the right line numbers.
            cache.clear(path)
    data = parse_yaml(path, content)
    catalog = validate_document(path, content, data, Catalog)
    if use_cache:
        cache.store(path, content, data)
    return catalog


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(
            f"catalog file {path} does not exist",
            hint="check the path given to --catalog, or reinstall advisor for the shipped one",
        ) from None
    except OSError as exc:
        raise CatalogError(f"cannot read the file: {exc.strerror or exc}", path=path) from exc


def parse_yaml(path: Path, content: bytes) -> Any:
    """The YAML document in `content`; syntax errors become a Problem with file:line."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = Problem(path, (), f"not UTF-8 text (invalid byte at offset {exc.start})")
        raise CatalogProblems([problem]) from None
    try:
        return yaml.load(text, Loader=LOADER)
    except yaml.YAMLError as exc:
        raise CatalogProblems([syntax_problem(path, exc)]) from None


def validate_document(
    path: Path,
    content: bytes,
    data: Any,
    root: type[T],
    *,
    shipped_sources: Collection[str] = (),
    shipped_model_ids: Collection[str] = (),
) -> T:
    """`data` validated as `root`, with the cross-reference checks; all problems at once."""
    if not isinstance(data, dict):
        expected = ", ".join(CATALOG_KEYS) if root is Catalog else "sources and models"
        got = "an empty file" if data is None else shown(data)
        raise CatalogProblems([Problem(path, (), f"expected a mapping of {expected}, got {got}")])
    _check_schema_version(path, content, data)
    problems: list[Problem] = []
    result = None
    try:
        result = _adapter(root).validate_python(data)
    except ValidationError as exc:
        problems += validation_problems(path, exc, root)
    problems += reference_problems(
        path, data, shipped_sources=shipped_sources, shipped_model_ids=shipped_model_ids
    )
    if problems:
        located = with_lines(problems, content.decode("utf-8"))
        raise CatalogProblems(sorted(located, key=lambda p: p.line or 0))
    return result  # type: ignore[return-value]


def _check_schema_version(path: Path, content: bytes, data: dict[str, Any]) -> None:
    version = data.get("schema_version")
    if type(version) is int and version > SCHEMA_VERSION:
        message = (
            f"written for catalog schema {version}; this advisor reads schema "
            f"{SCHEMA_VERSION} and older"
        )
        problem = Problem(path, ("schema_version",), message)
        located = with_lines([problem], content.decode("utf-8"))
        raise CatalogProblems(located, hint="upgrade advisor (pip install -U local-llm-advisor)")


@functools.cache
def _adapter(root: type[T]) -> TypeAdapter[T]:
    return TypeAdapter(root)
