"""A report document (JSON data) read into its typed values (advisor.report.view).

One small reader driven by the dataclasses' annotations: every field present with the type it
names, lists read as tuples, keys a dataclass lacks ignored (derived figures such as a
measurement's mean). A key missing or of the wrong type raises ReportError naming the file and
the key, e.g. `verdicts[0].cloud.notes: is required but missing`.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import sys
import types
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, Union

from advisor.errors import ReportError
from advisor.report.view import ReportView


def report_view(doc: Any, *, path: str | Path | None = None) -> ReportView:
    """The report as typed values; ReportError naming `path` and the key when it is not one."""
    return _Reader(path).value(ReportView, doc, "")


class _Later(Mapping[str, Any]):
    """Names the typed values import only when a report holds them: a report without team
    plans or measurements does not load advisor.team nor the bench (warm `advisor report`)."""

    WHERE = {"TeamView": "advisor.report.team_view", "Measurement": "advisor.bench.measurement"}

    def __getitem__(self, name: str) -> Any:
        if name not in self.WHERE:
            raise KeyError(name)
        return getattr(importlib.import_module(self.WHERE[name]), name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.WHERE)

    def __len__(self) -> int:
        return len(self.WHERE)


@functools.cache
def field_type(cls: type, name: str) -> Any:
    """The type a dataclass field names, its annotation evaluated in the class's module."""
    annotation = next(f.type for f in dataclasses.fields(cls) if f.name == name)
    return _evaluated(annotation, cls.__module__) if isinstance(annotation, str) else annotation


@functools.cache
def _evaluated(annotation: str, module: str) -> Any:
    return eval(annotation, vars(sys.modules[module]), _Later())  # noqa: S307


@functools.cache
def _fields(cls: type) -> tuple[tuple[str, bool, bool], ...]:
    """(name, required, a tuple) for each field a dataclass is built with."""
    missing = dataclasses.MISSING
    return tuple(
        (f.name, f.default is missing and f.default_factory is missing,
         isinstance(f.type, str) and f.type.startswith("tuple["))
        for f in dataclasses.fields(cls)
        if f.init
    )  # fmt: skip


@functools.cache
def _shape(tp: Any) -> tuple[str, Any]:
    """How a value of type `tp` is read: (the _Reader method, what it needs)."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return "anything", None
    if origin in (Union, types.UnionType):
        return "union", (type(None) in args, tuple(t for t in args if t is not type(None)))
    if origin is Literal:
        return "literal", args
    if origin is list or (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
        return "items", args[0]
    if origin is tuple:
        return "fixed", args
    if origin in (dict, Mapping):
        return "mapping", args[1]
    if dataclasses.is_dataclass(tp):
        return "record", tp
    if tp in _KINDS:
        return "scalar", tp
    raise TypeError(f"advisor.report.view_read cannot read {tp!r}")


_KINDS = {bool: "true or false", int: "a whole number", float: "a number", str: "text"}


class _Reader:
    def __init__(self, path: str | Path | None) -> None:
        self.path = path

    def fail(self, key: str, message: str) -> ReportError:
        return ReportError(message, path=self.path, key=key or None)

    def value(self, tp: Any, data: Any, key: str) -> Any:
        how, needs = _shape(tp)
        return getattr(self, how)(needs, data, key)

    def anything(self, _: None, data: Any, key: str) -> Any:
        return data

    def literal(self, options: tuple[Any, ...], data: Any, key: str) -> Any:
        if data not in options:
            raise self.fail(key, f"must be one of {', '.join(map(repr, options))}, got {data!r}")
        return data

    def union(self, needs: tuple[bool, tuple[Any, ...]], data: Any, key: str) -> Any:
        optional, kinds = needs
        if data is None and optional:
            return None
        for kind in kinds[:-1]:
            try:
                return self.value(kind, data, key)
            except ReportError:
                continue
        return self.value(kinds[-1], data, key)

    def items(self, tp: Any, data: Any, key: str) -> tuple[Any, ...]:
        if not isinstance(data, (list, tuple)):
            raise self.fail(key, "must be a list")
        return tuple(self.value(tp, item, f"{key}[{i}]") for i, item in enumerate(data))

    def fixed(self, types_: tuple[Any, ...], data: Any, key: str) -> tuple[Any, ...]:
        if not isinstance(data, (list, tuple)):
            raise self.fail(key, "must be a list")
        if len(types_) != len(data):
            raise self.fail(key, f"must hold {len(types_)} items, has {len(data)}")
        return tuple(
            self.value(t, item, f"{key}[{i}]")
            for i, (t, item) in enumerate(zip(types_, data, strict=True))
        )

    def mapping(self, tp: Any, data: Any, key: str) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            raise self.fail(key, "must be an object")
        return {str(k): self.value(tp, v, f"{key}.{k}") for k, v in data.items()}

    def record(self, cls: Any, data: Any, key: str) -> Any:
        if not isinstance(data, Mapping):
            raise self.fail(key, "must be an object")
        values = {}
        for name, required, a_tuple in _fields(cls):
            if name in data:
                raw = data[name]
                if a_tuple and raw == []:  # read without evaluating the type of its items
                    values[name] = ()
                else:
                    where = f"{key}.{name}" if key else name
                    values[name] = self.value(field_type(cls, name), raw, where)
            elif required:
                raise self.fail(f"{key}.{name}" if key else name, "is required but missing")
        return cls(**values)

    def scalar(self, tp: type, data: Any, key: str) -> Any:
        ok = isinstance(data, (int, float)) if tp is float else isinstance(data, tp)
        if not ok or (tp is not bool and isinstance(data, bool)):
            raise self.fail(key, f"must be {_KINDS[tp]}, got {type(data).__name__}")
        return data
