"""Tensor recipes of MLA and hybrid architectures: DeepSeek, Qwen3-Next/3.5, Nemotron-H, ...

Shapes follow `load_arch_tensors` in llama.cpp's src/models/<arch>.cpp (ggml order: the row
length first); block widths come from advisor.catalog.tensors.model_dims. Each recipe describes one
block per kind.
"""

from __future__ import annotations

from advisor.catalog.tensors.builder import Block, Builder
from advisor.catalog.tensors.layer_pattern import block_kinds
from advisor.catalog.tensors.model_dims import (
    DEFAULTS,
    gdn_dims,
    mamba2_dims,
    mla_head_dim,
    mla_of,
    shortconv_l_cache,
)


def _mla_attention(t: Block) -> None:
    d, mla = t.d, mla_of(t.d.arch)
    nope = mla_head_dim(d.arch)
    heads = d.arch.n_heads
    if mla.q_lora_rank:
        t.add("attn_q_a_norm.weight", (mla.q_lora_rank,))
        t.add("attn_q_a.weight", (d.embd, mla.q_lora_rank))
        t.add("attn_q_b.weight", (mla.q_lora_rank, heads * (nope + mla.rope_dim)))
    else:
        t.add("attn_q.weight", (d.embd, heads * (nope + mla.rope_dim)))
    t.add("attn_kv_a_norm.weight", (mla.kv_lora_rank,))
    t.add("attn_kv_a_mqa.weight", (d.embd, mla.kv_lora_rank + mla.rope_dim))
    t.add("attn_k_b.weight", (nope, mla.kv_lora_rank, heads))
    t.add("attn_v_b.weight", (mla.kv_lora_rank, nope, heads))
    t.add("attn_output.weight", (heads * nope, d.embd))


def deepseek2(b: Builder, *, indexer: bool = False) -> None:
    d, moe = b.d, b.d.arch.moe

    def block(t: Block, dense: bool) -> None:
        t.norms("attn_norm", "ffn_norm")
        _mla_attention(t)
        if indexer:
            _dsa_indexer(t)
        if dense:
            t.dense_ffn(d.ffn)
        else:
            t.experts(probs_bias=True, shared=True)

    b.embeddings()
    if not d.arch.head_dim:
        d.assumptions.append("MLA head dims 128 (DeepSeek-V3 qk_nope_head_dim, v_head_dim)")
    if d.arch.mla is None:
        d.assumptions.append("MLA ranks of DeepSeek-V3: kv_lora_rank 512, rope 64, q_lora 1536")
    b.blocks([moe is None or il < moe.first_k_dense_layers for il in range(d.arch.n_layers)],
             block)  # fmt: skip


def _dsa_indexer(t: Block) -> None:
    d = t.d
    heads, hd = DEFAULTS["dsa_indexer_heads"], DEFAULTS["dsa_indexer_head_dim"]
    q_rank = mla_of(d.arch).q_lora_rank or d.embd
    t.add("indexer.k_norm.weight", (hd,))
    t.add("indexer.k_norm.bias", (hd,))
    t.add("indexer.proj.weight", (d.embd, heads), f32=True)
    t.add("indexer.attn_k.weight", (d.embd, hd))
    t.add("indexer.attn_q_b.weight", (q_rank, heads * hd))


def _gated_delta_net(t: Block, *, fused_ba: bool) -> None:
    d, g = t.d, gdn_dims(t.d.arch)
    t.add("attn_qkv.weight", (d.embd, g.conv_channels))
    t.add("attn_gate.weight", (d.embd, g.v_dim))
    t.add("ssm_conv1d.weight", (g.d_conv, g.conv_channels), f32=True)
    t.add("ssm_dt.bias", (g.v_heads,))
    t.add("ssm_a", (g.v_heads,))
    if fused_ba:
        t.add("ssm_ba.weight", (d.embd, 2 * g.v_heads))
    else:
        t.add("ssm_beta.weight", (d.embd, g.v_heads))
        t.add("ssm_alpha.weight", (d.embd, g.v_heads))
    t.add("ssm_norm.weight", (g.head_dim,))
    t.add("ssm_out.weight", (g.v_dim, d.embd))


