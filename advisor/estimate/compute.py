"""llama.cpp's compute (scratch) buffers: the peak of the worst-case graph, per device.

llama_context reserves the prompt graph for one ubatch of T = min(n_ctx, n_ubatch) tokens with
an output row per token, and ggml-alloc reuses memory as tensors die, so the buffer is the
largest set of f32 activations alive at once. That peak is one of a few stages:
- output: logits (T x n_vocab) plus the final hidden states;
- attention, alive with the KQ mask (n_cells x T, f16 with flash attention, f32 without): Q/K/V,
  the normed input and residuals, and without flash attention the full KQ matrix
  (n_cells x T x n_heads, f32), which is what makes long contexts expensive without it;
- FFN: gate, up and the activated product (3 x n_ff per token), or for MoE the selected
  experts' rows plus the router logits.
The coefficients (4 residual-width vectors per stage, 3 FFN-width vectors) were read off
measured buffers: scripts/memory/record.py loads real architectures in llama.cpp, and
tests/estimate/data/llama_cpp_memory.csv holds the results benchmarks/memory_accuracy.py checks.

On a GPU the same graph runs, so a fully offloaded model needs the same buffer on the GPU; the
CPU keeps a small host buffer for the inputs (token embeddings are looked up on the CPU). With
a partial offload, llama.cpp also runs the big matrix products of CPU-resident layers on the GPU
(op_offload), copying one layer's weights at a time into the GPU's buffer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from advisor.catalog.model import Architecture
from advisor.catalog.tensors.layer_pattern import GDN_ARCHES, MAMBA_ARCHES, block_kinds
from advisor.catalog.tensors.model_dims import DEFAULTS, gdn_dims, mamba2_dims, mla_head_dim, mla_of
from advisor.estimate.settings import RunSettings
from advisor.frozen import cached_hash

F32 = 4
RESIDUAL_VECTORS = 4  # normed input, residual, attention output, sum: alive around each stage
FFN_VECTORS = 3  # gate, up and their activated product
OUTPUT_HIDDEN_VECTORS = 2  # the final normed hidden states and the residual they come from
# Chunked scans of recurrent layers, in f32 values per token per unit of width: fitted on
# one measured architecture each (Qwen3-Next: gated delta net, value width 4096; Nemotron 3
# Nano: Mamba2, inner width 5376) and consistent with the others measured, where the logits
# stage stays larger (Qwen3.5 9B/35B, Granite 4.0-H Tiny).
GDN_VALUES_PER_VALUE_WIDTH = 38.6
MAMBA2_VALUES_PER_INNER_WIDTH = 25.9


@dataclass(frozen=True)
class ComputeModel:
    """The stage peaks of one model at one context, and how they land on devices."""

    output_bytes: int  # logits and final hidden states
    attention_bytes: int  # the largest attention stage, mask included
    ffn_bytes: int  # the largest FFN/MoE stage, mask included
    host_bytes: int  # the CPU-side input buffer when layers run on a GPU

    @property
    def single_device_bytes(self) -> int:
        return max(self.output_bytes, self.attention_bytes, self.ffn_bytes)


def _mask_bytes(n_cells: int, tokens: int, flash_attn: bool) -> int:
    return n_cells * tokens * (2 if flash_attn else F32)


def _attention_width(arch: Architecture, kind: str) -> tuple[int, int]:
    """(per-token f32 values alive besides KQ, heads whose KQ rows exist without FA)."""
    e = arch.hidden_size
    if arch.arch in ("deepseek2", "deepseek32"):
        mla = mla_of(arch)
        per_head = 2 * mla.kv_lora_rank + 2 * mla.rope_dim + 2 * mla_head_dim(arch)
        return RESIDUAL_VECTORS * e + arch.n_heads * per_head, arch.n_heads
    head_dim = arch.head_dim or e // arch.n_heads
    kv_heads = arch.n_kv_heads
    if kind == "full" and arch.global_head_dim:
        head_dim = arch.global_head_dim
        kv_heads = arch.global_n_kv_heads or kv_heads
    width = RESIDUAL_VECTORS * e + arch.n_heads * head_dim + 2 * kv_heads * head_dim
    return width, arch.n_heads


def _ffn_width(arch: Architecture) -> int:
    e = arch.hidden_size
    dense = FFN_VECTORS * (arch.intermediate_size or 0)
    moe = arch.moe
    if moe is None:
        return RESIDUAL_VECTORS * e + dense
    expert = moe.expert_intermediate_size or (arch.intermediate_size or 4 * e) // moe.n_experts_used
    routed = FFN_VECTORS * moe.n_experts_used * expert + moe.n_experts
    return RESIDUAL_VECTORS * e + max(dense, routed)


@cached_hash
@dataclass(frozen=True)
class ComputeShape:
    """The per-token widths of each stage: what a context length multiplies."""

    output_width: int  # n_vocab + final hidden states
    attention: tuple[tuple[int, int, bool], ...]  # (width, heads for KQ, sliding?) per kind
    ffn_width: int
    recurrent_width: int  # the scan of a recurrent block, alive with the attention mask
    hidden: int
    has_full: bool
    has_swa: bool

    def at(self, n_cells: int, swa_cells: int | None, settings: RunSettings) -> ComputeModel:
        tokens = settings.tokens_per_ubatch(n_cells)
        fa = settings.flash_attn
        masks = _mask_bytes(n_cells, tokens, fa) if self.has_full else 0
        if self.has_swa and swa_cells:
            masks += _mask_bytes(swa_cells, tokens, fa)
        attention = 0
        for width, heads, sliding in self.attention:
            cells = swa_cells if sliding and swa_cells else n_cells
            kq = 0 if fa else F32 * cells * tokens * heads
            attention = max(attention, kq + F32 * tokens * width)
        return ComputeModel(
            output_bytes=F32 * tokens * self.output_width,
            attention_bytes=masks + attention,
            ffn_bytes=masks + F32 * tokens * max(self.ffn_width, self.recurrent_width),
            host_bytes=F32 * tokens * self.hidden + masks,
        )


def _recurrent_width(arch: Architecture) -> int:
    if "recurrent" not in block_kinds(arch):
        return 0
    if arch.arch in GDN_ARCHES:
        return int(GDN_VALUES_PER_VALUE_WIDTH * gdn_dims(arch).v_dim)
    if arch.arch in MAMBA_ARCHES:
        return int(MAMBA2_VALUES_PER_INNER_WIDTH * mamba2_dims(arch).d_inner)
    return 0  # LFM2's short convolutions keep nothing larger than the FFN


# One per architecture: a first report plans ~650 files of ~110 architectures (~9 ms CPU
# for the repeats, 2026-12-07); equal architectures share it.
@lru_cache(maxsize=4096)
def compute_shape(arch: Architecture) -> ComputeShape:
    kinds = set(block_kinds(arch)) - {"recurrent", "ffn"}
    vocab = arch.vocab_size or DEFAULTS["vocab_size"]
    attention = tuple((*_attention_width(arch, k), k == "swa") for k in sorted(kinds))
    return ComputeShape(
        output_width=vocab + OUTPUT_HIDDEN_VECTORS * arch.hidden_size,
        attention=attention,
        ffn_width=_ffn_width(arch),
        recurrent_width=_recurrent_width(arch),
        hidden=arch.hidden_size,
        has_full="full" in kinds,
        has_swa="swa" in kinds,
    )


def compute_model(
    arch: Architecture, n_cells: int, settings: RunSettings, swa_cells: int | None
) -> ComputeModel:
    """Stage peaks for a context of `n_cells` (padded) cells."""
    return compute_shape(arch).at(n_cells, swa_cells, settings)
