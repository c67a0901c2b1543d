"""The tensors llama.cpp's HF converter writes for each architecture, with their shapes.

Shapes follow `load_arch_tensors` in llama.cpp's src/models/<arch>.cpp (ggml order: the row
length first). Source types follow the converter (convert_hf_to_gguf.py): 1-D tensors, norms,
routers and convolution kernels are F32, every other weight is 16-bit. Facts the catalog does
not carry use the released models' values, listed in `DEFAULTS` and reported back as
assumptions; a missing FFN width is solved from the published parameter count.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from advisor.catalog.layer_pattern import NEMOTRON_ARCHES, block_kinds, kv_shared_from
from advisor.catalog.model import Architecture, Mla

# Values the released checkpoints use where models.yaml has no field for them.
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


@dataclass(frozen=True)
class RawTensor:
    name: str
    shape: tuple[int, ...]
    source_type: str  # "F32" or "F16" (BF16 has the same size)
    layer: int | None


@dataclass
class _Dims:
    """The numbers the recipes need, with the assumptions made to get them."""

    arch: Architecture
    n_ff: int | None
    vocab: int
    assumptions: list[str] = field(default_factory=list)

    @property
    def embd(self) -> int:
        return self.arch.hidden_size

    @property
    def head_dim(self) -> int:
        return self.arch.head_dim or self.arch.hidden_size // self.arch.n_heads

    @property
    def q_dim(self) -> int:
        return self.head_dim * self.arch.n_heads

    @property
    def kv_dim(self) -> int:
        return self.head_dim * self.arch.n_kv_heads

    @property
    def n_ff_exp(self) -> int:
        moe = self.arch.moe
        if moe.expert_intermediate_size:
            return moe.expert_intermediate_size
        self.assumptions.append("expert FFN width = intermediate_size / experts used")
        return (self.n_ff or self.embd * 4) // moe.n_experts_used

    @property
    def n_ff_shexp(self) -> int:
        moe = self.arch.moe
        if moe.shared_expert_intermediate_size:
            return moe.shared_expert_intermediate_size
        return self.n_ff_exp * max(moe.n_shared_experts, 1)


class _Builder:
    def __init__(self, dims: _Dims) -> None:
        self.d = dims
        self.tensors: list[RawTensor] = []

    def add(self, name: str, shape: tuple[int, ...], layer: int | None = None, f32=False):
        one_d = sum(dim > 1 for dim in shape) <= 1
        source = "F32" if f32 or one_d or name.endswith("_norm.weight") else "F16"
        full = f"blk.{layer}.{name}" if layer is not None else name
        self.tensors.append(RawTensor(full, shape, source, layer))

    def embeddings(self, *, output: bool = True) -> None:
        d = self.d
        self.add("token_embd.weight", (d.embd, d.vocab))
        self.add("output_norm.weight", (d.embd,))
        if output and not d.arch.tie_word_embeddings:
            self.add("output.weight", (d.embd, d.vocab))

    def attention(self, il: int, *, q_mult=1, bias=False, qk_norm=False, out_bias=False):
        d = self.d
        self.add("attn_q.weight", (d.embd, d.q_dim * q_mult), il)
        self.add("attn_k.weight", (d.embd, d.kv_dim), il)
        self.add("attn_v.weight", (d.embd, d.kv_dim), il)
        self.add("attn_output.weight", (d.q_dim, d.embd), il)
        if bias:
            self.add("attn_q.bias", (d.q_dim,), il)
            self.add("attn_k.bias", (d.kv_dim,), il)
            self.add("attn_v.bias", (d.kv_dim,), il)
        if out_bias:
            self.add("attn_output.bias", (d.embd,), il)
        if qk_norm:
            self.add("attn_q_norm.weight", (d.head_dim,), il)
            self.add("attn_k_norm.weight", (d.head_dim,), il)

    def dense_ffn(self, il: int, n_ff: int, *, gate: bool = True) -> None:
        if gate:
            self.add("ffn_gate.weight", (self.d.embd, n_ff), il)
        self.add("ffn_up.weight", (self.d.embd, n_ff), il)
        self.add("ffn_down.weight", (n_ff, self.d.embd), il)

    def experts(self, il: int, *, gate=True, probs_bias=False, shared=False, shared_gate=False):
        d, moe = self.d, self.d.arch.moe
        n_exp, ff = moe.n_experts, d.n_ff_exp
        self.add("ffn_gate_inp.weight", (d.embd, n_exp), il, f32=True)
        if probs_bias:
            self.add("exp_probs_b.bias", (n_exp,), il)
        if gate:
            self.add("ffn_gate_exps.weight", (d.embd, ff, n_exp), il)
        self.add("ffn_up_exps.weight", (d.embd, ff, n_exp), il)
        self.add("ffn_down_exps.weight", (ff, d.embd, n_exp), il)
        if shared:
            if shared_gate:
                self.add("ffn_gate_inp_shexp.weight", (d.embd,), il)
            self.dense_ffn_named(il, d.n_ff_shexp, "shexp", gate=gate)

    def dense_ffn_named(self, il: int, n_ff: int, suffix: str, *, gate: bool = True) -> None:
        if gate:
            self.add(f"ffn_gate_{suffix}.weight", (self.d.embd, n_ff), il)
        self.add(f"ffn_up_{suffix}.weight", (self.d.embd, n_ff), il)
        self.add(f"ffn_down_{suffix}.weight", (n_ff, self.d.embd), il)

    def norms(self, il: int, *names: str) -> None:
        for name in names:
            self.add(f"{name}.weight", (self.d.embd,), il)


def _llama_like(b: _Builder, *, bias=False, qk_norm=False) -> None:
    arch = b.d.arch
    b.embeddings()
    for il in range(arch.n_layers):
        b.norms(il, "attn_norm", "ffn_norm")
        b.attention(il, bias=bias, qk_norm=qk_norm)
        if arch.moe and il >= arch.moe.first_k_dense_layers:
            b.experts(il, shared=arch.moe.n_shared_experts > 0)
        else:
            b.dense_ffn(il, b.d.n_ff)


def _phi3(b: _Builder) -> None:
    d = b.d
    b.embeddings()
    for il in range(d.arch.n_layers):
        b.norms(il, "attn_norm", "ffn_norm")
        b.add("attn_qkv.weight", (d.embd, d.q_dim + 2 * d.kv_dim), il)
        b.add("attn_output.weight", (d.q_dim, d.embd), il)
        b.add("ffn_up.weight", (d.embd, 2 * d.n_ff), il)
        b.add("ffn_down.weight", (d.n_ff, d.embd), il)


def _gemma(b: _Builder, *, qk_norm: bool) -> None:
    d = b.d
    b.embeddings()
    for il in range(d.arch.n_layers):
        b.norms(il, "attn_norm", "post_attention_norm", "ffn_norm", "post_ffw_norm")
        b.attention(il, qk_norm=qk_norm)
        b.dense_ffn(il, d.n_ff)


def _gemma3n(b: _Builder) -> None:
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


def _gemma4_attention(b: _Builder, il: int, kind: str, has_kv: bool) -> None:
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


def _gemma4(b: _Builder) -> None:
    d, arch = b.d, b.d.arch
    kinds, shared_from = block_kinds(arch), kv_shared_from(arch)
    ple = DEFAULTS["per_layer_embd"] if arch.n_kv_shared_layers else 0
    b.embeddings()
    if ple:
        b.add("per_layer_token_embd.weight", (ple * arch.n_layers, d.vocab))
        b.add("per_layer_model_proj.weight", (d.embd, ple * arch.n_layers))
        b.add("per_layer_proj_norm.weight", (ple,))
    if arch.global_head_dim:
        b.add("rope_freqs.weight", (arch.global_head_dim // 2,))
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


def _gpt_oss(b: _Builder) -> None:
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


_DEEPSEEK_V3_MLA = Mla(kv_lora_rank=512, rope_dim=64, q_lora_rank=1536)


def mla_of(arch: Architecture) -> Mla:
    """The MLA ranks, DeepSeek-V3's where the catalog has none for an MLA architecture."""
    return arch.mla or _DEEPSEEK_V3_MLA


