"""The field types of the catalog's values: the tasks and quant types it knows, and the checked
ranges every date, size, count and price in `models.yaml` must fall in (advisor.files.strict).

Wide enough for any model or price there is, narrow enough that a typo (0 heads, -4096 wide,
1e9 layers, NaN) stops at the file instead of crashing, or hanging, an estimate later.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from advisor.files.strict import Check, between

Task = Literal["chat", "coding", "reasoning", "vision", "tools"]
TASKS: tuple[str, ...] = ("chat", "coding", "reasoning", "vision", "tools")

# GGUF file types the catalog may list (llama.cpp `llama_ftype` names).
QUANT_TYPES: tuple[str, ...] = (
    "IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ2_M", "IQ3_XXS", "IQ3_XS", "IQ3_S",
    "IQ3_M", "IQ4_XS", "IQ4_NL", "Q2_K", "Q2_K_S", "Q3_K_S", "Q3_K_M", "Q3_K_L", "Q4_0",
    "Q4_1", "Q4_K_S", "Q4_K_M", "Q5_0", "Q5_1", "Q5_K_S", "Q5_K_M", "Q6_K", "Q8_0", "MXFP4",
    "F16", "BF16", "F32",
)  # fmt: skip

_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


def _check_date(value: str | None) -> str | None:
    if value is not None and not _DATE.match(value):
        raise ValueError("expected a date as YYYY-MM or YYYY-MM-DD")
    return value


def _known_quant_type(value: str) -> str:
    if value not in QUANT_TYPES:
        raise ValueError(f"unknown quant type {value!r}; expected one of {QUANT_TYPES}")
    return value


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError("expected a lowercase slug: a-z, 0-9, '.', '_' and '-'")
    return value


_DATE_CHECK = Check(_check_date)
Date = Annotated[str, _DATE_CHECK]
OptionalDate = Annotated[str | None, _DATE_CHECK]
QuantType = Annotated[str, Check(_known_quant_type)]
Slug = Annotated[str, Check(_slug)]  # a catalog id

# The ranges every number in models.yaml must fall in (see above).
_WIDTH = between(1, 1 << 20)  # hidden, intermediate, head and latent sizes
Params = Annotated[float, between(0, 1e5, above=True)]  # billions of parameters
Layers = Annotated[int, between(1, 1024)]  # llama.cpp's LLAMA_MAX_LAYERS is 512
SomeLayers = Annotated[int, between(0, 1024)]
OptionalSomeLayers = Annotated[int | None, between(0, 1024)]
Width = Annotated[int, _WIDTH]
OptionalWidth = Annotated[int | None, _WIDTH]
Heads = Annotated[int, between(1, 1 << 16)]
OptionalHeads = Annotated[int | None, between(1, 1 << 16)]
OptionalSmall = Annotated[int | None, between(1, 1 << 16)]  # state, conv, group counts
Experts = Annotated[int, between(1, 1 << 16)]
SomeExperts = Annotated[int, between(0, 1 << 16)]
Tokens = Annotated[int, between(1, 1 << 27)]  # context lengths, windows, vocabularies
OptionalTokens = Annotated[int | None, between(1, 1 << 27)]
Index = Annotated[float, between(0, 100)]  # Artificial Analysis indexes
OptionalIndex = Annotated[float | None, between(0, 100)]
Bytes = Annotated[int, between(1, 1 << 50)]  # a file size: 1 PiB is no GGUF anyone ships
Usd = Annotated[float, between(0, 1e6)]  # a monthly or per-million-token price
OptionalUsd = Annotated[float | None, between(0, 1e6)]
PerDay = Annotated[float, between(0, 1e9, above=True)]
OptionalPerDay = Annotated[float | None, between(0, 1e9, above=True)]
Seats = Annotated[int, between(1, 1_000_000)]
Share = Annotated[float, between(0, 1)]
OptionalShare = Annotated[float | None, between(0, 2)]
Positive = Annotated[float | None, between(0, 1e6, above=True)]
OptionalCount = Annotated[float | None, between(0, 1e9, above=True)]  # a published limit
