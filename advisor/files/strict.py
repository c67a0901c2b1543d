"""Strict validation of plain frozen dataclasses, with pydantic imported only to validate input.

The classes that travel between stages and sit in the user cache (the catalog's, workloads, the
config) are standard-library dataclasses: importing, building and unpickling them costs no
pydantic. They carry what pydantic needs to validate a file against them as strictly as a
pydantic dataclass would:

- `__pydantic_config__ = FORBID` (a plain dict, read by pydantic): unknown keys are errors;
- `Annotated[T, Check(fn)]` on a field: `fn(value)` runs once the value has its type, returns
  it, or raises ValueError saying what was expected; pydantic reports it at the field's key;
- `__get_pydantic_core_schema__ = checked_after(fn)` in a class body: a check across the
  fields, run once they are all valid and reported at the object's key.

Building an object does not validate it: input from a file or a person goes through
`validate(cls, data)`, which raises pydantic.ValidationError listing every problem.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

FORBID = {"extra": "forbid"}


class Check:
    """A field check for `Annotated[T, Check(fn)]`; `fn` returns the value or raises ValueError."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_after_validator_function(self.fn, handler(source))

    def __repr__(self) -> str:
        return f"Check({self.fn.__name__})"


def between(low: float, high: float, *, above: bool = False) -> Check:
    """A field check: a finite number from `low` (exclusive with `above`) to `high` inclusive.

    None passes (an optional field's unknown). Every number advisor reads from a file has such
    a range, so 0 heads, -4096 wide, 1e9 layers, NaN or a negative price stop at the file.
    """

    def in_range(value: Any) -> Any:
        if value is None:
            return value
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("expected a finite number")
        if value < low or (above and value == low):
            raise ValueError(
                f"must be more than {shown(low)}" if above else f"must be {shown(low)} or more"
            )
        if value > high:
            raise ValueError(f"must be at most {shown(high)}")
        return value

    in_range.__name__ = f"between_{low:g}_{high:g}"
    return Check(in_range)


class KeyProblem(ValueError):
    """A problem a check knows which key to blame for, so the error can name it (and its line).

    `loc` is relative to the object whose validator raises it.
    """

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


def shown(value: float) -> str:
    """A number for an error message: 12,345 or 1.5e+308; an integer too long to print whole
    (Python refuses past 4,300 digits) says how long it is."""
    if isinstance(value, int) and abs(value) >= 10**18:
        return f"an integer of {value.bit_length() * 30103 // 100000 + 1} digits"
    if isinstance(value, float) and not (value.is_integer() and abs(value) < 1e15):
        return f"{value:g}"
    return f"{int(value):,}"


def bounded(
    value: float, key: str | int, low: float, high: float, *, low_open: bool = False
) -> None:
    """KeyProblem at `key` unless `value` is a finite number from `low` (or above it, when
    `low_open`) up to `high`: figures past these bounds are typos or attacks, and would
    overflow or poison the arithmetic downstream."""
    if math.isfinite(value) and (low < value if low_open else low <= value) and value <= high:
        return
    floor = f"more than {shown(low)}" if low_open else f"at least {shown(low)}"
    raise KeyProblem((key,), f"must be {floor} and at most {shown(high)}, got {shown(value)}")


def checked_after(check: Callable[[Any], Any]) -> classmethod:
    """A class's `__get_pydantic_core_schema__` that runs `check(obj)` after its fields validate.

    `check` returns the object or raises ValueError; pydantic reports the error at the object's
    location, as a `model_validator(mode="after")` would.
    """

    def schema(cls: type, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_after_validator_function(check, handler(source))

    return classmethod(schema)


def validate(cls: type[T], data: Any) -> T:
    """`data` (parsed YAML or JSON) validated as `cls`; raises pydantic.ValidationError."""
    return adapter(cls).validate_python(data)


@functools.cache
def adapter(cls: type[T]) -> Any:
    """The pydantic TypeAdapter of `cls`, built once per process on first use."""
    from pydantic import TypeAdapter

    return TypeAdapter(cls)
