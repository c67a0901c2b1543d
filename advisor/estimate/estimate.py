"""The Estimate: one model × quant × context on one machine."""

from __future__ import annotations

from dataclasses import dataclass

from advisor.estimate.memory import MemoryBreakdown
from advisor.estimate.placement import MemoryMode, Placement
from advisor.estimate.speed.figures import Speed


@dataclass(frozen=True)
class Estimate:
    """One file at one context on one machine: its memory, placement, longest context and speed."""

    model_id: str
    quant: str
    context_tokens: int
    kv_type: str
    mode: MemoryMode
    backend: str
    memory: MemoryBreakdown
    placement: Placement
    fits: bool
    max_context_tokens: int | None  # the longest context that fits with this placement
    speed: Speed | None  # None when it does not fit anywhere
    reasons: tuple[str, ...] = ()  # why it fits or not, in words a person can check
    flash_attn: bool = True  # the estimate assumes llama.cpp runs with flash attention
