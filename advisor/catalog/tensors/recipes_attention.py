"""Tensor recipes of attention-only architectures: llama-likes, Phi-3, Gemma, gpt-oss, MoE.

Shapes follow `load_arch_tensors` in llama.cpp's src/models/<arch>.cpp (ggml order: the row
length first). Each recipe names what tells its blocks apart (dense or MoE, sliding or global)
and describes one block of each kind.
"""

from __future__ import annotations

from advisor.catalog.tensors.builder import Block, Builder
from advisor.catalog.tensors.layer_pattern import block_kinds, kv_shared_from
from advisor.catalog.tensors.model_dims import DEFAULTS


def llama_like(b: Builder, *, bias=False, qk_norm=False) -> None:
    d, moe = b.d, b.d.arch.moe

    def block(t: Block, experts: bool) -> None:
        t.norms("attn_norm", "ffn_norm")
        t.attention(bias=bias, qk_norm=qk_norm)
        if experts:
            t.experts(shared=d.moe.n_shared_experts > 0)
        else:
            t.dense_ffn(d.ffn)

    b.embeddings()
    b.blocks([moe is not None and il >= moe.first_k_dense_layers for il in range(d.arch.n_layers)],
             block)  # fmt: skip


def phi3(b: Builder) -> None:
    d = b.d

    def block(t: Block, _: object) -> None:
        t.norms("attn_norm", "ffn_norm")
        t.add("attn_qkv.weight", (d.embd, d.q_dim + 2 * d.kv_dim))
        t.add("attn_output.weight", (d.q_dim, d.embd))
        t.add("ffn_up.weight", (d.embd, 2 * d.ffn))
        t.add("ffn_down.weight", (d.ffn, d.embd))

    b.embeddings()
    b.blocks([None] * d.arch.n_layers, block)


def gemma(b: Builder, *, qk_norm: bool) -> None:
    d = b.d

    def block(t: Block, _: object) -> None:
        t.norms("attn_norm", "post_attention_norm", "ffn_norm", "post_ffw_norm")
        t.attention(qk_norm=qk_norm)
        t.dense_ffn(d.ffn)

    b.embeddings()
    b.blocks([None] * d.arch.n_layers, block)


def gemma3n(b: Builder) -> None:
    d, n = b.d, b.d.arch.n_layers
    ple, altup, laurel = DEFAULTS["per_layer_embd"], DEFAULTS["altup"], DEFAULTS["laurel_rank"]

    def block(t: Block, _: object) -> None:
        t.norms("attn_norm", "post_attention_norm", "ffn_norm", "post_ffw_norm")
        t.attention(qk_norm=True)
        t.dense_ffn(d.ffn)
        t.add("inp_gate.weight", (d.embd, ple))
        t.add("proj.weight", (ple, d.embd))
        t.norms("post_norm", "altup_correct_scale", "altup_router_norm", "laurel_post_norm")
        t.add("altup_correct_coef.weight", (altup, altup), f32=True)
        t.add("altup_predict_coef.weight", (altup, altup * altup), f32=True)
        t.add("altup_router.weight", (d.embd, altup))
        t.add("laurel_l.weight", (d.embd, laurel))
        t.add("laurel_r.weight", (laurel, d.embd))

    b.embeddings()
    b.add("altup_proj.weight", (d.embd, d.embd, altup - 1))
    b.add("altup_unembd_proj.weight", (d.embd, d.embd, altup - 1))
    b.add("per_layer_token_embd.weight", (ple * n, d.vocab))
    b.add("per_layer_model_proj.weight", (d.embd, ple * n))
    b.add("per_layer_proj_norm.weight", (ple,))
    b.blocks([None] * n, block)
    d.assumptions.append("Gemma 3n altup/laurel/per-layer sizes of the released E2B/E4B")


def _gemma4_attention(t: Block, kind: str, has_kv: bool) -> None:
    d, arch = t.d, t.d.arch
    global_head_dim = arch.global_head_dim if kind == "full" else None
    is_global = global_head_dim is not None
    hd = global_head_dim if global_head_dim is not None else d.head_dim
    kv_heads = (arch.global_n_kv_heads or arch.n_kv_heads) if is_global else arch.n_kv_heads
    t.add("attn_q.weight", (d.embd, hd * arch.n_heads))
    if has_kv:
        t.add("attn_k.weight", (d.embd, hd * kv_heads))
        # Global layers of the 26B/31B share K and V (attention_k_eq_v): no V projection.
        if not (is_global and arch.global_n_kv_heads is not None):
            t.add("attn_v.weight", (d.embd, hd * kv_heads))
        t.add("attn_k_norm.weight", (hd,))
    t.add("attn_output.weight", (hd * arch.n_heads, d.embd))
    t.add("attn_q_norm.weight", (hd,))


