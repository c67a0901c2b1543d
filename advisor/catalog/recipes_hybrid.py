"""Tensor recipes of MLA and hybrid architectures: DeepSeek, Qwen3-Next/3.5, Nemotron-H, ...

Shapes follow `load_arch_tensors` in llama.cpp's src/models/<arch>.cpp (ggml order: the row
length first); block widths come from advisor.catalog.model_dims.
"""

from __future__ import annotations

from advisor.catalog.layer_pattern import block_kinds
from advisor.catalog.model_dims import (
    DEFAULTS,
    gdn_dims,
    mamba2_dims,
    mla_head_dim,
    mla_of,
    shortconv_l_cache,
)
from advisor.catalog.tensor_builder import Builder


def _mla_attention(b: Builder, il: int) -> None:
    d, mla = b.d, mla_of(b.d.arch)
    nope = mla_head_dim(d.arch)
    heads = d.arch.n_heads
    if mla.q_lora_rank:
        b.add("attn_q_a_norm.weight", (mla.q_lora_rank,), il)
        b.add("attn_q_a.weight", (d.embd, mla.q_lora_rank), il)
        b.add("attn_q_b.weight", (mla.q_lora_rank, heads * (nope + mla.rope_dim)), il)
    else:
        b.add("attn_q.weight", (d.embd, heads * (nope + mla.rope_dim)), il)
    b.add("attn_kv_a_norm.weight", (mla.kv_lora_rank,), il)
    b.add("attn_kv_a_mqa.weight", (d.embd, mla.kv_lora_rank + mla.rope_dim), il)
    b.add("attn_k_b.weight", (nope, mla.kv_lora_rank, heads), il)
    b.add("attn_v_b.weight", (mla.kv_lora_rank, nope, heads), il)
    b.add("attn_output.weight", (heads * nope, d.embd), il)


def deepseek2(b: Builder, *, indexer: bool = False) -> None:
    d, moe = b.d, b.d.arch.moe
    b.embeddings()
    if not d.arch.head_dim:
        d.assumptions.append("MLA head dims 128 (DeepSeek-V3 qk_nope_head_dim, v_head_dim)")
    if d.arch.mla is None:
        d.assumptions.append("MLA ranks of DeepSeek-V3: kv_lora_rank 512, rope 64, q_lora 1536")
    for il in range(d.arch.n_layers):
        b.norms(il, "attn_norm", "ffn_norm")
        _mla_attention(b, il)
        if indexer:
            _dsa_indexer(b, il)
        if moe is None or il < moe.first_k_dense_layers:
            b.dense_ffn(il, d.n_ff)
        else:
            b.experts(il, probs_bias=True, shared=True)


def _dsa_indexer(b: Builder, il: int) -> None:
    d = b.d
    heads, hd = DEFAULTS["dsa_indexer_heads"], DEFAULTS["dsa_indexer_head_dim"]
    q_rank = mla_of(d.arch).q_lora_rank or d.embd
    b.add("indexer.k_norm.weight", (hd,), il)
    b.add("indexer.k_norm.bias", (hd,), il)
    b.add("indexer.proj.weight", (d.embd, heads), il, f32=True)
    b.add("indexer.attn_k.weight", (d.embd, hd), il)
    b.add("indexer.attn_q_b.weight", (q_rank, heads * hd), il)


def _gated_delta_net(b: Builder, il: int, *, fused_ba: bool) -> None:
    d, g = b.d, gdn_dims(b.d.arch)
    b.add("attn_qkv.weight", (d.embd, g.conv_channels), il)
    b.add("attn_gate.weight", (d.embd, g.v_dim), il)
    b.add("ssm_conv1d.weight", (g.d_conv, g.conv_channels), il, f32=True)
    b.add("ssm_dt.bias", (g.v_heads,), il)
    b.add("ssm_a", (g.v_heads,), il)
    if fused_ba:
        b.add("ssm_ba.weight", (d.embd, 2 * g.v_heads), il)
    else:
        b.add("ssm_beta.weight", (d.embd, g.v_heads), il)
        b.add("ssm_alpha.weight", (d.embd, g.v_heads), il)
    b.add("ssm_norm.weight", (g.head_dim,), il)
    b.add("ssm_out.weight", (g.v_dim, d.embd), il)


