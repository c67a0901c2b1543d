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
    if not isinstance(annotation, str):
        return annotation
    return eval(annotation, vars(sys.modules[cls.__module__]), _Later())  # noqa: S307


def _empty_tuple(field: dataclasses.Field, data: Any) -> bool:
    """An empty list for a tuple field: read without evaluating the type of its items."""
    return data == [] and isinstance(field.type, str) and field.type.startswith("tuple[")


_KINDS = {bool: "true or false", int: "a whole number", float: "a number", str: "text"}


class _Reader:
    def __init__(self, path: str | Path | None) -> None:
        self.path = path

    def fail(self, key: str, message: str) -> ReportError:
        return ReportError(message, path=self.path, key=key or None)

    def value(self, tp: Any, data: Any, key: str) -> Any:
        origin = typing.get_origin(tp)
        if tp is Any:
            return data
        if origin in (Union, types.UnionType):
            return self.union(typing.get_args(tp), data, key)
        if origin is Literal:
            if data not in typing.get_args(tp):
                options = ", ".join(repr(a) for a in typing.get_args(tp))
                raise self.fail(key, f"must be one of {options}, got {data!r}")
            return data
        if origin in (tuple, list):
            return self.sequence(tp, data, key)
        if origin in (dict, Mapping):
            return self.mapping(typing.get_args(tp)[1], data, key)
        if dataclasses.is_dataclass(tp):
            return self.record(tp, data, key)
        return self.scalar(tp, data, key)

    def union(self, options: tuple[Any, ...], data: Any, key: str) -> Any:
        if data is None and type(None) in options:
            return None
        kinds = [t for t in options if t is not type(None)]
        for kind in kinds[:-1]:
            try:
                return self.value(kind, data, key)
            except ReportError:
                continue
        return self.value(kinds[-1], data, key)

    def sequence(self, tp: Any, data: Any, key: str) -> tuple[Any, ...]:
        if not isinstance(data, (list, tuple)):
            raise self.fail(key, "must be a list")
        args = typing.get_args(tp)
        if (len(args) == 2 and args[1] is Ellipsis) or typing.get_origin(tp) is list:
            args = (args[0],) * len(data)
        elif len(args) != len(data):
            raise self.fail(key, f"must hold {len(args)} items, has {len(data)}")
        return tuple(
            self.value(t, item, f"{key}[{i}]")
            for i, (t, item) in enumerate(zip(args, data, strict=True))
        )

    def mapping(self, tp: Any, data: Any, key: str) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            raise self.fail(key, "must be an object")
        return {str(k): self.value(tp, v, f"{key}.{k}") for k, v in data.items()}

    def record(self, cls: Any, data: Any, key: str) -> Any:
        if not isinstance(data, Mapping):
            raise self.fail(key, "must be an object")
        values = {}
        for field in dataclasses.fields(cls):
            if not field.init:
                continue
            where = f"{key}.{field.name}" if key else field.name
            if field.name in data:
                raw = data[field.name]
                empty = _empty_tuple(field, raw)
                values[field.name] = (
                    () if empty else self.value(field_type(cls, field.name), raw, where)
                )
            elif (
                field.default is dataclasses.MISSING
                and field.default_factory is dataclasses.MISSING
            ):
                raise self.fail(where, "is required but missing")
        return cls(**values)

    def scalar(self, tp: Any, data: Any, key: str) -> Any:
        if tp not in _KINDS:
            raise TypeError(f"advisor.report.view_read cannot read {tp!r} (at {key})")
        ok = isinstance(data, (int, float)) if tp is float else isinstance(data, tp)
        if not ok or (tp is not bool and isinstance(data, bool)):
            raise self.fail(key, f"must be {_KINDS[tp]}, got {type(data).__name__}")
        return data