def _mla_attention(b: _Builder, il: int) -> None:
    d, mla = b.d, mla_of(b.d.arch)
    nope = d.arch.head_dim or DEFAULTS["mla_nope_head_dim"]
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


def _deepseek2(b: _Builder, *, indexer: bool = False) -> None:
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


def _dsa_indexer(b: _Builder, il: int) -> None:
    d = b.d
    heads, hd = DEFAULTS["dsa_indexer_heads"], DEFAULTS["dsa_indexer_head_dim"]
    q_rank = mla_of(d.arch).q_lora_rank or d.embd
    b.add("indexer.k_norm.weight", (hd,), il)
    b.add("indexer.k_norm.bias", (hd,), il)
    b.add("indexer.proj.weight", (d.embd, heads), il, f32=True)
    b.add("indexer.attn_k.weight", (d.embd, hd), il)
    b.add("indexer.attn_q_b.weight", (q_rank, heads * hd), il)


def _glm4moe(b: _Builder) -> None:
    d, moe = b.d, b.d.arch.moe
    b.embeddings()
    for il in range(d.arch.n_layers):
        b.norms(il, "attn_norm", "post_attention_norm")
        b.attention(il, bias=True)
        if il < moe.first_k_dense_layers:
            b.dense_ffn(il, d.n_ff)
        else:
            b.experts(il, probs_bias=True, shared=moe.n_shared_experts > 0)