def qwen_hybrid(b: Builder) -> None:
    d, arch = b.d, b.d.arch
    if arch.recurrent is None:
        d.assumptions.append("gated delta net: 16 key heads of 128, 2 value heads per head")

    def block(t: Block, kind: str) -> None:
        t.norms("attn_norm", "post_attention_norm")
        if kind == "recurrent":
            _gated_delta_net(t, fused_ba=arch.arch == "qwen3next")
        else:
            t.attention(q_mult=2, qk_norm=True)
        if arch.moe:
            t.experts(shared=True, shared_gate=True)
        else:
            t.dense_ffn(d.ffn)

    b.embeddings()
    b.blocks(block_kinds(arch), block)


def _mamba2(t: Block) -> None:
    d, m = t.d, mamba2_dims(t.d.arch)
    t.add("ssm_in.weight", (d.embd, 2 * m.d_inner + 2 * m.n_groups * m.d_state + m.n_heads))
    t.add("ssm_conv1d.weight", (m.d_conv, m.conv_channels), f32=True)
    t.add("ssm_conv1d.bias", (m.conv_channels,))
    t.add("ssm_dt.bias", (m.n_heads,))
    t.add("ssm_a", (1, m.n_heads))
    t.add("ssm_d", (1, m.n_heads))
    t.add("ssm_norm.weight", (m.d_inner // m.n_groups, m.n_groups), f32=True)
    t.add("ssm_out.weight", (m.d_inner, d.embd))


def nemotron_h(b: Builder) -> None:
    d, arch = b.d, b.d.arch
    if arch.recurrent is None:
        d.assumptions.append("mamba2 d_inner = 2 x hidden, 8 groups, d_state 128")

    def block(t: Block, kind: str) -> None:
        t.norms("attn_norm")
        if kind == "recurrent":
            _mamba2(t)
        elif kind == "full":
            t.attention()
        elif arch.moe:
            t.experts(gate=False, probs_bias=True, shared=True)
        else:
            t.dense_ffn(d.ffn, gate=False)

    b.embeddings()
    b.blocks(block_kinds(arch), block)


def granite_hybrid(b: Builder) -> None:
    d, arch = b.d, b.d.arch
    if arch.recurrent is None and arch.n_linear_attention_layers:
        d.assumptions.append("mamba2 d_inner = 2 x hidden, 8 groups, d_state 128")
    moe = arch.moe

    def block(t: Block, kind: str) -> None:
        t.norms("attn_norm", "ffn_norm")
        if kind == "recurrent":
            _mamba2(t)
        else:
            t.attention()
        if moe:
            t.experts(shared=moe.n_shared_experts > 0 or bool(moe.shared_expert_intermediate_size))
        else:
            t.dense_ffn(d.ffn)

    b.embeddings()
    b.blocks(block_kinds(arch), block)


def lfm2(b: Builder) -> None:
    d, arch, moe = b.d, b.d.arch, b.d.arch.moe
    l_cache = shortconv_l_cache(arch)

    def block(t: Block, kind_experts: tuple[str, bool]) -> None:
        kind, experts = kind_experts
        t.norms("attn_norm", "ffn_norm")
        if kind == "recurrent":
            t.add("shortconv.conv.weight", (l_cache, d.embd), f32=True)
            t.add("shortconv.in_proj.weight", (d.embd, 3 * d.embd))
            t.add("shortconv.out_proj.weight", (d.embd, d.embd))
        else:
            t.attention(qk_norm=True)
        if experts:
            t.experts(probs_bias=True)
        else:
            t.dense_ffn(d.ffn)

    b.add("token_embd.weight", (d.embd, d.vocab))
    b.add("token_embd_norm.weight", (d.embd,))
    if not arch.tie_word_embeddings:
        b.add("output.weight", (d.embd, d.vocab))
    kinds = block_kinds(arch)
    b.blocks([(kinds[il], moe is not None and il >= moe.first_k_dense_layers)
              for il in range(arch.n_layers)], block)  # fmt: skip
