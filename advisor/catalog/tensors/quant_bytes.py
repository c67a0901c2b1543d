"""Byte totals of a quantized tensor layout, typing each class of alike blocks once.

A block's tensor types depend on the file type, the tensors of its class (tensor_recipes) and,
for the tensors under a quantizer counter, on the index class (quant_rules.index_class) of the
block and of each counter. Blocks of the same class whose indices fall in the same index
classes get the same types: a "signature". Each signature is typed once, at its first block,
and its bytes repeated for the others. The result equals summing `tensor_layout`'s tensors one
by one, byte for byte (tests/catalog/test_tensor_layouts.py holds the two together).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from advisor.catalog.tensors.quant_rules import (
    ATTN_V_GROUP,
    COUNTER_GROUP,
    TYPE_SIZES,
    UNQUANTIZED_FTYPES,
    Mix,
    allows_quantization,
    category,
    converted_type,
    index_class,
)
from advisor.catalog.tensors.recipes import BlockPlan, TensorSpec
from advisor.frozen import cached_hash

# Tensors llama.cpp loads into the input layer: always on the CPU, whatever -ngl says.
INPUT_TENSORS = frozenset(
    {
        "token_embd.weight",
        "per_layer_token_embd.weight",
        "per_layer_model_proj.weight",
        "per_layer_proj_norm.weight",
        "altup_proj.weight",
        "altup_unembd_proj.weight",
    }
)


@cached_hash
@dataclass(frozen=True)
class QuantBytes:
    """Tensor bytes of one quant of one architecture, grouped the way llama.cpp places them."""

    total_bytes: int  # every tensor in the file
    layer_bytes: tuple[int, ...]  # per block (repeating layer), experts included
    layer_expert_bytes: tuple[int, ...]  # per block, the routed-expert tensors alone
    input_bytes: int  # token embeddings and other input-layer tensors: always on the CPU
    output_bytes: int  # output norm + output head as stored in the file (0 head when tied)
    # What the output layer takes once loaded: a tied model duplicates token_embd for it.
    output_loaded_bytes: int
    n_params: int

    @property
    def expert_bytes(self) -> int:
        return sum(self.layer_expert_bytes)

    @property
    def non_layer_bytes(self) -> int:
        return self.input_bytes + self.output_bytes

    @property
    def loaded_bytes(self) -> int:
        """Weights llama.cpp allocates across all devices (the tied head counted twice)."""
        return self.total_bytes - self.output_bytes + self.output_loaded_bytes


@dataclass(frozen=True)
class _Tensor:
    """A TensorSpec with what the quantizer asks of it."""

    name: str
    shape: tuple[int, ...]
    source_type: str
    cat: str
    quantizable: bool  # the quantizer may change its type (quant_rules.allows_quantization)
    group: int | None  # the counter it advances (quant_rules.COUNTER_GROUP), if quantizable
    is_expert: bool
    rows: int

    @classmethod
    def of(cls, spec: TensorSpec) -> _Tensor:
        cat = category(spec.name)
        quantizable = allows_quantization(spec.name, spec.shape)
        group = COUNTER_GROUP.get(cat) if quantizable else None
        rows = spec.n_elements // spec.shape[0]
        return cls(spec.name, spec.shape, spec.source_type, cat, quantizable, group,
                   "_exps." in spec.name, rows)  # fmt: skip

    def bytes_as(self, ggml_type: str) -> int:
        """tensor_bytes(ggml_type, shape)."""
        block, size = TYPE_SIZES[ggml_type]
        return self.rows * (self.shape[0] // block) * size

    def quantized_bytes(self, mix: Mix, layer: int = -1, counter: int = 0) -> int:
        return self.bytes_as(mix.quantized_type(self.cat, self.shape, layer, counter))

    def type_in(self, mix: Mix, layer: int = -1, counter: int = 0) -> str:
        """Its ggml type in any file type (what quant_rules.select_types gives it)."""
        if mix.ftype in UNQUANTIZED_FTYPES:
            return converted_type(mix.ftype, self.source_type)
        if not self.quantizable:
            return self.source_type
        return mix.quantized_type(self.cat, self.shape, layer, counter)

    def bytes_in(self, mix: Mix, layer: int = -1, counter: int = 0) -> int:
        """Its bytes in any file type."""
        return self.bytes_as(self.type_in(mix, layer, counter))


@dataclass(frozen=True)
class _Signature:
    template: int
    layer: int  # its first block, whose index and counters stand for every block of it
    counters: tuple[int, ...]  # per counted tensor of the template, its counter there


@dataclass(frozen=True)
class _Template:
    """One class of blocks, its tensors split by what their type depends on."""

    tensors: tuple[_Tensor, ...]
    kept: tuple[int, int]  # bytes (all, experts) of the tensors no quantizer changes
    fixed: tuple[_Tensor, ...]  # quantizable, typed the same in every block
    counted: tuple[_Tensor, ...]  # quantizable and under a counter: typed per signature

    @classmethod
    def of(cls, specs: tuple[TensorSpec, ...]) -> _Template:
        tensors = tuple(_Tensor.of(t) for t in specs)
        kept = [t for t in tensors if not t.quantizable]
        kept_bytes = (
            sum(t.bytes_as(t.source_type) for t in kept),
            sum(t.bytes_as(t.source_type) for t in kept if t.is_expert),
        )
        fixed = tuple(t for t in tensors if t.quantizable and t.group is None)
        counted = tuple(t for t in tensors if t.group is not None)
        return cls(tensors, kept_bytes, fixed, counted)

    def bytes_in(self, mix: Mix) -> tuple[int, int]:
        """Bytes (all, experts) of the tensors typed the same in every block of the class."""
        if mix.ftype in UNQUANTIZED_FTYPES:
            tensors = [t for t in self.tensors if t.group is None]
            return (sum(t.bytes_in(mix) for t in tensors),
                    sum(t.bytes_in(mix) for t in tensors if t.is_expert))  # fmt: skip
        total, expert = self.kept
        for t in self.fixed:
            nbytes = t.quantized_bytes(mix)
            total += nbytes
            expert += nbytes if t.is_expert else 0
        return total, expert


@dataclass(frozen=True)
class SizingPlan:
    """What typing a model's layout needs, whatever the file type: built once per architecture."""

    globals: tuple[_Tensor, ...]
    global_counters: tuple[int, ...]
    templates: tuple[_Template, ...]
    signatures: tuple[_Signature, ...]
    block_signatures: tuple[int, ...]  # per block, an index into `signatures`
    n_attention_wv: int  # for quant_rules.Mix
    tied: bool
    n_params: int


