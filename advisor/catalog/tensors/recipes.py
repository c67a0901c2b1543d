"""The tensors llama.cpp's HF converter writes for each architecture, with their shapes.

Facts the catalog does not carry use the released models' values
(advisor.catalog.tensors.model_dims)
and are reported back as assumptions; a missing FFN width is solved from the published
parameter count.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.catalog.model import Architecture
from advisor.catalog.tensors import recipes_attention as att
from advisor.catalog.tensors import recipes_hybrid as hyb
from advisor.catalog.tensors.builder import Builder, Dims, RawTensor, TensorSpec
from advisor.catalog.tensors.model_dims import DEFAULTS

__all__ = ["BlockPlan", "RawTensor", "TensorSpec", "block_plan"]

RECIPES = {
    "llama": att.llama_like,
    "mistral3": att.llama_like,
    "granite": att.llama_like,
    "smollm3": att.llama_like,
    "qwen2": lambda b: att.llama_like(b, bias=True),
    "qwen3": lambda b: att.llama_like(b, qk_norm=True),
    "qwen3moe": lambda b: att.llama_like(b, qk_norm=True),
    "phi3": att.phi3,
    "gemma2": lambda b: att.gemma(b, qk_norm=False),
    "gemma3": lambda b: att.gemma(b, qk_norm=True),
    "gemma3n": att.gemma3n,
    "gemma4": att.gemma4,
    "gpt-oss": att.gpt_oss,
    "deepseek2": hyb.deepseek2,
    "deepseek32": lambda b: hyb.deepseek2(b, indexer=True),
    "glm4moe": att.glm4moe,
    "qwen3next": hyb.qwen_hybrid,
    "qwen35": hyb.qwen_hybrid,
    "qwen35moe": hyb.qwen_hybrid,
    "nemotron_h": hyb.nemotron_h,
    "nemotron_h_moe": hyb.nemotron_h,
    "granitehybrid": hyb.granite_hybrid,
    "lfm2": hyb.lfm2,
    "lfm2moe": hyb.lfm2,
    "llama4": att.llama4,
    "minimax-m2": att.minimax_m2,
}

# Architectures whose output layer always reuses token_embd (the converter writes no output).
ALWAYS_TIED = frozenset({"gemma2", "gemma3", "gemma3n", "gemma4"})


@dataclass(frozen=True)
class BlockPlan:
    """The converter's tensors for an architecture: the global ones and one template per class
    of identical blocks, each sorted by name (the order llama.cpp's loader visits them in)."""

    globals: tuple[TensorSpec, ...]
    block_classes: tuple[int, ...]  # per block, an index into `templates`
    templates: tuple[tuple[TensorSpec, ...], ...]
    assumptions: tuple[str, ...]  # facts models.yaml lacked and the values used instead
    vocab: int

    @property
    def n_layers(self) -> int:
        return len(self.block_classes)

    def tensors(self) -> list[RawTensor]:
        """Every tensor in the loader's order: global ones by name, then block by block."""
        out = [RawTensor(t.name, t.shape, t.source_type, None) for t in self.globals]
        for il, kind in enumerate(self.block_classes):
            prefix = f"blk.{il}."
            out += [RawTensor(prefix + t.name, t.shape, t.source_type, il)
                    for t in self.templates[kind]]  # fmt: skip
        return out

    def n_params(self) -> int:
        per_class = [sum(t.n_elements for t in template) for template in self.templates]
        blocks = sum(per_class[kind] for kind in self.block_classes)
        return sum(t.n_elements for t in self.globals) + blocks


def _by_name(tensors) -> tuple[TensorSpec, ...]:
    return tuple(sorted(tensors, key=lambda t: t.name))


def _build(arch: Architecture, n_ff: int | None, vocab: int, notes: list[str]) -> BlockPlan:
    recipe = RECIPES.get(arch.arch, att.llama_like)
    if arch.arch not in RECIPES:
        notes.append(f"architecture {arch.arch!r} has no recipe: laid out like llama")
    b = Builder(Dims(arch, n_ff, vocab, notes))
    recipe(b)
    if arch.arch in ALWAYS_TIED:
        b.tensors = [t for t in b.tensors if t.name != "output.weight"]
    templates = tuple(_by_name(template) for template in b.templates)
    return BlockPlan(_by_name(b.tensors), b.block_classes, templates, (), vocab)


def _solve_n_ff(arch: Architecture, vocab: int, notes: list[str]) -> int:
    """The FFN width that makes the tensor list add up to the published parameter count."""
    target = arch.total_params_b * 1e9
    base = _build(arch, 0, vocab, []).n_params()
    per_unit = _build(arch, 1, vocab, []).n_params() - base
    if per_unit <= 0:
        return 0
    n_ff = max(256, round((target - base) / per_unit / 256) * 256)
    notes.append(f"FFN width {n_ff} solved from {arch.total_params_b}B parameters")
    return n_ff


def _needs_dense_ffn(arch: Architecture) -> bool:
    if arch.moe is None:
        return True
    return arch.moe.first_k_dense_layers > 0 or arch.arch in ("llama4", "gemma4")


def block_plan(arch: Architecture) -> BlockPlan:
    """The converter's tensors for `arch`, and the assumptions made where data was missing."""
    notes: list[str] = []
    vocab = arch.vocab_size
    if vocab is None:
        vocab = DEFAULTS["vocab_size"]
        notes.append(f"vocabulary size unknown: assumed {vocab}")
    n_ff = arch.intermediate_size
    if n_ff is None and _needs_dense_ffn(arch):
        n_ff = _solve_n_ff(arch, vocab, notes)
    plan = _build(arch, n_ff, vocab, notes)
    return BlockPlan(
        plan.globals, plan.block_classes, plan.templates, tuple(dict.fromkeys(notes)), vocab
    )
