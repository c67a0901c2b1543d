"""The one reader of the YAML and JSON documents people give advisor, with limits a hostile file
cannot get past.

Catalogs, overlays, profiles, workloads, the config file and probe dumps all come through here.
Before anything is built from the text, one pass over the parser's events (libyaml's, which
keeps its own stack and never recurses) refuses what would make a small file expensive or
unreadable:

- aliases (`*name`): a 1 KB file of nested aliases expands to billions of values (the "billion
  laughs"); advisor's files never need them, so they are refused rather than capped;
- nesting deeper than MAX_DEPTH: real files nest 5 levels; 100,000 `[` overflow Python's stack;
- integers longer than MAX_INT_DIGITS: Python refuses to parse more than 4,300 digits, and no
  count, size or price advisor reads has more than 20;
- NaN and infinity (`.nan`, `.inf`, `1.0e999`, JSON's NaN/Infinity): no figure can be either,
  and either would make the JSON advisor writes invalid;
- a key given twice in one mapping: YAML and JSON both keep only the last, silently.

Errors name the line (YAML) and the key path, so callers can turn them into their own error
type (CatalogError, ProfileError, ...) naming the file. PyYAML is imported on first use.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advisor.files.yamlpos import KeyPath, key_path

MAX_DEPTH = 64
MAX_INT_DIGITS = 100
_INT_DIGITS = re.compile(r"[0-9a-fA-F]")
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_NOT_FINITE = (".inf", "+.inf", "-.inf", ".nan")


@dataclass(frozen=True)
class Trouble:
    """One thing a document may not contain: where it is and what is wrong."""

    message: str
    line: int | None = None  # 1-based; None where the parser gives none (JSON duplicates)
    loc: tuple[str | int, ...] = ()

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        key = f"{key_path(self.loc)}: " if self.loc else ""
        return f"{where}{key}{self.message}"


class DocumentError(ValueError):
    """The document breaks a limit; `troubles` lists every problem found (at least one)."""

    def __init__(self, troubles: list[Trouble]) -> None:
        self.troubles = tuple(troubles)
        first = self.troubles[0]
        super().__init__(first.message)
        self.message = first.message
        self.line = first.line
        self.loc = first.loc


class SyntaxProblem(DocumentError):
    """The text is not YAML (or JSON) at all; `problem` is the parser's own words."""

    def __init__(self, trouble: Trouble, problem: str) -> None:
        super().__init__([trouble])
        self.problem = problem


def parse(text: str, *, as_json: bool = False, duplicates: bool = False) -> Any:
    """The document in `text` as plain data; raises DocumentError (SyntaxProblem for syntax).

    `duplicates=True` lets keys given twice through (the last one wins), for a caller that
    lists them itself among other problems (`advisor catalog validate`).
    """
    if as_json:
        return _parse_json(text, duplicates)
    return _parse_yaml(text, duplicates)


def is_json(path: Path) -> bool:
    return path.suffix.lower() == ".json"


# -- YAML ---------------------------------------------------------------------------------------


@dataclass
class _Frame:
    loc: tuple[str | int, ...]
    mapping: bool
    keys: dict[str, int] = field(default_factory=dict)  # key -> its line
    at_key: bool = True
    key: str | int | None = None
    index: int = -1


def _parse_yaml(text: str, allow_duplicates: bool) -> Any:
    import yaml

    from advisor.files.yamlpos import error_line, yaml_loader

    try:
        troubles = _scan_events(yaml.parse(text, Loader=yaml_loader()))
        if troubles and not allow_duplicates:
            raise DocumentError(troubles)
        return yaml.load(text, Loader=yaml_loader())
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
        raise SyntaxProblem(Trouble(message, error_line(exc)), problem) from None


def _scan_events(events: Any) -> list[Trouble]:
    """Duplicate keys found by walking the events; the first fatal problem is raised at once."""
    import yaml

    stack: list[_Frame] = []
    duplicates: list[Trouble] = []
    for event in events:
        if isinstance(event, yaml.CollectionEndEvent):
            stack.pop()
            continue
        if not isinstance(event, yaml.NodeEvent):
            continue
        line = event.start_mark.line + 1
        loc = _place(stack, event, line, duplicates)
        if isinstance(event, yaml.AliasEvent):
            raise DocumentError([Trouble(_ALIAS.format(event.anchor), line, loc)])
        if isinstance(event, yaml.ScalarEvent):
            _check_scalar(event, line, loc)
        elif isinstance(event, yaml.CollectionStartEvent):
            if len(stack) >= MAX_DEPTH:
                message = f"nested more than {MAX_DEPTH} levels deep; advisor's files need a few"
                raise DocumentError([Trouble(message, line, loc)])
            stack.append(_Frame(loc, isinstance(event, yaml.MappingStartEvent)))
    return duplicates


