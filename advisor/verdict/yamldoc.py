"""Reading a small YAML file so that errors can name the line of the key at fault."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml
from pydantic import ValidationError

from advisor.errors import InputError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_mapping(path: Path, error: type[InputError], *, what: str) -> dict:
    """The top-level mapping of a YAML (or JSON) file; `error` names the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise error(f"no such {what} file", path=path) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"could not read the {what} file: {exc}", path=path) from exc
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(f"not valid YAML: {problem}", path=path, line=line) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise error(f"expected a mapping of keys to values, got {type(data).__name__}", path=path)
    return data


def line_of(path: Path, loc: Sequence[str | int]) -> int | None:
    """The 1-based line where the value at `loc` (keys and list indexes) sits, if it exists.

    Only called on the error path, so re-reading and composing the file costs nothing normally.
    A key that is missing resolves to its parent's line.
    """
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        child = _child(node, part)
        if child is None:
            break
        node, line = child
    return line


def _child(node: yaml.Node | None, part: str | int) -> tuple[yaml.Node, int] | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == str(part):
                return value, key.start_mark.line + 1
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        item = node.value[part]
        return item, item.start_mark.line + 1
    return None


def dotted(loc: Sequence[str | int]) -> str:
    """A pydantic error location as a key path: `prices.electricity_usd_per_kwh`, `x[2]`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class KeyProblem(ValueError):
    """A cross-field problem that knows which key to blame, so the error can give its line.

    `loc` is relative to the object whose validator raises it.
    """

    def __init__(self, loc: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


_UNEXPECTED = ("unexpected_keyword_argument", "extra_forbidden")


def validation_error(
    error: type[InputError], path: Path, exc: ValidationError, *, what: str
) -> InputError:
    """The first pydantic error as `error`, naming the file, the line and the key.

    A misspelt key comes first: it is usually why a required key reads as missing.
    """
    errors = sorted(exc.errors(), key=lambda e: e["type"] not in _UNEXPECTED)
    first = errors[0]
    loc = tuple(part for part in first["loc"] if part != "__root__")
    cause = first.get("ctx", {}).get("error")
    if isinstance(cause, KeyProblem):  # its loc is relative to the object that raised it
        loc = loc + cause.loc
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "missing":
        message = "is required but missing"
    elif first["type"] in _UNEXPECTED:
        message = f"is not a {what} key (check the spelling; see docs/report.md)"
    more = len(errors) - 1
    return error(
        message,
        path=path,
        line=line_of(path, loc) if loc else None,
        key=dotted(loc) or None,
        hint=f"and {more} more problem(s) in this file" if more else None,
    )
