"""GGUF tensor layout of a model for a quant type, as llama.cpp's converter and quantizer write it.

`tensor_layout(arch, quant)` gives every tensor (name, shape, ggml type, bytes), typed one by
one as llama-quantize does; `quant_tensor_bytes(arch, quant)` the sums memory placement needs:
total, per block, the input layer (token embeddings, which llama.cpp always keeps on the CPU),
the output layer and the MoE expert tensors, computed once per class of alike blocks
(advisor.catalog.tensors.quant_bytes) and equal to the layout's sums. Both are cached per
(architecture, quant): no I/O, cheap to call repeatedly. Byte counts follow ggml's type sizes;
file sizes add the GGUF header and alignment.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from functools import lru_cache

from advisor.catalog.fields import QUANT_TYPES
from advisor.catalog.model import Architecture
from advisor.catalog.tensors.file_sums import shipped_bytes
from advisor.catalog.tensors.quant_bytes import (
    INPUT_TENSORS,
    QuantBytes,
    SizingPlan,
    TypedTensor,
    quant_bytes,
    sizing_plan,
)
from advisor.catalog.tensors.quant_bytes import tensor_types as quant_tensor_types
from advisor.catalog.tensors.quant_rules import (
    DEFAULT_TYPE,
    Mix,
    QuantHParams,
    select_types,
    tensor_bytes,
)
from advisor.catalog.tensors.recipes import BlockPlan, block_plan

__all__ = ["INPUT_TENSORS", "QuantBytes", "TensorInfo", "TensorLayout", "arch_key",
           "quant_tensor_bytes", "tensor_layout"]  # fmt: skip

GGUF_ALIGNMENT = 32  # general.alignment default: each tensor's data starts on 32 bytes
# GGUF header: metadata (the tokenizer dominates) plus one tensor-info record per tensor.
# Token text, score and type, plus BPE merges: 61 bytes per entry on Llama 3, ~40 on Gemma.
_HEADER_BYTES_PER_VOCAB_ENTRY = 50
_HEADER_BYTES_PER_TENSOR = 64


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple[int, ...]  # ggml order: row length first
    ggml_type: str  # gguf.GGMLQuantizationType name: "Q4_K", "F32", ...
    nbytes: int
    layer: int | None  # block index; None for the input and output layers
    is_expert: bool  # a routed-expert tensor (what --cpu-moe / -ot exps=CPU keeps in RAM)

    @property
    def is_input(self) -> bool:
        return self.name in INPUT_TENSORS


@dataclass(frozen=True)
class TensorLayout:
    arch: str
    quant: str
    n_layers: int
    tensors: tuple[TensorInfo, ...]
    assumptions: tuple[str, ...]  # facts models.yaml lacked and the values used instead
    bytes: QuantBytes
    file_bytes: int  # estimated .gguf size: header + aligned tensor data

    @property
    def tied_embeddings(self) -> bool:
        return all(t.name != "output.weight" for t in self.tensors)

    def types(self) -> dict[str, int]:
        """Bytes per ggml type, largest first."""
        out: dict[str, int] = {}
        for t in self.tensors:
            out[t.ggml_type] = out.get(t.ggml_type, 0) + t.nbytes
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))


# File types llama-quantize refuses to write without an importance matrix; the others are
# assumed made without one (the llama.cpp quantize README table matches this to 0.2%).
_NEEDS_IMATRIX = frozenset(
    {"IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ2_M", "IQ3_XXS", "Q2_K_S"}
)


def _quant_hparams(arch: Architecture, quant: str) -> QuantHParams:
    from advisor.catalog.tensors.layer_pattern import MAMBA_ARCHES, SHORTCONV_ARCHES, block_kinds

    kinds = block_kinds(arch)
    n_expert = arch.moe.n_experts if arch.moe else 0
    # Hybrids with per-layer head counts report 0 for a recurrent block 0.
    per_layer_heads = arch.arch in MAMBA_ARCHES | SHORTCONV_ARCHES
    gqa = arch.n_heads // max(arch.n_kv_heads, 1)
    if per_layer_heads and kinds[0] != "full":
        gqa = 0
    is_70b = (
        arch.arch in ("llama", "qwen2")
        and arch.n_layers == 80
        and (arch.arch == "qwen2" or arch.n_heads != arch.n_kv_heads)
    )
    return QuantHParams(arch.arch, arch.n_layers, gqa, n_expert, is_70b, quant in _NEEDS_IMATRIX)


def _summarize(tensors: tuple[TensorInfo, ...], n_layers: int) -> QuantBytes:
    layer = [0] * n_layers
    expert = [0] * n_layers
    input_bytes = output_bytes = n_params = 0
    token_embd = 0
    for t in tensors:
        count = 1
        for dim in t.shape:
            count *= dim
        n_params += count
        if t.layer is not None:
            layer[t.layer] += t.nbytes
            expert[t.layer] += t.nbytes if t.is_expert else 0
        elif t.is_input:
            input_bytes += t.nbytes
            token_embd += t.nbytes if t.name == "token_embd.weight" else 0
        else:
            output_bytes += t.nbytes
    tied = all(t.name != "output.weight" for t in tensors)
    loaded_output = output_bytes + (token_embd if tied else 0)
    total = sum(t.nbytes for t in tensors)
    return QuantBytes(
        total, tuple(layer), tuple(expert), input_bytes, output_bytes, loaded_output, n_params
    )


def _file_bytes(tensors: tuple[TensorInfo, ...], vocab: int) -> int:
    data = sum(-(-t.nbytes // GGUF_ALIGNMENT) * GGUF_ALIGNMENT for t in tensors)
    header = vocab * _HEADER_BYTES_PER_VOCAB_ENTRY + len(tensors) * _HEADER_BYTES_PER_TENSOR
    return data + header


def _key_of(arch: Architecture) -> tuple:
    return (
        arch.arch,
        arch.total_params_b,
        arch.n_layers,
        arch.hidden_size,
        arch.n_heads,
        arch.n_kv_heads,
        arch.head_dim,
        arch.vocab_size,
        arch.intermediate_size,
        arch.tie_word_embeddings,
        arch.sliding_window,
        arch.n_full_attention_layers,
        arch.n_linear_attention_layers,
        arch.n_kv_shared_layers,
        arch.global_head_dim,
        arch.global_n_kv_heads,
        arch.mla and astuple(arch.mla),
        arch.moe and astuple(arch.moe),
        arch.recurrent and astuple(arch.recurrent),
    )


@lru_cache(maxsize=4096)
def arch_key(arch: Architecture) -> tuple:
    """The fields the layout depends on: architectures alike in them (another source, other
    notes) share their layouts."""
    return _key_of(arch)


_ARCHES: dict[tuple, Architecture] = {}


def _known_quant(quant: str) -> str:
    quant = quant.upper()
    if quant not in QUANT_TYPES or quant not in DEFAULT_TYPE:
        raise ValueError(f"unknown quant type {quant!r}; expected one of {QUANT_TYPES}")
    return quant


def tensor_layout(arch: Architecture, quant: str) -> TensorLayout:
    """Every tensor of `arch` quantized to `quant` (a catalog quant name such as "Q4_K_M")."""
    return _cached_layout(registered_key(arch, quant), _known_quant(quant))


def registered_key(arch: Architecture, quant: str) -> tuple:
    """arch_key(arch), once `quant` is known to be a quant type (ValueError if not) and the
    architecture is kept under its key for the caches of this module."""
    _known_quant(quant)
    key = arch_key(arch)
    _ARCHES.setdefault(key, arch)
    return key


def tensor_types(arch: Architecture, quant: str) -> tuple[bool, list[TypedTensor]]:
    """(tied embeddings, every tensor's shape, ggml type, expert and input flags) of
    tensor_layout(arch, quant), in its order, without the layout's per-tensor work: each
    class of alike blocks is typed once (advisor.catalog.tensors.quant_bytes.tensor_types).
    Not cached: callers keep what they derive from it."""
    quant = _known_quant(quant)
    akey = registered_key(arch, quant)
    sp = _sizing(akey)
    tied = all(t.name != "output.weight" for t in sp.globals)
    return tied, quant_tensor_types(
        sp, Mix(quant, _quant_hparams(arch, quant), sp.n_attention_wv, sp.tied)
    )


@lru_cache(maxsize=1024)
def _plan(key: tuple) -> BlockPlan:
    return block_plan(_ARCHES[key])


@lru_cache(maxsize=1024)
def _sizing(key: tuple) -> SizingPlan:
    return sizing_plan(_plan(key))


@lru_cache(maxsize=4096)
def _cached_layout(key: tuple, quant: str) -> TensorLayout:
    arch, plan = _ARCHES[key], _plan(key)
    ordered = plan.tensors()
    types = select_types(
        [(t.name, t.shape, t.source_type, -1 if t.layer is None else t.layer) for t in ordered],
        quant,
        _quant_hparams(arch, quant),
    )
    tensors = tuple(
        TensorInfo(
            t.name,
            t.shape,
            ggml_type,
            tensor_bytes(ggml_type, t.shape),
            t.layer,
            "_exps." in t.name,
        )
        for t, ggml_type in zip(ordered, types, strict=True)
    )
    return TensorLayout(
        arch.arch,
        quant,
        arch.n_layers,
        tensors,
        plan.assumptions,
        _summarize(tensors, arch.n_layers),
        _file_bytes(tensors, plan.vocab),
    )


_BYTES: dict[tuple, QuantBytes] = {}


def quant_tensor_bytes(arch: Architecture, quant: str) -> QuantBytes:
    """Byte totals of `arch` at `quant`: whole file, per block, input, output, experts (the
    catalog's files from the shipped table, advisor.catalog.tensors.file_sums)."""
    akey = arch_key(arch)
    key = (akey, quant)
    hit = _BYTES.get(key)
    if hit is None:
        quant = _known_quant(quant)
        hit = shipped_bytes(akey, quant) or computed_quant_bytes(arch, quant)
        _BYTES[key] = hit
    return hit


def computed_quant_bytes(arch: Architecture, quant: str) -> QuantBytes:
    """quant_tensor_bytes(arch, quant) computed from the layout (no table, no memo)."""
    quant = _known_quant(quant)
    akey = arch_key(arch)
    _ARCHES.setdefault(akey, arch)
    sp = _sizing(akey)
    return quant_bytes(sp, Mix(quant, _quant_hparams(arch, quant), sp.n_attention_wv, sp.tied))


def use_file_bytes(arch: Architecture, quant: str, qb: QuantBytes) -> None:
    """Take a GGUF file's own tensor bytes for `arch` at `quant` instead of the recipe's.

    `arch` is the one read from that file's header (advisor.catalog.gguf.file_model): its
    parameter count comes from the file's tensors, so no catalog architecture shares its key.
    """
    if len(qb.layer_bytes) != arch.n_layers:
        raise ValueError(f"{len(qb.layer_bytes)} blocks of bytes for {arch.n_layers} layers")
    _BYTES[(arch_key(arch), _known_quant(quant))] = qb
