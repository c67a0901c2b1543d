"""The KV cache and recurrent state llama.cpp allocates, block by block.

Follows llama.cpp's llama-kv-cache.cpp, llama-kv-cache-iswa.cpp and llama-memory-recurrent.cpp:
- the context is padded to a multiple of 256 cells;
- each attention block keeps K and V rows of n_kv_heads x head_dim per cell, in the cache type
  (f16, q8_0, q4_0, ... with their block sizes);
- sliding-window blocks keep n_swa + n_ubatch cells, padded to 256 (llama-server's default
  swa_full = false), never more than the full cache;
- MLA blocks (DeepSeek-class) keep one row of kv_lora_rank + rope_dim per cell and no V;
- Gemma 3n/4 blocks after the KV-sharing point reuse an earlier block's cache;
- recurrent and linear-attention blocks keep a fixed f32 state (conv + SSM) per sequence.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.catalog.model import Architecture
from advisor.catalog.tensors.layer_pattern import (
    GDN_ARCHES,
    SHORTCONV_ARCHES,
    block_kinds,
    kv_shared_from,
)
from advisor.catalog.tensors.layout import arch_key
from advisor.catalog.tensors.model_dims import (
    DEFAULTS,
    gdn_dims,
    mamba2_dims,
    mla_of,
    shortconv_l_cache,
)
from advisor.catalog.tensors.quant_rules import TYPE_SIZES
from advisor.estimate.kv_types import kv_cache_type

KV_CELL_PAD = 256  # llama_context pads n_ctx (and the SWA cache) to 256 cells
F32_BYTES = 4


def kv_ggml_type(kv_type: str) -> str:
    """The ggml type of a KV cache type (advisor.estimate.kv_types); ValueError if unknown."""
    return kv_cache_type(kv_type).ggml_type


def row_bytes(ggml_type: str, n: int) -> float:
    """Bytes of n values of a ggml type (whole blocks when n is a block multiple)."""
    block, size = TYPE_SIZES[ggml_type]
    return n * size / block


def padded_context(context_tokens: int) -> int:
    return -(-max(context_tokens, 1) // KV_CELL_PAD) * KV_CELL_PAD


@dataclass(frozen=True)
class BlockCache:
    """What one block keeps per sequence: bytes per cell for attention, fixed bytes of state."""

    k_bytes_per_cell: float
    v_bytes_per_cell: float
    window: int | None  # sliding-window size; None for full attention
    state_bytes: int  # recurrent / linear-attention state (f32)

    @property
    def bytes_per_cell(self) -> float:
        return self.k_bytes_per_cell + self.v_bytes_per_cell


@dataclass(frozen=True)
class KvLayout:
    """Bytes llama.cpp allocates for the cache of each block at one context size."""

    n_cells: int  # the padded context
    swa_cells: int | None  # cells of each sliding-window block, when there are any
    kv_bytes: tuple[int, ...]  # attention cache per block (0: no cache of its own)
    state_bytes: tuple[int, ...]  # recurrent state per block

    @property
    def total_bytes(self) -> int:
        return sum(self.kv_bytes) + sum(self.state_bytes)

    def block_bytes(self, block: int) -> int:
        return self.kv_bytes[block] + self.state_bytes[block]


def _head_dims(arch: Architecture, kind: str) -> tuple[int, int]:
    """(head_dim, n_kv_heads) of an attention block of this kind."""
    head_dim = arch.head_dim or arch.hidden_size // arch.n_heads
    if kind == "full" and arch.global_head_dim:
        return arch.global_head_dim, arch.global_n_kv_heads or arch.n_kv_heads
    return head_dim, arch.n_kv_heads


def _recurrent_state(arch: Architecture) -> int:
    """f32 bytes of one recurrent block's state: conv history (r) plus SSM state (s)."""
    if arch.arch in GDN_ARCHES:
        g = gdn_dims(arch)
        conv = (g.d_conv - 1) * g.conv_channels
        return F32_BYTES * (conv + g.d_state * g.v_dim)
    if arch.arch in SHORTCONV_ARCHES:
        return F32_BYTES * arch.hidden_size * (shortconv_l_cache(arch) - 1)
    m = mamba2_dims(arch)  # Mamba2 and, as a conservative stand-in, any other recurrent block
    return F32_BYTES * ((m.d_conv - 1) * m.conv_channels + m.d_state * m.d_inner)


