"""What would make local work where a verdict runs nothing here: the cheapest change.

advise() looks for it on cloud and not-viable verdicts (advisor.remedies): a
model or quant already here needs no purchase, so hardware is tried, cheapest known price
first, each change judged by the same checks on the changed machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RemedyKind = Literal["ram", "vram", "gpu", "none"]


@dataclass(frozen=True)
class Remedy:
    """The cheapest change found that lets a local option pass every check."""

    __pydantic_config__ = {"extra": "forbid"}  # read back from a report: no other keys

    kind: RemedyKind  # "none": no change this advisor knows of would do it
    change: str | None  # "RTX 3090 (24 GB)", "+32 GB RAM"
    price_usd: float | None  # None: unknown
    price_source: str | None
    option: str | None  # the model and quant that would then pass every check
    text: str