_ALIAS = (
    "uses the alias *{}: advisor does not read YAML anchors and aliases (a few nested ones "
    "expand to billions of values); write the value out in full"
)


def _place(stack: list[_Frame], event: Any, line: int, duplicates: list[Trouble]) -> KeyPath:
    """Where the node this event starts sits, recording a mapping key (and any duplicate)."""
    import yaml

    if not stack:
        return ()
    top = stack[-1]
    if not top.mapping:
        top.index += 1
        return (*top.loc, top.index)
    if not top.at_key:
        top.at_key = True
        return (*top.loc, top.key) if top.key is not None else top.loc
    top.at_key = False
    top.key = None
    if isinstance(event, yaml.ScalarEvent):
        top.key = event.value
        first = top.keys.get(event.value)
        if first is None:
            top.keys[event.value] = line
        else:
            message = f"key given twice (first on line {first}); YAML would keep only this one"
            duplicates.append(Trouble(message, line, (*top.loc, event.value)))
    return top.loc


def _check_scalar(event: Any, line: int, loc: KeyPath) -> None:
    tag = _scalar_tag(event)
    value = event.value
    if tag == _INT_TAG:
        digits = len(_INT_DIGITS.findall(value))
        if digits > MAX_INT_DIGITS:
            message = f"an integer of {digits} digits; advisor reads at most {MAX_INT_DIGITS}"
            raise DocumentError([Trouble(message, line, loc)])
    elif tag == _FLOAT_TAG and not _finite_yaml_float(value):
        message = f"{value[:40]} is not a finite number (NaN and infinity are not figures)"
        raise DocumentError([Trouble(message, line, loc)])


def _scalar_tag(event: Any) -> str | None:
    import yaml

    if event.tag not in (None, "!"):
        return event.tag
    plain = event.implicit[0] if isinstance(event.implicit, tuple) else event.implicit
    if not plain:
        return None
    return _resolver().resolve(yaml.ScalarNode, event.value, (True, False))


@functools.cache
def _resolver() -> Any:
    import yaml

    return yaml.resolver.Resolver()


def _finite_yaml_float(value: str) -> bool:
    text = value.lower().replace("_", "")
    if text in _NOT_FINITE:
        return False
    try:
        return math.isfinite(float(text))
    except ValueError:
        return True  # sexagesimal (1:30.5): finite, PyYAML builds it


# -- JSON ---------------------------------------------------------------------------------------


def _parse_json(text: str, allow_duplicates: bool) -> Any:
    duplicates: list[Trouble] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                message = f"key {key!r} given twice in one object; JSON would keep only the last"
                duplicates.append(Trouble(message))
            result[key] = value
        return result

    try:
        data = json.loads(
            text,
            object_pairs_hook=pairs,
            parse_constant=_json_constant,
            parse_int=_json_int,
            parse_float=_json_float,
        )
    except json.JSONDecodeError as exc:
        trouble = Trouble(f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno)
        raise SyntaxProblem(trouble, exc.msg) from None
    except RecursionError:
        raise DocumentError([Trouble(_TOO_DEEP)]) from None
    _check_depth(data)
    if duplicates and not allow_duplicates:
        raise DocumentError(duplicates)
    return data


_TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep; advisor's files need a few"


def _json_constant(name: str) -> Any:
    raise DocumentError(
        [Trouble(f"{name} is not a finite number (NaN and infinity are not figures)")]
    )


def _json_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        message = f"an integer of {digits} digits; advisor reads at most {MAX_INT_DIGITS}"
        raise DocumentError([Trouble(message)])
    return int(text)


def _json_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        message = f"{text[:40]} is not a finite number (it overflows a double)"
        raise DocumentError([Trouble(message)])
    return value


def _check_depth(data: Any) -> None:
    pending: list[tuple[Any, int]] = [(data, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                raise DocumentError([Trouble(_TOO_DEEP)])
            items = value.values() if isinstance(value, dict) else value
            pending.extend((item, depth + 1) for item in items)


# -- files --------------------------------------------------------------------------------------


def read_text(path: Path, fail: Callable[[str], Exception], *, what: str) -> str:
    """The UTF-8 text of `path` (a regular file, at most MAX_DOCUMENT_BYTES); `fail(message)`
    builds the caller's error."""
    from advisor.files.regular import read_regular

    try:
        return read_regular(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(f"the {what} is not UTF-8 text (invalid byte at offset {exc.start})") from None
    except OSError as exc:
        raise fail(f"cannot read the {what}: {exc.strerror or exc}") from None
