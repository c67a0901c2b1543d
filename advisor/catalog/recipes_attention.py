"""Tensor recipes of attention-only architectures: llama-likes, Phi-3, Gemma, gpt-oss, MoE.

Shapes follow `load_arch_tensors` in llama.cpp's src/models/<arch>.cpp (ggml order: the row
length first).
"""

from __future__ import annotations

from advisor.catalog.layer_pattern import block_kinds, kv_shared_from
from advisor.catalog.model_dims import DEFAULTS
from advisor.catalog.tensor_builder import Builder


def llama_like(b: Builder, *, bias=False, qk_norm=False) -> None:
    arch = b.d.arch
    b.embeddings()
    for il in range(arch.n_layers):
        b.norms(il, "attn_norm", "ffn_norm")
        b.attention(il, bias=bias, qk_norm=qk_norm)
        if arch.moe and il >= arch.moe.first_k_dense_layers:
            b.experts(il, shared=arch.moe.n_shared_experts > 0)
        else:
            b.dense_ffn(il, b.d.n_ff)


def phi3(b: Builder) -> None:
    d = b.d
    b.embeddings()
    for il in range(d.arch.n_layers):
        b.norms(il, "attn_norm", "ffn_norm")
        b.add("attn_qkv.weight", (d.embd, d.q_dim + 2 * d.kv_dim), il)
        b.add("attn_output.weight", (d.q_dim, d.embd), il)
        b.add("ffn_up.weight", (d.embd, 2 * d.n_ff), il)
        b.add("ffn_down.weight", (d.n_ff, d.embd), il)


def gemma(b: Builder, *, qk_norm: bool) -> None:
    d = b.d
    b.embeddings()
    for il in range(d.arch.n_layers):
        b.norms(il, "attn_norm", "post_attention_norm", "ffn_norm", "post_ffw_norm")
        b.attention(il, qk_norm=qk_norm)
        b.dense_ffn(il, d.n_ff)


def gemma3n(b: Builder) -> None:
    d, n = b.d, b.d.arch.n_layers
    ple, altup, laurel = DEFAULTS["per_layer_embd"], DEFAULTS["altup"], DEFAULTS["laurel_rank"]
    b.embeddings()
    b.add("altup_proj.weight", (d.embd, d.embd, altup - 1))
    b.add("altup_unembd_proj.weight", (d.embd, d.embd, altup - 1))
    b.add("per_layer_token_embd.weight", (ple * n, d.vocab))
    b.add("per_layer_model_proj.weight", (d.embd, ple * n))
    b.add("per_layer_proj_norm.weight", (ple,))
    for il in range(n):
        b.norms(il, "attn_norm", "post_attention_norm", "ffn_norm", "post_ffw_norm")
        b.attention(il, qk_norm=True)
        b.dense_ffn(il, d.n_ff)
        b.add("inp_gate.weight", (d.embd, ple), il)
        b.add("proj.weight", (ple, d.embd), il)
        b.norms(il, "post_norm", "altup_correct_scale", "altup_router_norm", "laurel_post_norm")
        b.add("altup_correct_coef.weight", (altup, altup), il, f32=True)
        b.add("altup_predict_coef.weight", (altup, altup * altup), il, f32=True)
        b.add("altup_router.weight", (d.embd, altup), il)
        b.add("laurel_l.weight", (d.embd, laurel), il)
        b.add("laurel_r.weight", (laurel, d.embd), il)
    d.assumptions.append("Gemma 3n altup/laurel/per-layer sizes of the released E2B/E4B")


def _gemma4_attention(b: Builder, il: int, kind: str, has_kv: bool) -> None:
    d, arch = b.d, b.d.arch
    is_global = kind == "full" and arch.global_head_dim is not None
    hd = arch.global_head_dim if is_global else d.head_dim
    kv_heads = (arch.global_n_kv_heads or arch.n_kv_heads) if is_global else arch.n_kv_heads
    b.add("attn_q.weight", (d.embd, hd * arch.n_heads), il)
    if has_kv:
        b.add("attn_k.weight", (d.embd, hd * kv_heads), il)
        # Global layers of the 26B/31B share K and V (attention_k_eq_v): no V projection.
        if not (is_global and arch.global_n_kv_heads is not None):
            b.add("attn_v.weight", (d.embd, hd * kv_heads), il)
        b.add("attn_k_norm.weight", (hd,), il)
    b.add("attn_output.weight", (hd * arch.n_heads, d.embd), il)
    b.add("attn_q_norm.weight", (hd,), il)


