"""Read a catalog document (models.yaml or an overlay) and validate it, reporting every problem.

PyYAML and pydantic are imported only when a document is actually parsed or validated: a run
whose catalog comes from the user cache (advisor.files.disk_cache) needs neither.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any, TypeVar

from advisor.catalog import compiled
from advisor.catalog.model import Catalog
from advisor.catalog.problems import CatalogProblems, Problem
from advisor.errors import CatalogError, NotFoundError
from advisor.files import disk_cache

SCHEMA_VERSION = 2  # the newest models.yaml schema this advisor reads
CATALOG_KEYS = ("schema_version", "catalog_version", "sources", "models", "cloud")

# The modules whose code turns a catalog file into a Catalog; a change to any of them makes
# the cached results stale.
CODE = (
    "advisor.files.strict",
    "advisor.files.yamlpos",
    "advisor.files.docload",
    "advisor.catalog.model",
    "advisor.catalog.fields",
    "advisor.catalog.cloud_offers",
    "advisor.catalog.loader",
    "advisor.catalog.crossref",
    "advisor.catalog.compiled",
    "advisor.catalog.trusted",
    "advisor.frozen",
)

T = TypeVar("T")


def load_catalog_file(path: Path, *, use_cache: bool = True) -> Catalog:
    """The validated catalog in `path` (no overlay). Raises CatalogProblems listing everything.

    With `use_cache`, the result comes from the user cache while the file is unchanged, else
    from the compiled form shipped beside the file when it was compiled from these exact bytes,
    else from parsing the YAML. Without, the YAML is parsed whatever the caches hold.
    """
    if not use_cache:
        content = read_bytes(path)
        return validate_document(path, content, parse_yaml(path, content), Catalog)
    return disk_cache.cached("catalog", [path], lambda: _load_uncached(path), code=CODE)


def _load_uncached(path: Path) -> Catalog:
    content = read_bytes(path)
    found = compiled.lookup_sealed(path, content)
    if found is None:
        return validate_document(path, content, parse_yaml(path, content), Catalog)
    shipped, sealed = found
    if sealed:  # validated by the build step with this very schema: no pydantic needed
        from advisor.catalog.trusted import Untrusted, build

        try:
            return build(Catalog, shipped)
        except Untrusted:
            pass
    try:
        return validate_document(path, content, shipped, Catalog)
    except CatalogProblems:
        pass  # a compiled form that no longer passes: the YAML says what is wrong
    return validate_document(path, content, parse_yaml(path, content), Catalog)


def read_bytes(path: Path) -> bytes:
    from advisor.files.regular import read_regular

    try:
        return read_regular(path)
    except FileNotFoundError:
        raise NotFoundError(
            f"catalog file {path} does not exist",
            hint="check the path given to --catalog, or reinstall advisor for the shipped one",
        ) from None
    except OSError as exc:
        raise CatalogError(f"cannot read the file: {exc.strerror or exc}", path=path) from exc


def parse_yaml(path: Path, content: bytes, *, duplicates: bool = False) -> Any:
    """The YAML document in `content`; syntax errors and what advisor.files.docload refuses
    (aliases,
    deep nesting, huge integers, NaN, keys given twice unless `duplicates`) become Problems with
    file:line."""
    from advisor.files.docload import DocumentError, parse

    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = Problem(path, (), f"not UTF-8 text (invalid byte at offset {exc.start})")
        raise CatalogProblems([problem]) from None
    try:
        return parse(text, duplicates=duplicates)
    except DocumentError as exc:
        problems = [Problem(path, t.loc, t.message, line=t.line) for t in exc.troubles]
        raise CatalogProblems(problems) from None


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
    from pydantic import ValidationError

    from advisor.catalog.crossref import reference_problems
    from advisor.catalog.yaml_errors import shown, validation_problems, with_lines
    from advisor.files.strict import validate

    if not isinstance(data, dict):
        expected = ", ".join(CATALOG_KEYS) if root is Catalog else "sources and models"
        got = "an empty file" if data is None else shown(data)
        raise CatalogProblems([Problem(path, (), f"expected a mapping of {expected}, got {got}")])
    _check_schema_version(path, content, data)
    problems: list[Problem] = []
    result = None
    try:
        result = validate(root, data)
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
    from advisor.catalog.yaml_errors import with_lines

    version = data.get("schema_version")
    if type(version) is int and version > SCHEMA_VERSION:
        message = (
            f"written for catalog schema {version}; this advisor reads schema "
            f"{SCHEMA_VERSION} and older"
        )
        problem = Problem(path, ("schema_version",), message)
        located = with_lines([problem], content.decode("utf-8"))
        raise CatalogProblems(
            located,
            hint="upgrade advisor (git pull in its repository folder, "
            "then .venv/bin/pip install -e .)",
        )
