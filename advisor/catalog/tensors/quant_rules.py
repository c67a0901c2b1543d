"""Which ggml type llama.cpp's quantizer gives each tensor for a file type (Q4_K_M, IQ3_M, ...).

A transcription of `llama_tensor_get_type` in llama.cpp's src/llama-quant.cpp (the copy vendored
in llama-cpp-python 0.3.36): the `_S/_M/_L` mixes upgrade attn_v, ffn_down and the output layer,
rows whose length is not a multiple of the block size fall back to a smaller block, norms and
routers are never quantized. Counters (`i_attention_wv`, `i_ffn_down`) advance in the order the
quantizer visits tensors: by block number, then by name.

The mixes ask only a few questions about a block or counter index (`index_class`), so blocks
that give the same answers get the same types: advisor.catalog.tensors.quant_bytes types a whole
class of blocks at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# (elements per block, bytes per block) of each ggml type: gguf.GGML_QUANT_SIZES by type name,
# copied so that sizing a layout does not import gguf and numpy (~60 ms); a test keeps the two
# equal.
TYPE_SIZES: dict[str, tuple[int, int]] = {
    "F32": (1, 4), "F16": (1, 2), "BF16": (1, 2), "F64": (1, 8),
    "I8": (1, 1), "I16": (1, 2), "I32": (1, 4), "I64": (1, 8),
    "Q4_0": (32, 18), "Q4_1": (32, 20), "Q5_0": (32, 22), "Q5_1": (32, 24), "Q8_0": (32, 34),
    "Q8_1": (32, 40), "Q2_K": (256, 84), "Q3_K": (256, 110), "Q4_K": (256, 144),
    "Q5_K": (256, 176), "Q6_K": (256, 210), "Q8_K": (256, 292), "IQ2_XXS": (256, 66),
    "IQ2_XS": (256, 74), "IQ3_XXS": (256, 98), "IQ1_S": (256, 50), "IQ4_NL": (32, 18),
    "IQ3_S": (256, 110), "IQ2_S": (256, 82), "IQ4_XS": (256, 136), "IQ1_M": (256, 56),
    "TQ1_0": (256, 54), "TQ2_0": (256, 66), "MXFP4": (32, 17),
}  # fmt: skip

# The default tensor type of each file type (llama_ftype_get_default_type).
DEFAULT_TYPE: dict[str, str] = {
    "Q4_0": "Q4_0", "Q4_1": "Q4_1", "Q5_0": "Q5_0", "Q5_1": "Q5_1", "Q8_0": "Q8_0",
    "F16": "F16", "BF16": "BF16", "F32": "F32", "MXFP4": "MXFP4",
    "Q2_K": "Q2_K", "Q2_K_S": "Q2_K", "Q3_K_S": "Q3_K", "Q3_K_M": "Q3_K", "Q3_K_L": "Q3_K",
    "Q4_K_S": "Q4_K", "Q4_K_M": "Q4_K", "Q5_K_S": "Q5_K", "Q5_K_M": "Q5_K", "Q6_K": "Q6_K",
    "IQ2_XXS": "IQ2_XXS", "IQ2_XS": "IQ2_XS", "IQ2_S": "IQ2_XS", "IQ2_M": "IQ2_S",
    "IQ3_XXS": "IQ3_XXS", "IQ3_XS": "IQ3_S", "IQ3_S": "IQ3_S", "IQ3_M": "IQ3_S",
    "IQ1_S": "IQ1_S", "IQ1_M": "IQ1_M", "IQ4_NL": "IQ4_NL", "IQ4_XS": "IQ4_XS",
}  # fmt: skip

# File types written by the HF converter itself: no quantizer mix applies.
UNQUANTIZED_FTYPES = frozenset({"F16", "BF16", "F32"})

_IQ2_FAMILY = frozenset({"IQ2_XXS", "IQ2_XS", "IQ1_S", "IQ2_S", "IQ2_M", "IQ1_M"})
_LOW_BIT_OUTPUT = frozenset({"IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ2_S", "IQ2_M", "IQ1_M"})
_MOE8_ATTN_OUTPUT_Q5K = frozenset(
    {"Q2_K", "IQ3_XS", "IQ3_XXS", "Q3_K_S", "Q3_K_M", "IQ4_NL", "Q4_K_S", "Q4_K_M", "IQ3_S",
     "IQ3_M", "IQ4_XS"}
)  # fmt: skip

# tensor_type_fallback: when a row is not a multiple of the block size.
_FALLBACK: dict[str, str] = {
    "IQ1_S": "IQ4_NL", "IQ1_M": "IQ4_NL", "IQ2_XXS": "IQ4_NL", "IQ2_XS": "IQ4_NL",
    "IQ2_S": "IQ4_NL", "IQ3_XXS": "IQ4_NL", "IQ3_S": "IQ4_NL", "IQ4_XS": "IQ4_NL",
    "Q2_K": "Q4_0", "Q3_K": "Q4_0", "TQ1_0": "Q4_0", "TQ2_0": "Q4_0",
    "Q4_K": "Q5_0", "Q5_K": "Q5_1", "Q6_K": "Q8_0",
}  # fmt: skip

# Substrings of tensor names the quantizer leaves alone (tensor_allows_quantization).
_NEVER_QUANTIZED = (
    "_norm.weight", "ffn_gate_inp.weight", "ffn_gate_tid2eid.weight", "altup", "laurel",
    "per_layer_model_proj", "ssm_conv1d", "shortconv.conv.weight", "indexer.k_proj.weight",
    "indexer.q_proj.weight", "time_mix_", "attn_rel_b.weight", "position_embd",
)  # fmt: skip
_NEVER_QUANTIZED_RE = re.compile("|".join(map(re.escape, _NEVER_QUANTIZED)))


def converted_type(ftype: str, source_type: str) -> str:
    """A tensor's type in a file the converter writes itself (UNQUANTIZED_FTYPES)."""
    return source_type if source_type == "F32" else ftype