def gemma4(b: Builder) -> None:
    d, arch = b.d, b.d.arch
    kinds, shared_from = block_kinds(arch), kv_shared_from(arch)
    ple = DEFAULTS["per_layer_embd"] if arch.n_kv_shared_layers else 0

    def block(t: Block, kind_kv: tuple[str, bool]) -> None:
        t.norms("attn_norm", "post_attention_norm", "ffn_norm", "post_ffw_norm")
        _gemma4_attention(t, *kind_kv)
        t.add("layer_output_scale.weight", (1,))
        t.dense_ffn(d.ffn)
        if arch.moe:
            moe = arch.moe
            t.add("ffn_gate_inp.weight", (d.embd, moe.n_experts), f32=True)
            t.add("ffn_gate_inp.scale", (d.embd,))
            t.norms("pre_ffw_norm_2", "post_ffw_norm_1", "post_ffw_norm_2")
            t.add("ffn_gate_up_exps.weight", (d.embd, 2 * d.n_ff_exp, moe.n_experts))
            t.add("ffn_down_exps.weight", (d.n_ff_exp, d.embd, moe.n_experts))
            t.add("ffn_down_exps.scale", (moe.n_experts,))
        if ple:
            t.add("inp_gate.weight", (d.embd, ple))
            t.add("proj.weight", (ple, d.embd))
            t.norms("post_norm")

    b.embeddings()
    if ple:
        b.add("per_layer_token_embd.weight", (ple * arch.n_layers, d.vocab))
        b.add("per_layer_model_proj.weight", (d.embd, ple * arch.n_layers))
        b.add("per_layer_proj_norm.weight", (ple,))
    # The full-attention layers' proportional RoPE factors (one tensor, shared).
    b.add("rope_freqs.weight", ((arch.global_head_dim or d.head_dim) // 2,))
    b.blocks([(kinds[il], il < shared_from) for il in range(arch.n_layers)], block)


def gpt_oss(b: Builder) -> None:
    d, moe = b.d, b.d.moe

    def block(t: Block, _: object) -> None:
        t.norms("attn_norm", "post_attention_norm")
        t.attention(bias=True, out_bias=True)
        t.add("attn_sinks.weight", (d.arch.n_heads,))
        t.experts()
        t.add("ffn_gate_inp.bias", (moe.n_experts,))
        for part, width in (("gate", d.n_ff_exp), ("up", d.n_ff_exp), ("down", d.embd)):
            t.add(f"ffn_{part}_exps.bias", (width, moe.n_experts), f32=True)

    b.embeddings()
    b.blocks([None] * d.arch.n_layers, block)


def glm4moe(b: Builder) -> None:
    d, moe = b.d, b.d.moe

    def block(t: Block, dense: bool) -> None:
        t.norms("attn_norm", "post_attention_norm")
        t.attention(bias=True)
        if dense:
            t.dense_ffn(d.ffn)
        else:
            t.experts(probs_bias=True, shared=moe.n_shared_experts > 0)

    b.embeddings()
    b.blocks([il < moe.first_k_dense_layers for il in range(d.arch.n_layers)], block)


def llama4(b: Builder) -> None:
    d, arch = b.d, b.d.arch
    # Scout (16 experts) puts experts in every layer, Maverick (128) in every other one.
    step = 2 if d.moe.n_experts >= 128 else 1
    d.assumptions.append(f"Llama 4: a MoE layer every {step} layer(s)")

    def block(t: Block, experts: bool) -> None:
        t.norms("attn_norm", "ffn_norm")
        t.attention()
        if experts:
            t.experts(shared=True)
        else:
            t.dense_ffn(d.ffn)

    b.embeddings()
    b.blocks([(il + 1) % step == 0 for il in range(arch.n_layers)], block)


def minimax_m2(b: Builder) -> None:
    d = b.d

    def block(t: Block, _: object) -> None:
        t.norms("attn_norm", "ffn_norm")
        t.attention()
        t.add("attn_q_norm.weight", (d.q_dim,))
        t.add("attn_k_norm.weight", (d.kv_dim,))
        t.experts(probs_bias=True)

    b.embeddings()
    b.blocks([None] * d.arch.n_layers, block)