def _gated_delta_net(b: _Builder, il: int, *, fused_ba: bool) -> None:
    d, rec = b.d, b.d.arch.recurrent
    k_heads = (rec and rec.n_groups) or DEFAULTS["gdn_key_heads"]
    hd = (rec and rec.head_dim) or DEFAULTS["gdn_head_dim"]
    k_dim = ((rec and rec.d_state) or hd) * k_heads
    v_heads = (rec and rec.n_heads) or (
        DEFAULTS["gdn_value_heads_per_attention_head"] * d.arch.n_heads
    )
    v_dim = hd * v_heads
    conv = (rec and rec.d_conv) or DEFAULTS["conv_kernel"]
    b.add("attn_qkv.weight", (d.embd, 2 * k_dim + v_dim), il)
    b.add("attn_gate.weight", (d.embd, v_dim), il)
    b.add("ssm_conv1d.weight", (conv, 2 * k_dim + v_dim), il, f32=True)
    b.add("ssm_dt.bias", (v_heads,), il)
    b.add("ssm_a", (v_heads,), il)
    if fused_ba:
        b.add("ssm_ba.weight", (d.embd, 2 * v_heads), il)
    else:
        b.add("ssm_beta.weight", (d.embd, v_heads), il)
        b.add("ssm_alpha.weight", (d.embd, v_heads), il)
    b.add("ssm_norm.weight", (hd,), il)
    b.add("ssm_out.weight", (v_dim, d.embd), il)


def _qwen_hybrid(b: _Builder) -> None:
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


def _mamba2_dims(d: _Dims) -> tuple[int, int, int, int, int]:
    rec = d.arch.recurrent
    d_inner = (rec and rec.d_inner) or 2 * d.embd
    head_dim = (rec and rec.head_dim) or DEFAULTS["mamba_head_dim"]
    n_heads = (rec and rec.n_heads) or d_inner // head_dim
    groups = (rec and rec.n_groups) or DEFAULTS["mamba_groups"]
    d_state = (rec and rec.d_state) or DEFAULTS["mamba_d_state"]
    return d_inner, n_heads, groups, d_state, (rec and rec.d_conv) or DEFAULTS["conv_kernel"]