def block_size(ggml_type: str) -> int:
    return TYPE_SIZES[ggml_type][0]


def tensor_bytes(ggml_type: str, shape: tuple[int, ...]) -> int:
    """ggml_nbytes for a contiguous tensor: rows of `shape[0]` elements, whole blocks."""
    block, type_size = TYPE_SIZES[ggml_type]
    rows = 1
    for dim in shape[1:]:
        rows *= dim
    return rows * (shape[0] // block) * type_size


def _n_dims(shape: tuple[int, ...]) -> int:
    """ggml_n_dims: trailing dimensions of size 1 do not count."""
    return max([i + 1 for i, dim in enumerate(shape) if dim > 1], default=1)


def allows_quantization(name: str, shape: tuple[int, ...]) -> bool:
    if _n_dims(shape) < 2 or not name.endswith("weight"):
        return False
    return _NEVER_QUANTIZED_RE.search(name) is None


def category(name: str) -> str:
    """tensor_get_category: broad roles the mixes key on."""
    if name == "output.weight":
        return "output"
    if name in ("token_embd.weight", "per_layer_token_embd.weight"):
        return "token_embd"
    for key, cat in (
        ("attn_qkv.weight", "attn_qkv"), ("attn_kv_b.weight", "attn_kv_b"),
        ("attn_v.weight", "attn_v"), ("attn_k.weight", "attn_k"), ("attn_q.weight", "attn_q"),
        ("attn_output.weight", "attn_output"), ("ffn_up", "ffn_up"), ("ffn_gate", "ffn_gate"),
        ("ffn_down", "ffn_down"),
    ):  # fmt: skip
        if key in name:
            return cat
    return "other"


def _use_more_bits(i_layer: int, n_layers: int) -> bool:
    return (
        i_layer < n_layers // 8
        or i_layer >= 7 * n_layers // 8
        or (i_layer - n_layers // 8) % 3 == 2
    )


def index_class(index: int, n: int) -> int:
    """Every question the mixes ask about a block or counter `index` out of `n`, as bits.

    Two indices with the same class get the same type from every rule: the rules compare an
    index only with 2, 4, n/16, n/8 and 7n/8 and look at it modulo 3 (`_use_more_bits`).
    """
    eighth = n // 8
    return (
        (index < 2)
        | (index < 4) << 1
        | (index < n // 16) << 2
        | (index < eighth) << 3
        | (index >= 7 * n // 8) << 4
        | ((index - eighth) % 3 == 2) << 5
    )


# The quantizer's counters: each counts the tensors of its categories visited so far.
ATTN_V_GROUP = frozenset({"attn_v", "attn_qkv", "attn_kv_b"})
COUNTER_GROUP: dict[str, int] = {
    "attn_v": 0, "attn_qkv": 0, "attn_kv_b": 0, "ffn_down": 1, "ffn_gate": 2, "ffn_up": 3,
}  # fmt: skip


@dataclass(frozen=True)
class QuantHParams:
    """The model facts the quantizer's mixes look at."""

    arch: str
    n_layer: int  # n_layer_all: blocks in the file
    n_gqa: int  # n_head / n_head_kv of block 0 (0 when block 0 has no attention)
    n_expert: int
    is_70b: bool  # llama.cpp's LLM_TYPE_70B (only llama/qwen2 80-block GQA models here)
    imatrix: bool  # whether an importance matrix was used (changes a few IQ/Q4_0 choices)


@dataclass(frozen=True)
class Mix:
    """A file type applied to one model's tensor list: what a tensor's type depends on besides
    the tensor itself and its position."""

    ftype: str
    hp: QuantHParams
    n_attention_wv: int  # attn_v / attn_qkv / attn_kv_b tensors in the file
    tied: bool  # no output.weight: token_embd doubles as the output head

    def quantized_type(self, cat: str, shape, layer: int, counter: int) -> str:
        """The type of a tensor the quantizer may quantize (allows_quantization), in a
        quantized file type. `layer` is its block (-1 for none), `counter` how many tensors of
        its counter group (COUNTER_GROUP) the quantizer visited before it."""
        new_type = _impl(self.ftype, DEFAULT_TYPE[self.ftype], shape, cat, layer, counter, self)
        return _fallback(new_type, shape[0])


def _output_type(ftype: str, new_type: str, ncols: int, hp: QuantHParams) -> str:
    if ftype == "MXFP4":
        return "Q8_0"
    if hp.arch == "falcon" or ncols % block_size(new_type) != 0:
        return "Q8_0"
    if ftype in _LOW_BIT_OUTPUT:
        return "Q5_K"
    return new_type if new_type == "Q8_0" else "Q6_K"


def _token_embd_type(ftype: str, new_type: str) -> str:
    if ftype in ("IQ2_XXS", "IQ2_XS", "IQ1_S", "IQ1_M"):
        return "Q2_K"
    if ftype in ("IQ2_S", "IQ2_M", "IQ3_XXS"):
        return "IQ3_S"
    return new_type


def _iq2_family(ftype: str, new_type: str, cat: str, counter: int, hp: QuantHParams) -> str:
    low = "IQ3_S" if ftype in ("IQ2_S", "IQ2_M") else "Q2_K"
    if cat in ATTN_V_GROUP:
        return "Q4_K" if hp.n_gqa >= 4 or hp.n_expert >= 4 else low
    if hp.n_expert == 8 and cat == "attn_k":
        return "Q4_K"
    if cat == "ffn_down":  # i_ffn_down, whatever the expert count
        return low if counter < hp.n_layer // 8 else new_type
    if cat == "attn_output":
        if hp.n_expert == 8:
            return "Q5_K"
        if ftype in ("IQ1_S", "IQ1_M"):
            return "IQ2_XXS"
        if ftype in ("IQ2_S", "IQ2_M"):
            return "IQ3_S"
    return new_type


def _attn_v(ftype: str, new_type: str, i_attention_wv: int, n_attention_wv: int, hp) -> str:
    gqa4 = hp.n_gqa >= 4
    if ftype == "Q2_K":
        new_type = "Q4_K" if gqa4 else "Q3_K"
    elif ftype == "Q2_K_S" and gqa4:
        new_type = "Q4_K"
    elif ftype == "IQ3_XXS":
        new_type = "Q4_K" if gqa4 else ("IQ3_XXS" if hp.imatrix else "IQ3_S")
    elif (ftype in ("IQ3_XS", "IQ3_S") and gqa4) or ftype == "IQ3_M":
        new_type = "Q4_K"
    elif ftype == "Q3_K_M":
        new_type = "Q5_K" if i_attention_wv < 2 else "Q4_K"
    elif ftype == "Q3_K_L" or (ftype in ("IQ4_NL", "IQ4_XS") and gqa4):
        new_type = "Q5_K"
    elif ftype in ("Q4_K_M", "Q5_K_M") and _use_more_bits(i_attention_wv, n_attention_wv):
        new_type = "Q6_K"
    elif ftype == "Q4_K_S" and i_attention_wv < 4:
        new_type = "Q5_K"
    if hp.is_70b and new_type in ("Q3_K", "Q4_K"):
        new_type = "Q5_K"
    if hp.n_expert == 8:
        new_type = "Q8_0"
    return new_type


def _ffn_down(ftype: str, new_type: str, i_layer: int, hp: QuantHParams) -> str:
    n = hp.n_layer
    falcon = hp.arch == "falcon"
    if ftype == "Q2_K":
        return "Q3_K"
    if ftype == "Q2_K_S":
        return "Q4_K" if i_layer < n // 8 else new_type
    if ftype == "IQ3_XXS" and not hp.imatrix:
        return "Q4_K" if i_layer < n // 8 else "Q3_K"
    if ftype == "Q3_K_M":
        if i_layer < n // 16:
            return "Q5_K"
        return "Q4_K" if not falcon or _use_more_bits(i_layer, n) else "Q3_K"
    if ftype == "IQ3_M" and (i_layer < n // 8 or (hp.n_expert == 8 and _use_more_bits(i_layer, n))):
        return "Q4_K"
    if ftype == "Q3_K_L":
        return "Q4_K" if falcon else "Q5_K"
    if ftype == "Q4_K_M":
        if falcon:
            if i_layer < n // 16:
                return "Q6_K"
            return "Q5_K" if _use_more_bits(i_layer, n) else "Q4_K"
        return "Q6_K" if _use_more_bits(i_layer, n) else new_type
    if i_layer < n // 8 and ftype in ("IQ4_NL", "IQ4_XS") and not hp.imatrix:
        return "Q5_K"
    if ftype == "Q5_K_M" and _use_more_bits(i_layer, n):
        return "Q6_K"
    if ftype == "Q4_K_S" and not falcon and i_layer < n // 8:
        return "Q5_K"
    if ftype in ("Q4_0", "Q5_0") and hp.imatrix and i_layer < n // 8:
        return "Q4_1" if ftype == "Q4_0" else "Q5_1"
    return new_type


def _attn_output(ftype: str, new_type: str, hp: QuantHParams) -> str:
    if hp.arch == "falcon":
        return "Q4_K" if ftype == "Q3_K_L" else new_type
    if hp.n_expert == 8:
        return "Q5_K" if ftype in _MOE8_ATTN_OUTPUT_Q5K else new_type
    return {
        "Q2_K": "Q3_K", "IQ3_XXS": "IQ3_S", "Q3_K_M": "Q4_K", "Q3_K_L": "Q5_K", "IQ3_M": "Q4_K",
    }.get(ftype, new_type)  # fmt: skip


def _gate_or_up(ftype: str, new_type: str, i_layer: int, hp: QuantHParams) -> str:
    n = hp.n_layer
    if ftype == "IQ3_XS" and n // 8 <= i_layer < 7 * n // 8:
        return "IQ3_XXS"
    return new_type


def _impl(ftype: str, new_type: str, shape, cat: str, layer: int, i: int, mix: Mix) -> str:
    """llama_tensor_get_type_impl; `i` is the tensor's counter (i_attention_wv, i_ffn_down...)."""
    hp = mix.hp
    if cat == "output" or (mix.tied and cat == "token_embd"):
        return _output_type(ftype, new_type, shape[0], hp)
    if ftype == "MXFP4":
        return "MXFP4" if len(shape) > 2 and shape[2] > 1 else "Q8_0"
    if cat == "token_embd":
        return _token_embd_type(ftype, new_type)
    if ftype in _IQ2_FAMILY:
        return _iq2_family(ftype, new_type, cat, i, hp)
    if cat in ATTN_V_GROUP:
        return _attn_v(ftype, new_type, i, mix.n_attention_wv, hp)
    if cat == "attn_k":
        if hp.n_expert == 8:
            return "Q8_0"
        return {"IQ3_XS": "IQ3_XXS", "IQ3_XXS": "IQ2_S"}.get(ftype, new_type)
    if cat == "attn_q":
        return {"IQ3_XS": "IQ3_XXS", "IQ3_XXS": "IQ2_S"}.get(ftype, new_type)
    # MoE models index the FFN rules by block, dense ones by their counter.
    if cat == "ffn_down":
        return _ffn_down(ftype, new_type, layer if hp.n_expert > 1 else i, hp)
    if cat == "attn_output":
        return _attn_output(ftype, new_type, hp)
    if cat in ("ffn_gate", "ffn_up"):
        return _gate_or_up(ftype, new_type, layer if hp.n_expert > 1 else i, hp)
    return new_type


def _fallback(ggml_type: str, ncols: int) -> str:
    """tensor_type_fallback: a compatible type when the row length is not a block multiple."""
    if ncols % block_size(ggml_type) == 0:
        return ggml_type
    fallback = _FALLBACK.get(ggml_type, ggml_type)
    return fallback if ncols % block_size(fallback) == 0 else "F16"


def mix_of(cats: list[str], ftype: str, hp: QuantHParams) -> Mix:
    """The Mix for a file whose tensors have categories `cats`."""
    n_attention_wv = sum(cat in ATTN_V_GROUP for cat in cats)
    return Mix(ftype, hp, n_attention_wv, tied="output" not in cats)


def select_types(
    tensors: list[tuple[str, tuple[int, ...], str, int]], ftype: str, hp: QuantHParams
) -> list[str]:
    """The ggml type of each (name, shape, source type, block or -1) after quantizing to `ftype`.

    `tensors` must be in the quantizer's visiting order (block number, then name). One tensor
    at a time, as llama.cpp does it: the reference the per-class totals are checked against.
    """
    if ftype in UNQUANTIZED_FTYPES:
        return [converted_type(ftype, src) for _, _, src, _ in tensors]
    mix = mix_of([category(name) for name, _, _, _ in tensors], ftype, hp)
    counters = [0, 0, 0, 0]
    out = []
    for name, shape, src, layer in tensors:
        if not allows_quantization(name, shape):
            out.append(src)
            continue
        cat = category(name)
        group = COUNTER_GROUP.get(cat)
        out.append(mix.quantized_type(cat, shape, layer, 0 if group is None else counters[group]))
        if group is not None:
            counters[group] += 1
    return out