def _attention_block(arch: Architecture, kind: str, k_type: str, v_type: str, v_trans_max: int):
    if arch.mla is not None or arch.arch in ("deepseek2", "deepseek32"):
        mla = mla_of(arch)
        k_bytes = row_bytes(k_type, mla.kv_lora_rank + mla.rope_dim)
        if arch.arch == "deepseek32":  # the sparse-attention indexer keeps its own keys
            k_bytes += row_bytes(k_type, DEFAULTS["dsa_indexer_head_dim"])
        return BlockCache(k_bytes, 0.0, None, 0)
    head_dim, kv_heads = _head_dims(arch, kind)
    width = head_dim * kv_heads
    window = arch.sliding_window if kind == "swa" else None
    v_width = max(width, v_trans_max)
    return BlockCache(row_bytes(k_type, width), row_bytes(v_type, v_width), window, 0)


def _blocks(arch: Architecture, kv_type: str, flash_attn: bool) -> tuple[BlockCache, ...]:
    kinds = block_kinds(arch)
    ggml = kv_ggml_type(kv_type)
    shared_from = kv_shared_from(arch)
    # Without flash attention V is stored transposed, padded to the widest block's V.
    widths = [_head_dims(arch, k)[0] * _head_dims(arch, k)[1] for k in set(kinds)]
    v_trans_max = 0 if flash_attn else max(widths)
    # Each kind's block, made once: an architecture's blocks of a kind are alike (and frozen),
    # and making one per layer cost ~7 ms CPU over the catalog's 96 layouts (2026-12-07)
    made: dict[str, BlockCache] = {}
    blocks = []
    for i, kind in enumerate(kinds):
        # "none": no cache of its own
        made_as = "none" if kind == "ffn" or (kind != "recurrent" and i >= shared_from) else kind
        block = made.get(made_as)
        if block is None:
            block = made[made_as] = _block(arch, made_as, ggml, v_trans_max)
        blocks.append(block)
    return tuple(blocks)


def _block(arch: Architecture, kind: str, ggml: str, v_trans_max: int) -> BlockCache:
    if kind == "recurrent":
        return BlockCache(0.0, 0.0, None, _recurrent_state(arch))
    if kind == "none":
        return BlockCache(0.0, 0.0, None, 0)
    return _attention_block(arch, kind, ggml, ggml, v_trans_max)


_BLOCKS: dict[tuple, tuple[BlockCache, ...]] = {}


def block_caches(
    arch: Architecture, kv_type: str = "f16", *, flash_attn: bool = True
) -> tuple[BlockCache, ...]:
    """Per block: what its cache holds per cell, its window and its fixed state (cached)."""
    key = (arch_key(arch), kv_type.lower(), flash_attn)
    blocks = _BLOCKS.get(key)
    if blocks is None:
        blocks = _BLOCKS[key] = _blocks(arch, kv_type.lower(), flash_attn)
    return blocks


def swa_cells(window: int, n_cells: int, n_ubatch: int) -> int:
    """llama_kv_cache_iswa: n_swa + n_ubatch cells, padded to 256, at most the full cache."""
    return -(-min(n_cells, window + n_ubatch) // KV_CELL_PAD) * KV_CELL_PAD


def kv_layout(
    arch: Architecture,
    context_tokens: int,
    kv_type: str = "f16",
    *,
    flash_attn: bool = True,
    n_ubatch: int = 512,
) -> KvLayout:
    """The cache of every block for one sequence of `context_tokens`."""
    n_cells = padded_context(context_tokens)
    kv, state, swa = [], [], None
    for block in block_caches(arch, kv_type, flash_attn=flash_attn):
        cells = n_cells
        if block.window is not None:
            cells = swa = swa_cells(block.window, n_cells, n_ubatch)
        kv.append(int(round(block.bytes_per_cell * cells)))
        state.append(block.state_bytes)
    return KvLayout(n_cells, swa, tuple(kv), tuple(state))


def kv_bytes_per_token(arch: Architecture, kv_type: str = "f16") -> float:
    """Cache bytes one more token of context adds, over blocks without a window."""
    return sum(b.bytes_per_cell for b in block_caches(arch, kv_type) if b.window is None)