@lru_cache(maxsize=64)
def _classes(index_of: int, length: int) -> tuple[int, ...]:
    """index_class(i, index_of) for every i below `length`."""
    return tuple(index_class(i, index_of) for i in range(length))


def sizing_plan(plan: BlockPlan) -> SizingPlan:
    """`plan`'s tensors with their categories and its blocks grouped by signature."""
    n_layer = plan.n_layers
    globals_ = tuple(_Tensor.of(t) for t in plan.globals)
    templates = tuple(_Template.of(template) for template in plan.templates)

    counters = [0, 0, 0, 0]
    global_counters = []
    for t in globals_:
        global_counters.append(0 if t.group is None else counters[t.group])
        if t.group is not None:
            counters[t.group] += 1
    cats = [t.cat for t in globals_]
    for kind in plan.block_classes:
        cats += [t.cat for t in templates[kind].tensors]
    n_wv = sum(cat in ATTN_V_GROUP for cat in cats)

    # Every counter's last value bounds the index-class tables.
    ends = list(counters)
    for kind in plan.block_classes:
        for t in templates[kind].counted:
            assert t.group is not None  # counted: under a counter
            ends[t.group] += 1
    layer_classes = _classes(n_layer, n_layer)
    group_classes = [_classes(n_wv if g == 0 else n_layer, ends[g]) for g in range(4)]

    index: dict[tuple[int, ...], int] = {}
    signatures: list[_Signature] = []
    block_signatures = []
    for il, kind in enumerate(plan.block_classes):
        own = []
        key = [kind, layer_classes[il]]
        for t in templates[kind].counted:
            group = t.group
            assert group is not None  # counted: under a counter
            value = counters[group]
            counters[group] = value + 1
            own.append(value)
            key.append(group_classes[group][value])
        found = index.setdefault(tuple(key), len(signatures))
        if found == len(signatures):
            signatures.append(_Signature(kind, il, tuple(own)))
        block_signatures.append(found)
    return SizingPlan(
        globals_, tuple(global_counters), templates, tuple(signatures),
        tuple(block_signatures), n_wv, "output" not in cats, plan.n_params(),
    )  # fmt: skip


def quant_bytes(sp: SizingPlan, mix: Mix) -> QuantBytes:
    """The byte totals of the layout `sp` quantized by `mix` (same as summing every tensor)."""
    input_bytes = output_bytes = token_embd = 0
    for t, counter in zip(sp.globals, sp.global_counters, strict=True):
        nbytes = t.bytes_in(mix, -1, counter)
        if t.name in INPUT_TENSORS:
            input_bytes += nbytes
            token_embd += nbytes if t.name == "token_embd.weight" else 0
        else:
            output_bytes += nbytes
    fixed = [template.bytes_in(mix) for template in sp.templates]
    totals, experts = [], []
    for sig in sp.signatures:
        total, expert = fixed[sig.template]
        for t, counter in zip(sp.templates[sig.template].counted, sig.counters, strict=True):
            nbytes = t.bytes_in(mix, sig.layer, counter)
            total += nbytes
            expert += nbytes if t.is_expert else 0
        totals.append(total)
        experts.append(expert)
    layer = tuple(totals[s] for s in sp.block_signatures)
    layer_expert = tuple(experts[s] for s in sp.block_signatures)
    loaded_output = output_bytes + (token_embd if sp.tied else 0)
    total = input_bytes + output_bytes + sum(layer)
    return QuantBytes(
        total, layer, layer_expert, input_bytes, output_bytes, loaded_output, sp.n_params
    )


# Per tensor, in the layout's order: (shape, ggml type, routed expert, input layer).
TypedTensor = tuple[tuple[int, ...], str, bool, bool]


def tensor_types(sp: SizingPlan, mix: Mix) -> list[TypedTensor]:
    """Every tensor of the layout `sp` quantized by `mix`, in the quantizer's order, with its
    type: what select_types gives each tensor, typed once per signature (at its first block,
    which stands for every block of it) instead of one tensor at a time."""
    out: list[TypedTensor] = [
        (t.shape, t.type_in(mix, -1, counter), t.is_expert, t.name in INPUT_TENSORS)
        for t, counter in zip(sp.globals, sp.global_counters, strict=True)
    ]
    typed = []
    for sig in sp.signatures:
        counters = iter(sig.counters)  # the counted tensors' counters, in the same order
        typed.append([
            (t.shape, t.type_in(mix, sig.layer, 0 if t.group is None else next(counters)),
             t.is_expert, False)
            for t in sp.templates[sig.template].tensors
        ])  # fmt: skip
    for index in sp.block_signatures:
        out += typed[index]
    return out
