"""Comparing what a sealed compiled file builds with what full validation builds: every part's
exact type spelled out, so 1 and 1.0, a tuple and a list, or a reordered mapping differ."""

from __future__ import annotations

import dataclasses
from typing import Any


def typed(value: Any) -> Any:
    """`value` with the exact type of every part spelled out (1 and 1.0 differ), in order."""
    if dataclasses.is_dataclass(value):
        fields = [(f.name, typed(getattr(value, f.name))) for f in dataclasses.fields(value)]
        return type(value).__name__, fields
    if isinstance(value, (tuple, list)):
        return type(value).__name__, [typed(v) for v in value]
    if isinstance(value, dict):  # in order: a workload's justifications are shown in file order
        return type(value).__name__, [(typed(k), typed(v)) for k, v in value.items()]
    return type(value).__name__, value
