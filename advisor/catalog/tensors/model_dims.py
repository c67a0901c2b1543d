"""Sizes of MLA, linear-attention and recurrent blocks, with released-model defaults for gaps.

models.yaml carries the optional `mla` and `recurrent` blocks; where a field is missing, the
value of the released checkpoints of that family is used (listed in DEFAULTS, and reported as
an assumption by whoever uses it). Both the tensor recipes and the KV/state estimate read these,
so a weight size and a state size never disagree about a block's width.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.catalog.model import Architecture, Mla

DEFAULTS = {
    "vocab_size": 128_000,  # when unknown: typical of 2024+ tokenizers
    "gdn_key_heads": 16,  # Qwen3-Next / Qwen3.5 linear_num_key_heads (every size)
    "gdn_head_dim": 128,  # linear_key_head_dim = linear_value_head_dim
    "gdn_value_heads_per_attention_head": 2,  # linear_num_value_heads = 2 x n_heads
    "conv_kernel": 4,  # mamba2 / gated-delta-net conv width
    "shortconv_l_cache": 3,  # LFM2
    "mamba_head_dim": 64,
    "mamba_d_state": 128,
    "mamba_groups": 8,  # Nemotron-H; Granite-H uses 1 (8 is the larger, conservative)
    "mla_nope_head_dim": 128,  # DeepSeek-V3 / Kimi K2 qk_nope_head_dim and v_head_dim
    "per_layer_embd": 256,  # Gemma 3n / Gemma 4 E-models hidden_size_per_layer_input
    "altup": 4,  # Gemma 3n altup_num_inputs
    "laurel_rank": 64,  # Gemma 3n laurel_rank
    "dsa_indexer_heads": 64,  # DeepSeek V3.2 index_n_heads
    "dsa_indexer_head_dim": 128,
}

_DEEPSEEK_V3_MLA = Mla(kv_lora_rank=512, rope_dim=64, q_lora_rank=1536)


def mla_of(arch: Architecture) -> Mla:
    """The MLA ranks, DeepSeek-V3's where the catalog has none for an MLA architecture."""
    return arch.mla or _DEEPSEEK_V3_MLA


def mla_head_dim(arch: Architecture) -> int:
    """qk_nope_head_dim (= v_head_dim in DeepSeek-V3-class models)."""
    return arch.head_dim or DEFAULTS["mla_nope_head_dim"]


@dataclass(frozen=True)
class GdnDims:
    """A gated delta net layer (Qwen3-Next, Qwen3.5/3.6)."""

    k_heads: int
    v_heads: int
    head_dim: int  # key and value head dim
    d_state: int  # key head dim as llama.cpp's ssm.state_size
    d_conv: int

    @property
    def k_dim(self) -> int:
        return self.d_state * self.k_heads

    @property
    def v_dim(self) -> int:
        return self.head_dim * self.v_heads

    @property
    def conv_channels(self) -> int:
        return 2 * self.k_dim + self.v_dim


def gdn_dims(arch: Architecture) -> GdnDims:
    rec = arch.recurrent
    head_dim = (rec and rec.head_dim) or DEFAULTS["gdn_head_dim"]
    v_heads = (rec and rec.n_heads) or (
        DEFAULTS["gdn_value_heads_per_attention_head"] * arch.n_heads
    )
    return GdnDims(
        k_heads=(rec and rec.n_groups) or DEFAULTS["gdn_key_heads"],
        v_heads=v_heads,
        head_dim=head_dim,
        d_state=(rec and rec.d_state) or head_dim,
        d_conv=(rec and rec.d_conv) or DEFAULTS["conv_kernel"],
    )


@dataclass(frozen=True)
class Mamba2Dims:
    d_inner: int
    n_heads: int
    n_groups: int
    d_state: int
    d_conv: int

    @property
    def conv_channels(self) -> int:
        return self.d_inner + 2 * self.n_groups * self.d_state


def mamba2_dims(arch: Architecture) -> Mamba2Dims:
    rec = arch.recurrent
    d_inner = (rec and rec.d_inner) or 2 * arch.hidden_size
    head_dim = (rec and rec.head_dim) or DEFAULTS["mamba_head_dim"]
    return Mamba2Dims(
        d_inner=d_inner,
        n_heads=(rec and rec.n_heads) or d_inner // head_dim,
        n_groups=(rec and rec.n_groups) or DEFAULTS["mamba_groups"],
        d_state=(rec and rec.d_state) or DEFAULTS["mamba_d_state"],
        d_conv=(rec and rec.d_conv) or DEFAULTS["conv_kernel"],
    )


def shortconv_l_cache(arch: Architecture) -> int:
    """LFM2's short convolution width (L_cache)."""
    return (arch.recurrent and arch.recurrent.d_conv) or DEFAULTS["shortconv_l_cache"]