def _mamba2(b: _Builder, il: int) -> None:
    d = b.d
    d_inner, n_heads, groups, d_state, conv = _mamba2_dims(d)
    conv_dim = d_inner + 2 * groups * d_state
    b.add("ssm_in.weight", (d.embd, 2 * d_inner + 2 * groups * d_state + n_heads), il)
    b.add("ssm_conv1d.weight", (conv, conv_dim), il, f32=True)
    b.add("ssm_conv1d.bias", (conv_dim,), il)
    b.add("ssm_dt.bias", (n_heads,), il)
    b.add("ssm_a", (1, n_heads), il)
    b.add("ssm_d", (1, n_heads), il)
    b.add("ssm_norm.weight", (d_inner // groups, groups), il, f32=True)
    b.add("ssm_out.weight", (d_inner, d.embd), il)


def _nemotron_h(b: _Builder) -> None:
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


def _granite_hybrid(b: _Builder) -> None:
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


def _lfm2(b: _Builder) -> None:
    d, arch = b.d, b.d.arch
    l_cache = (arch.recurrent and arch.recurrent.d_conv) or DEFAULTS["shortconv_l_cache"]
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


def _llama4(b: _Builder) -> None:
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


def _minimax_m2(b: _Builder) -> None:
    d = b.d
    b.embeddings()
    for il in range(d.arch.n_layers):
        b.norms(il, "attn_norm", "ffn_norm")
        b.attention(il)
        b.add("attn_q_norm.weight", (d.q_dim,), il)
        b.add("attn_k_norm.weight", (d.kv_dim,), il)
        b.experts(il, probs_bias=True)


RECIPES = {
    "llama": _llama_like,
    "mistral3": _llama_like,
    "granite": _llama_like,
    "smollm3": _llama_like,
    "qwen2": lambda b: _llama_like(b, bias=True),
    "qwen3": lambda b: _llama_like(b, qk_norm=True),
    "qwen3moe": lambda b: _llama_like(b, qk_norm=True),
    "phi3": _phi3,
    "gemma2": lambda b: _gemma(b, qk_norm=False),
    "gemma3": lambda b: _gemma(b, qk_norm=True),
    "gemma3n": _gemma3n,
    "gemma4": _gemma4,
    "gpt-oss": _gpt_oss,
    "deepseek2": _deepseek2,
    "deepseek32": lambda b: _deepseek2(b, indexer=True),
    "glm4moe": _glm4moe,
    "qwen3next": _qwen_hybrid,
    "qwen35": _qwen_hybrid,
    "qwen35moe": _qwen_hybrid,
    "nemotron_h": _nemotron_h,
    "nemotron_h_moe": _nemotron_h,
    "granitehybrid": _granite_hybrid,
    "lfm2": _lfm2,
    "lfm2moe": _lfm2,
    "llama4": _llama4,
    "minimax-m2": _minimax_m2,
}

# Architectures whose output layer always reuses token_embd (the converter writes no output).
ALWAYS_TIED = frozenset({"gemma2", "gemma3", "gemma3n", "gemma4"})


def _build(arch: Architecture, n_ff: int | None, vocab: int, notes: list[str]) -> _Builder:
    recipe = RECIPES.get(arch.arch, _llama_like)
    if arch.arch not in RECIPES:
        notes.append(f"architecture {arch.arch!r} has no recipe: laid out like llama")
    b = _Builder(_Dims(arch, n_ff, vocab, notes))
    recipe(b)
    if arch.arch in ALWAYS_TIED:
        b.tensors = [t for t in b.tensors if t.name != "output.weight"]
    return b


def _params(tensors: list[RawTensor]) -> int:
    total = 0
    for t in tensors:
        count = 1
        for dim in t.shape:
            count *= dim
        total += count
    return total


def _solve_n_ff(arch: Architecture, vocab: int, notes: list[str]) -> int:
    """The FFN width that makes the tensor list add up to the published parameter count."""
    target = arch.total_params_b * 1e9
    base = _params(_build(arch, 0, vocab, []).tensors)
    per_unit = _params(_build(arch, 1, vocab, []).tensors) - base
    if per_unit <= 0:
        return 0
    n_ff = max(256, round((target - base) / per_unit / 256) * 256)
    notes.append(f"FFN width {n_ff} solved from {arch.total_params_b}B parameters")
    return n_ff


def _needs_dense_ffn(arch: Architecture) -> bool:
    if arch.moe is None:
        return True
    return arch.moe.first_k_dense_layers > 0 or arch.arch in ("llama4", "gemma4")


def raw_tensors(arch: Architecture) -> tuple[list[RawTensor], list[str]]:
    """The converter's tensor list for `arch`, and the assumptions made where data was missing."""
    notes: list[str] = []
    vocab = arch.vocab_size
    if vocab is None:
        vocab = DEFAULTS["vocab_size"]
        notes.append(f"vocabulary size unknown: assumed {vocab}")
    n_ff = arch.intermediate_size
    if n_ff is None and _needs_dense_ffn(arch):
        n_ff = _solve_n_ff(arch, vocab, notes)
    tensors = _build(arch, n_ff, vocab, notes).tensors
    return tensors, list(dict.fromkeys(notes))


def is_nemotron(arch: Architecture) -> bool:
    return arch.arch in NEMOTRON_ARCHES
