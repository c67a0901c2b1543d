"""Build the shipped catalog from its compiled form without pydantic, when that form is trusted.

The shipped models.compiled.json is written by our own build step (scripts/catalog/build.py),
which validates the document with the full schema first and records `validated_by`: a seal,
the SHA-256 of the source of the modules that define and check that schema (VALIDATORS) and of
the document's JSON bytes. While the installed sources and the document still give that seal,
the document is known to pass, and the loader builds the frozen dataclasses straight from it
without pydantic (CPU time measured 2026-12-07 on the project's shared 2-core machine: ~26 ms,
against ~30 ms to validate it once pydantic is loaded, or ~120 ms when the catalog is what
first needs pydantic: its import and the schema). Any other seal (an edited schema, an old or
hand-edited compiled file, an installation without sources) and the document is validated in
full as always, with every problem reported by file, line and key.

`build` does for a valid document exactly what pydantic's lax validation does: nested
dataclasses from mappings, tuples from lists, a float from an int; anything else it does not
know raises Untrusted, and the caller validates in full (tests compare both on the shipped
catalog, down to the exact type of every value).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import types
import typing
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

T = TypeVar("T")

# The modules whose source decides whether a catalog document is valid and what it becomes.
VALIDATORS = (
    "advisor.catalog.model",
    "advisor.catalog.fields",
    "advisor.catalog.cloud_offers",
    "advisor.catalog.crossref",
    "advisor.catalog.loader",
    "advisor.catalog.trusted",
    "advisor.files.strict",
    "advisor.frozen",
)
PACKAGE = Path(__file__).resolve().parent.parent  # the advisor package


class Untrusted(Exception):
    """The document holds something `build` does not convert as pydantic would."""


@functools.cache
def validator_stamp(modules: tuple[str, ...] = VALIDATORS) -> str | None:
    """SHA-256 of the source bytes of `modules` (advisor modules; the catalog's VALIDATORS by
    default); None where a source cannot be read."""
    digest = hashlib.sha256()
    for name in modules:
        path = PACKAGE.joinpath(*name.split(".")[1:]).with_suffix(".py")
        try:
            source = path.read_bytes()
        except OSError:
            return None
        digest.update(f"{name}:{len(source)}:".encode())
        digest.update(source)
    return digest.hexdigest()


def seal(document: bytes, modules: tuple[str, ...] = VALIDATORS) -> str | None:
    """What the build step records on a compiled `document` (JSON bytes) it validated with the
    schema in `modules`: None where their source cannot be read (then nothing is trusted)."""
    stamp = validator_stamp(modules)
    if stamp is None:
        return None
    return hashlib.sha256(f"{stamp}:".encode() + hashlib.sha256(document).digest()).hexdigest()


def build(cls: type[T], data: Any) -> T:
    """`data` (a document that passed validation as `cls`) as `cls`; raises Untrusted."""
    if not isinstance(data, dict):
        raise Untrusted(f"{cls.__name__}: expected a mapping")
    hints = _hints(typing.cast(Any, cls))
    try:
        kwargs = {name: _convert(hints[name], value) for name, value in data.items()}
        return cls(**kwargs)
    except (KeyError, TypeError, ValueError) as exc:
        raise Untrusted(f"{cls.__name__}: {exc}") from None


@functools.cache
def _hints(cls: Any) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls, include_extras=True)
    return {name: hint for name, hint in hints.items() if name in names}


def _convert(hint: Any, value: Any) -> Any:
    origin = get_origin(hint)
    if origin is Annotated:
        return _convert(get_args(hint)[0], value)
    if origin is Union or origin is types.UnionType:
        options = [a for a in get_args(hint) if a is not type(None)]
        if value is None:
            return None
        if len(options) != 1:
            raise Untrusted(f"a union of {options}")
        return _convert(options[0], value)
    if origin is tuple:
        args = get_args(hint)
        if not isinstance(value, list) or len(args) != 2 or args[1] is not Ellipsis:
            raise Untrusted(f"{value!r} as {hint}")
        return tuple(_convert(args[0], item) for item in value)
    if origin is dict:
        key, item = get_args(hint)
        if not isinstance(value, dict) or not (key is str or get_origin(key) is Literal):
            raise Untrusted(f"{value!r} as {hint}")
        return {_convert(key, k): _convert(item, v) for k, v in value.items()}
    if origin is Literal:
        return value
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return build(hint, value)
    return _plain(hint, value)


def _plain(hint: Any, value: Any) -> Any:
    if hint is float and type(value) in (int, float):
        return float(value)
    if hint in (str, int, bool) and type(value) is hint:
        return value
    raise Untrusted(f"{value!r} as {hint}")
