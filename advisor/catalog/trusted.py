"""Build the shipped catalog from its compiled form without pydantic, when that form is trusted.

The shipped models.compiled.json is written by our own build step (scripts/catalog/build.py),
which validates the document with the full schema first and records `validated_by`: a seal,
the SHA-256 of the source of the modules that define and check that schema (VALIDATORS) and of
the document's JSON bytes. While the installed sources and the document still give that seal,
the document is known to pass, and the loader builds the frozen dataclasses straight from it
without pydantic (CPU time measured 2026-12-07 on the project's shared 2-core machine: ~12 ms
with each field's converter worked out once per type hint, ~30-35 ms when every value looked
its hint up again, against ~30 ms to validate it once pydantic is loaded, or ~120 ms when the
catalog is what first needs pydantic: its import and the schema). Any other seal (an edited
schema, an old or hand-edited compiled file, an installation without sources) and the document
is validated in full as always, with every problem reported by file, line and key.

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
from collections.abc import Callable
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
    converters = _converters(typing.cast(Any, cls))
    try:
        return cls(**{name: converters[name](value) for name, value in data.items()})
    except (KeyError, TypeError, ValueError) as exc:
        raise Untrusted(f"{cls.__name__}: {exc}") from None


Convert = Callable[[Any], Any]


@functools.cache
def _converters(cls: Any) -> dict[str, Convert]:
    """One converter per field of dataclass `cls`, worked out once from its type hints (a
    catalog has ~25,000 values and a few dozen distinct hints)."""
    names = {f.name for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls, include_extras=True)
    return {name: _converter(hint) for name, hint in hints.items() if name in names}


@functools.cache
def _converter(hint: Any) -> Convert:
    origin = get_origin(hint)
    if origin is Annotated:
        return _converter(get_args(hint)[0])
    if origin is Union or origin is types.UnionType:
        return _optional(hint)
    if origin is tuple:
        return _tuple_of(hint)
    if origin is dict:
        return _dict_of(hint)
    if origin is Literal:
        return _same
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return functools.partial(build, hint)
    return _plain(hint)


def _refuse(hint: Any) -> Convert:
    def refuse(value: Any) -> Any:
        raise Untrusted(f"{value!r} as {hint}")

    return refuse


def _same(value: Any) -> Any:
    return value


def _optional(hint: Any) -> Convert:
    options = [a for a in get_args(hint) if a is not type(None)]
    inner = _converter(options[0]) if len(options) == 1 else _refuse(f"a union of {options}")

    def optional(value: Any) -> Any:
        return None if value is None else inner(value)

    return optional


def _tuple_of(hint: Any) -> Convert:
    args = get_args(hint)
    if len(args) != 2 or args[1] is not Ellipsis:
        return _refuse(hint)
    item = _converter(args[0])

    def tuple_of(value: Any) -> Any:
        if not isinstance(value, list):
            raise Untrusted(f"{value!r} as {hint}")
        return tuple([item(v) for v in value])

    return tuple_of


def _dict_of(hint: Any) -> Convert:
    key, item = get_args(hint)
    if not (key is str or get_origin(key) is Literal):
        return _refuse(hint)
    convert_key, convert_item = _converter(key), _converter(item)

    def dict_of(value: Any) -> Any:
        if not isinstance(value, dict):
            raise Untrusted(f"{value!r} as {hint}")
        return {convert_key(k): convert_item(v) for k, v in value.items()}

    return dict_of


def _plain(hint: Any) -> Convert:
    if hint is float:

        def number(value: Any) -> Any:
            if type(value) not in (int, float):
                raise Untrusted(f"{value!r} as {hint}")
            return float(value)

        return number
    if hint in (str, int, bool):

        def exact(value: Any) -> Any:
            if type(value) is not hint:
                raise Untrusted(f"{value!r} as {hint}")
            return value

        return exact
    return _refuse(hint)