def qwen_hybrid(b: Builder) -> None:
    d, arch = b.d, b.d.arch
    if arch.recurrent is None:
        d.assumptions.append("gated delta net: 16 key heads of 128, 2 value heads per head")
    b.embeddings()
    kinds = block_kinds(arch)
    for il in range(arch.n_layers):
        b.norms(il, "attn_norm", "post_attention_norm")
        if kinds[il] == "recurrent":
            _gated_delta_net(b, il, fused_ba=arch.arch == "qwen3next")
        else:
            b.attention(il, q_mult=2, qk_norm=True)
        if arch.moe:
            b.experts(il, shared=True, shared_gate=True)
        else:
            b.dense_ffn(il, d.n_ff)


def _mamba2(b: Builder, il: int) -> None:
    d, m = b.d, mamba2_dims(b.d.arch)
    b.add("ssm_in.weight", (d.embd, 2 * m.d_inner + 2 * m.n_groups * m.d_state + m.n_heads), il)
    b.add("ssm_conv1d.weight", (m.d_conv, m.conv_channels), il, f32=True)
    b.add("ssm_conv1d.bias", (m.conv_channels,), il)
    b.add("ssm_dt.bias", (m.n_heads,), il)
    b.add("ssm_a", (1, m.n_heads), il)
    b.add("ssm_d", (1, m.n_heads), il)
    b.add("ssm_norm.weight", (m.d_inner // m.n_groups, m.n_groups), il, f32=True)
    b.add("ssm_out.weight", (m.d_inner, d.embd), il)


def nemotron_h(b: Builder) -> None:
    d, arch = b.d, b.d.arch
    if arch.recurrent is None:
        d.assumptions.append("mamba2 d_inner = 2 x hidden, 8 groups, d_state 128")
    b.embeddings()
    for il, kind in enumerate(block_kinds(arch)):
        b.norms(il, "attn_norm")
        if kind == "recurrent":
            _mamba2(b, il)
        elif kind == "full":
            b.attention(il)
        elif arch.moe:
            b.experts(il, gate=False, probs_bias=True, shared=True)
        else:
            b.dense_ffn(il, d.n_ff, gate=False)


def granite_hybrid(b: Builder) -> None:
    d, arch = b.d, b.d.arch
    if arch.recurrent is None and arch.n_linear_attention_layers:
        d.assumptions.append("mamba2 d_inner = 2 x hidden, 8 groups, d_state 128")
    b.embeddings()
    for il, kind in enumerate(block_kinds(arch)):
        b.norms(il, "attn_norm", "ffn_norm")
        if kind == "recurrent":
            _mamba2(b, il)
        else:
            b.attention(il)
        if arch.moe:
            b.experts(
                il,
                shared=arch.moe.n_shared_experts > 0
                or bool(arch.moe.shared_expert_intermediate_size),
            )
        else:
            b.dense_ffn(il, d.n_ff)


def lfm2(b: Builder) -> None:
    d, arch = b.d, b.d.arch
    l_cache = shortconv_l_cache(arch)
    b.add("token_embd.weight", (d.embd, d.vocab))
    b.add("token_embd_norm.weight", (d.embd,))
    if not arch.tie_word_embeddings:
        b.add("output.weight", (d.embd, d.vocab))
    for il, kind in enumerate(block_kinds(arch)):
        b.norms(il, "attn_norm", "ffn_norm")
        if kind == "recurrent":
            b.add("shortconv.conv.weight", (l_cache, d.embd), il, f32=True)
            b.add("shortconv.in_proj.weight", (d.embd, 3 * d.embd), il)
            b.add("shortconv.out_proj.weight", (d.embd, d.embd), il)
        else:
            b.attention(il, qk_norm=True)
        if arch.moe and il >= arch.moe.first_k_dense_layers:
            b.experts(il, probs_bias=True)
        else:
            b.dense_ffn(il, d.n_ff)
