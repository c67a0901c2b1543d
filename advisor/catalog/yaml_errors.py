"""Turn YAML and pydantic errors into Problems with a line, a key and what was expected.

Line numbers come from `yaml.compose` (node marks), which costs as much as parsing again, so
it only runs once something is already wrong.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import json
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from advisor.catalog.problems import Loc, Problem
from advisor.files.yamlpos import compose, error_line, line_in

_EXPECTED = {
    "int_type": "expected an integer",
    "int_parsing": "expected an integer",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "string_type": "expected a string",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "dataclass_type": "expected a mapping",
    "dataclass_exact_type": "expected a mapping",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "tuple_type": "expected a list",
    "list_type": "expected a list",
    "iterable_type": "expected a list",
}
_UNKNOWN_KEY = ("unexpected_keyword_argument", "extra_forbidden")


def syntax_problem(path: Path, exc: yaml.YAMLError) -> Problem:
    """A YAML syntax error, at the line the parser stopped."""
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    return Problem(path, (), message, line=error_line(exc))


def validation_problems(path: Path, exc: ValidationError, root: type) -> list[Problem]:
    """One Problem per pydantic error, keyed by its location under `root`."""
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        problems.append(Problem(path, loc, _describe(error, _class_at(root, loc[:-1]))))
    return problems


def with_lines(problems: Sequence[Problem], text: str) -> list[Problem]:
    """Fill in each problem's line from the YAML text (problems that have one keep it)."""
    try:
        root = compose(text)
    except yaml.YAMLError:
        return list(problems)
    return [p if p.line is not None else p.at_line(line_in(root, p.loc)) for p in problems]


def duplicate_key_problems(path: Path, text: str) -> list[Problem]:
    """Keys given twice in one mapping: YAML keeps the last silently, so we point them out."""
    try:
        root = compose(text)
    except yaml.YAMLError as exc:
        return [syntax_problem(path, exc)]
    problems: list[Problem] = []
    _walk_duplicates(path, root, (), problems)
    return problems


def _walk_duplicates(path: Path, node: Any, loc: Loc, problems: list[Problem]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            name = str(key.value)
            line = key.start_mark.line + 1
            if name in seen:
                message = f"key given twice (first on line {seen[name]}); YAML keeps only this one"
                problems.append(Problem(path, (*loc, name), message, line=line))
            seen.setdefault(name, line)
            _walk_duplicates(path, value, (*loc, name), problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk_duplicates(path, item, (*loc, index), problems)


def _describe(error: Mapping[str, Any], owner: type | None) -> str:
    kind, value = error["type"], error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "required key is missing"
    if kind in _UNKNOWN_KEY:
        return "unknown key" + _suggest(str(error["loc"][-1]), _field_names(owner))
    if kind == "literal_error":
        return f"expected one of {ctx.get('expected')}, got {shown(value)}"
    if kind in ("value_error", "assertion_error"):
        message = str(ctx.get("error", error["msg"]))
        return message if isinstance(value, dict | list) else f"{message}, got {shown(value)}"
    if kind == "string_type" and isinstance(value, datetime.date):
        return f'expected a string, got an unquoted date; write it in quotes: "{value}"'
    expected = _EXPECTED.get(kind) or error["msg"].replace("Input should be", "expected")
    return f"{expected}, got {shown(value)}"


def shown(value: Any) -> str:
    """A short rendering of a YAML value for an error message."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = json.dumps(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _suggest(name: str, allowed: Sequence[str]) -> str:
    if not allowed:
        return ""
    close = difflib.get_close_matches(name, allowed, n=1)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f"; expected one of: {', '.join(allowed)}"


def _field_names(owner: type | None) -> list[str]:
    if owner is None or not dataclasses.is_dataclass(owner):
        return []
    return [f.name for f in dataclasses.fields(owner)]


def _class_at(root: type, loc: Iterable[str | int]) -> type | None:
    """The dataclass that holds the last key of `loc` (for 'did you mean' suggestions)."""
    current: Any = root
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int) or typing.get_origin(current) is dict:
            current = _item_type(current)
        elif dataclasses.is_dataclass(current):
            current = typing.get_type_hints(current).get(part)
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and dataclasses.is_dataclass(current) else None


def _unwrap(tp: Any) -> Any:
    """X | None -> X."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0] if len(args) == 1 else None
    return tp


def _item_type(tp: Any) -> Any:
    """tuple[X, ...] -> X; dict[str, X] -> X."""
    args = typing.get_args(tp)
    origin = typing.get_origin(tp)
    if origin is tuple and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    return None
