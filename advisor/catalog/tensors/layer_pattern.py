"""Which kind each block of a model is: full attention, sliding window, recurrent, or FFN only.

The catalog gives counts (n_full_attention_layers, n_linear_attention_layers), not positions;
positions follow the rule each llama.cpp architecture uses: Gemma and gpt-oss put a global layer
at the end of every period, Qwen3-Next/3.5 every 4th layer, hybrids spread their attention
layers evenly. Positions only matter for which layers -ngl puts on the GPU, never for totals.
"""

from __future__ import annotations

from typing import Literal

from advisor.catalog.model import Architecture

BlockKind = Literal["full", "swa", "recurrent", "ffn"]

# The architecture families, by the recurrent block they use: the one owner of these lists.
GDN_ARCHES = frozenset({"qwen3next", "qwen35", "qwen35moe"})  # gated delta net
SHORTCONV_ARCHES = frozenset({"lfm2", "lfm2moe"})  # LFM2's short convolutions
# Nemotron-H: every block is one of mamba2 / attention / FFN (MLP or MoE).
NEMOTRON_ARCHES = frozenset({"nemotron_h", "nemotron_h_moe"})
MAMBA_ARCHES = NEMOTRON_ARCHES | {"granitehybrid"}  # mamba2 blocks
# Architectures whose blocks are attention-or-recurrent and each carry an FFN.
HYBRID_ARCHES = GDN_ARCHES | SHORTCONV_ARCHES | {"granitehybrid"}
# Sliding-window architectures whose global layer closes each period.
SWA_ARCHES = frozenset({"gemma2", "gemma3", "gemma3n", "gemma4", "gpt-oss", "llama4"})


def spread(count: int, total: int) -> frozenset[int]:
    """`count` positions spread evenly over `total`, the last one at the end."""
    if count <= 0:
        return frozenset()
    return frozenset(round((j + 1) * total / count) - 1 for j in range(count))


def _swa_kinds(arch: Architecture) -> tuple[BlockKind, ...]:
    n, full = arch.n_layers, arch.n_full_attention_layers
    if arch.sliding_window is None or full is None or full >= n:
        return _all_full(n)
    period = max(1, n // max(full, 1))
    return tuple("full" if (i + 1) % period == 0 else "swa" for i in range(n))


def _hybrid_kinds(arch: Architecture) -> tuple[BlockKind, ...]:
    n = arch.n_layers
    n_recurrent = arch.n_linear_attention_layers
    attention = spread(n - n_recurrent, n)
    return tuple("full" if i in attention else "recurrent" for i in range(n))


def _nemotron_kinds(arch: Architecture) -> tuple[BlockKind, ...]:
    n = arch.n_layers
    n_attn = arch.n_full_attention_layers or 0
    n_mamba = arch.n_linear_attention_layers
    attention = spread(n_attn, n)
    rest = [i for i in range(n) if i not in attention]
    mamba = {rest[k] for k in spread(n_mamba, len(rest))}
    return tuple(
        "full" if i in attention else "recurrent" if i in mamba else "ffn" for i in range(n)
    )


def block_kinds(arch: Architecture) -> tuple[BlockKind, ...]:
    """One kind per block, in order."""
    if arch.arch in NEMOTRON_ARCHES:
        return _nemotron_kinds(arch)
    if arch.arch in HYBRID_ARCHES and arch.n_linear_attention_layers:
        return _hybrid_kinds(arch)
    if arch.arch in SWA_ARCHES:
        return _swa_kinds(arch)
    return _all_full(arch.n_layers)


def _all_full(n: int) -> tuple[BlockKind, ...]:
    full: BlockKind = "full"
    return (full,) * n


def kv_shared_from(arch: Architecture) -> int:
    """First block that reuses an earlier block's KV cache (Gemma 3n/4); n_layers if none."""
    return arch.n_layers - arch.n_kv_shared_layers
