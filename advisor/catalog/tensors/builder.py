"""Building blocks of the tensor recipes: the tensor records, the model's dimensions, a builder.

A recipe adds the file's global tensors, then describes its blocks once per class of identical
blocks (same tensors, same shapes): every dense block of a llama is one class, the MoE and the
dense blocks of DeepSeek two. Layouts repeat a class's tensors under each block's `blk.N.`
prefix; byte totals count each class once.

Source types follow llama.cpp's HF converter (convert_hf_to_gguf.py): 1-D tensors, norms,
routers and convolution kernels are F32, every other weight is 16-bit.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from advisor.catalog.model import Architecture, Moe

K = TypeVar("K", bound=Hashable)  # what tells the blocks of one recipe apart


@dataclass(frozen=True)
class RawTensor:
    name: str
    shape: tuple[int, ...]
    source_type: str  # "F32" or "F16" (BF16 has the same size)
    layer: int | None


@dataclass(frozen=True)
class TensorSpec:
    """A tensor of the file, or of every block of a class (the name without `blk.N.`)."""

    name: str
    shape: tuple[int, ...]
    source_type: str

    @property
    def n_elements(self) -> int:
        count = 1
        for dim in self.shape:
            count *= dim
        return count


def _spec(name: str, shape: tuple[int, ...], f32: bool) -> TensorSpec:
    one_d = sum(dim > 1 for dim in shape) <= 1
    source = "F32" if f32 or one_d or name.endswith("_norm.weight") else "F16"
    return TensorSpec(name, shape, source)


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
    def ffn(self) -> int:
        """The dense FFN width, for the blocks of a recipe that have a dense FFN (their
        architectures state it)."""
        assert self.n_ff is not None, f"{self.arch.arch}: a dense FFN with no intermediate size"
        return self.n_ff

    @property
    def moe(self) -> Moe:
        """The experts, for the blocks of a recipe that have them."""
        assert self.arch.moe is not None, f"{self.arch.arch}: experts with no moe section"
        return self.arch.moe

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
        moe = self.moe
        if moe.expert_intermediate_size:
            return moe.expert_intermediate_size
        self.assumptions.append("expert FFN width = intermediate_size / experts used")
        return (self.n_ff or self.embd * 4) // moe.n_experts_used

    @property
    def n_ff_shexp(self) -> int:
        moe = self.moe
        if moe.shared_expert_intermediate_size:
            return moe.shared_expert_intermediate_size
        return self.n_ff_exp * max(moe.n_shared_experts, 1)


class Block:
    """The tensors of one class of blocks, named without their `blk.N.` prefix."""

    def __init__(self, dims: Dims) -> None:
        self.d = dims
        self.tensors: list[TensorSpec] = []

    def add(self, name: str, shape: tuple[int, ...], f32: bool = False) -> None:
        self.tensors.append(_spec(name, shape, f32))

    def attention(self, *, q_mult=1, bias=False, qk_norm=False, out_bias=False) -> None:
        d = self.d
        self.add("attn_q.weight", (d.embd, d.q_dim * q_mult))
        self.add("attn_k.weight", (d.embd, d.kv_dim))
        self.add("attn_v.weight", (d.embd, d.kv_dim))
        self.add("attn_output.weight", (d.q_dim, d.embd))
        if bias:
            self.add("attn_q.bias", (d.q_dim,))
            self.add("attn_k.bias", (d.kv_dim,))
            self.add("attn_v.bias", (d.kv_dim,))
        if out_bias:
            self.add("attn_output.bias", (d.embd,))
        if qk_norm:
            self.add("attn_q_norm.weight", (d.head_dim,))
            self.add("attn_k_norm.weight", (d.head_dim,))

    def dense_ffn(self, n_ff: int, *, gate: bool = True) -> None:
        if gate:
            self.add("ffn_gate.weight", (self.d.embd, n_ff))
        self.add("ffn_up.weight", (self.d.embd, n_ff))
        self.add("ffn_down.weight", (n_ff, self.d.embd))

    def experts(self, *, gate=True, probs_bias=False, shared=False, shared_gate=False) -> None:
        d, moe = self.d, self.d.moe
        n_exp, ff = moe.n_experts, d.n_ff_exp
        width = moe.latent_size or d.embd
        self.add("ffn_gate_inp.weight", (d.embd, n_exp), f32=True)
        if probs_bias if moe.router_bias is None else moe.router_bias:
            self.add("exp_probs_b.bias", (n_exp,))
        if moe.latent_size:  # llama.cpp's ffn_latent_down / ffn_latent_up (Nemotron-H MoE)
            self.add("ffn_latent_down.weight", (d.embd, width))
            self.add("ffn_latent_up.weight", (width, d.embd))
        if gate:
            self.add("ffn_gate_exps.weight", (width, ff, n_exp))
        self.add("ffn_up_exps.weight", (width, ff, n_exp))
        self.add("ffn_down_exps.weight", (ff, width, n_exp))
        if shared:
            if shared_gate:
                self.add("ffn_gate_inp_shexp.weight", (d.embd,))
            self.dense_ffn_named(d.n_ff_shexp, "shexp", gate=gate)

    def dense_ffn_named(self, n_ff: int, suffix: str, *, gate: bool = True) -> None:
        if gate:
            self.add(f"ffn_gate_{suffix}.weight", (self.d.embd, n_ff))
        self.add(f"ffn_up_{suffix}.weight", (self.d.embd, n_ff))
        self.add(f"ffn_down_{suffix}.weight", (n_ff, self.d.embd))

    def norms(self, *names: str) -> None:
        for name in names:
            self.add(f"{name}.weight", (self.d.embd,))


class Builder:
    """The file's global tensors and its blocks, each block an instance of a class."""

    def __init__(self, dims: Dims) -> None:
        self.d = dims
        self.tensors: list[TensorSpec] = []  # global: token embeddings, output, ...
        self.block_classes: tuple[int, ...] = ()  # per block, an index into `templates`
        self.templates: tuple[tuple[TensorSpec, ...], ...] = ()

    def add(self, name: str, shape: tuple[int, ...], f32: bool = False) -> None:
        self.tensors.append(_spec(name, shape, f32))

    def embeddings(self, *, output: bool = True) -> None:
        d = self.d
        self.add("token_embd.weight", (d.embd, d.vocab))
        self.add("output_norm.weight", (d.embd,))
        if output and not d.arch.tie_word_embeddings:
            self.add("output.weight", (d.embd, d.vocab))

    def blocks(self, kinds: Sequence[K], body: Callable[[Block, K], None]) -> None:
        """One block per entry of `kinds`; `body` adds the tensors of a block of that kind.

        `body` runs once per distinct kind, in the order kinds first appear, so the kind must
        hold everything a block's tensors depend on.
        """
        index: dict[Hashable, int] = {}
        templates: list[tuple[TensorSpec, ...]] = []
        for kind in kinds:
            if kind not in index:
                index[kind] = len(templates)
                block = Block(self.d)
                body(block, kind)
                templates.append(tuple(block.tensors))
        self.block_classes = tuple(index[kind] for kind in kinds)
        self.templates = tuple(templates)