def gemma4(b: Builder) -> None:
    d, arch = b.d, b.d.arch
    kinds, shared_from = block_kinds(arch), kv_shared_from(arch)
    ple = DEFAULTS["per_layer_embd"] if arch.n_kv_shared_layers else 0
    b.embeddings()
    if ple:
        b.add("per_layer_token_embd.weight", (ple * arch.n_layers, d.vocab))
        b.add("per_layer_model_proj.weight", (d.embd, ple * arch.n_layers))
        b.add("per_layer_proj_norm.weight", (ple,))
    # The full-attention layers' proportional RoPE factors (one tensor, shared).
    b.add("rope_freqs.weight", ((arch.global_head_dim or d.head_dim) // 2,))
    for il in range(arch.n_layers):
        b.norms(il, "attn_norm", "post_attention_norm", "ffn_norm", "post_ffw_norm")
        _gemma4_attention(b, il, kinds[il], il < shared_from)
        b.add("layer_output_scale.weight", (1,), il)
        b.dense_ffn(il, d.n_ff)
        if arch.moe:
            moe = arch.moe
            b.add("ffn_gate_inp.weight", (d.embd, moe.n_experts), il, f32=True)
            b.add("ffn_gate_inp.scale", (d.embd,), il)
            b.norms(il, "pre_ffw_norm_2", "post_ffw_norm_1", "post_ffw_norm_2")
            b.add("ffn_gate_up_exps.weight", (d.embd, 2 * d.n_ff_exp, moe.n_experts), il)
            b.add("ffn_down_exps.weight", (d.n_ff_exp, d.embd, moe.n_experts), il)
            b.add("ffn_down_exps.scale", (moe.n_experts,), il)
        if ple:
            b.add("inp_gate.weight", (d.embd, ple), il)
            b.add("proj.weight", (ple, d.embd), il)
            b.norms(il, "post_norm")


def gpt_oss(b: Builder) -> None:
    d, moe = b.d, b.d.arch.moe
    b.embeddings()
    for il in range(d.arch.n_layers):
        b.norms(il, "attn_norm", "post_attention_norm")
        b.attention(il, bias=True, out_bias=True)
        b.add("attn_sinks.weight", (d.arch.n_heads,), il)
        b.experts(il)
        b.add("ffn_gate_inp.bias", (moe.n_experts,), il)
        for part, width in (("gate", d.n_ff_exp), ("up", d.n_ff_exp), ("down", d.embd)):
            b.add(f"ffn_{part}_exps.bias", (width, moe.n_experts), il, f32=True)


def glm4moe(b: Builder) -> None:
    d, moe = b.d, b.d.arch.moe
    b.embeddings()
    for il in range(d.arch.n_layers):
        b.norms(il, "attn_norm", "post_attention_norm")
        b.attention(il, bias=True)
        if il < moe.first_k_dense_layers:
            b.dense_ffn(il, d.n_ff)
        else:
            b.experts(il, probs_bias=True, shared=moe.n_shared_experts > 0)


def llama4(b: Builder) -> None:
    d, arch = b.d, b.d.arch
    # Scout (16 experts) puts experts in every layer, Maverick (128) in every other one.
    step = 2 if arch.moe.n_experts >= 128 else 1
    d.assumptions.append(f"Llama 4: a MoE layer every {step} layer(s)")
    b.embeddings()
    for il in range(arch.n_layers):
        b.norms(il, "attn_norm", "ffn_norm")
        b.attention(il)
        if (il + 1) % step == 0:
            b.experts(il, shared=True)
        else:
            b.dense_ffn(il, d.n_ff)


def minimax_m2(b: Builder) -> None:
    d = b.d
    b.embeddings()
    for il in range(d.arch.n_layers):
        b.norms(il, "attn_norm", "ffn_norm")
        b.attention(il)
        b.add("attn_q_norm.weight", (d.q_dim,), il)
        b.add("attn_k_norm.weight", (d.kv_dim,), il)
        b.experts(il, probs_bias=True)
