"""Reading a small YAML file (a workload, the config) so errors name the line of the key at
fault; the line lookups themselves are advisor.files.yamlpos's, shared with the catalog."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from advisor.errors import InputError
from advisor.files.strict import KeyProblem, shown
from advisor.files.yamlpos import key_path, line_in_file

if TYPE_CHECKING:
    from pydantic import ValidationError


def read_mapping(path: Path, error: type[InputError], *, what: str) -> dict:
    """The top-level mapping of a YAML (or JSON) file, read through advisor.files.docload's limits;
    `error` names the file and line."""
    from advisor.files.docload import DocumentError, SyntaxProblem, is_json, parse, read_text

    if not path.exists():
        raise error(f"no such {what} file", path=path)
    text = read_text(path, lambda message: error(message, path=path), what=f"{what} file")
    try:
        data = parse(text, as_json=is_json(path))
    except SyntaxProblem as exc:
        syntax = "JSON" if is_json(path) else "YAML"
        raise error(f"not valid {syntax}: {exc.problem}", path=path, line=exc.line) from None
    except DocumentError as exc:
        more = len(exc.troubles) - 1
        hint = f"and {more} more problem(s) in this file" if more else None
        key = key_path(exc.loc) or None
        raise error(exc.message, path=path, line=exc.line, key=key, hint=hint) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise error(f"expected a mapping of keys to values, got {type(data).__name__}", path=path)
    return data


__all__ = ["KeyProblem", "read_mapping", "validation_error"]

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
    value = first.get("input")
    if first["type"] == "value_error" and type(value) in (int, float) and "got " not in message:
        message += f", got {shown(value)}"  # a range check (advisor.files.strict.between) says what
    if first["type"] == "missing":
        message = "is required but missing"
    elif first["type"] in _UNEXPECTED:
        message = f"is not a {what} key (check the spelling; see docs/report.md)"
    more = len(errors) - 1
    return error(
        message,
        path=path,
        line=line_in_file(path, loc) if loc else None,
        key=key_path(loc) or None,
        hint=f"and {more} more problem(s) in this file" if more else None,
    )
