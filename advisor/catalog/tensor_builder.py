"""Building blocks of the tensor recipes: the tensor record, the model's dimensions, a builder.

Source types follow llama.cpp's HF converter (convert_hf_to_gguf.py): 1-D tensors, norms,
routers and convolution kernels are F32, every other weight is 16-bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from advisor.catalog.model import Architecture


@dataclass(frozen=True)
class RawTensor:
    name: str
    shape: tuple[int, ...]
    source_type: str  # "F32" or "F16" (BF16 has the same size)
    layer: int | None


@dataclass
class Dims:
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


class Builder:
    def __init__(self, dims: Dims) -> None:
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
        width = moe.latent_size or d.embd
        self.add("ffn_gate_inp.weight", (d.embd, n_exp), il, f32=True)
        if probs_bias:
            self.add("exp_probs_b.bias", (n_exp,), il)
        if moe.latent_size:  # llama.cpp's ffn_latent_down / ffn_latent_up (Nemotron-H MoE)
            self.add("ffn_latent_down.weight", (d.embd, width), il)
            self.add("ffn_latent_up.weight", (width, d.embd), il)
        if gate:
            self.add("ffn_gate_exps.weight", (width, ff, n_exp), il)
        self.add("ffn_up_exps.weight", (width, ff, n_exp), il)
        self.add("ffn_down_exps.weight", (ff, width, n_exp), il)
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
