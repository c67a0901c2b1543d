"""Which ggml type llama.cpp's quantizer gives each tensor for a file type (Q4_K_M, IQ3_M, ...).

A transcription of `llama_tensor_get_type` in llama.cpp's src/llama-quant.cpp (the copy vendored
in llama-cpp-python 0.3.36): the `_S/_M/_L` mixes upgrade attn_v, ffn_down and the output layer,
rows whose length is not a multiple of the block size fall back to a smaller block, norms and
routers are never quantized. Counters (`i_attention_wv`, `i_ffn_down`) advance in the order the
quantizer visits tensors: by block number, then by name.
"""

from __future__ import annotations

from dataclasses import dataclass

from gguf import GGML_QUANT_SIZES, GGMLQuantizationType

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


def block_size(ggml_type: str) -> int:
    return GGML_QUANT_SIZES[GGMLQuantizationType[ggml_type]][0]


def is_quantized(ggml_type: str) -> bool:
    return ggml_type not in ("F32", "F16", "BF16", "I8", "I16", "I32", "I64", "F64")


def tensor_bytes(ggml_type: str, shape: tuple[int, ...]) -> int:
    """ggml_nbytes for a contiguous tensor: rows of `shape[0]` elements, whole blocks."""
    block, type_size = GGML_QUANT_SIZES[GGMLQuantizationType[ggml_type]]
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
    return not any(part in name for part in _NEVER_QUANTIZED)


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


@dataclass(frozen=True)
class QuantHParams:
    """The model facts the quantizer's mixes look at."""

    arch: str
    n_layer: int  # n_layer_all: blocks in the file
    n_gqa: int  # n_head / n_head_kv of block 0 (0 when block 0 has no attention)
    n_expert: int
    is_70b: bool  # llama.cpp's LLM_TYPE_70B (only llama/qwen2 80-block GQA models here)
    imatrix: bool  # whether an importance matrix was used (changes a few IQ/Q4_0 choices)


@dataclass
class _Counters:
    n_attention_wv: int
    tied: bool
    i_attention_wv: int = 0
    i_ffn_down: int = 0
    i_ffn_gate: int = 0
    i_ffn_up: int = 0


def _layer_of(name: str) -> int:
    return int(name.split(".")[1]) if name.startswith("blk.") else -1


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


def _iq2_family(ftype: str, new_type: str, cat: str, c: _Counters, hp: QuantHParams) -> str:
    low = "IQ3_S" if ftype in ("IQ2_S", "IQ2_M") else "Q2_K"
    if cat in ("attn_v", "attn_qkv", "attn_kv_b"):
        c.i_attention_wv += 1
        return "Q4_K" if hp.n_gqa >= 4 or hp.n_expert >= 4 else low
    if hp.n_expert == 8 and cat == "attn_k":
        return "Q4_K"
    if cat == "ffn_down":
        out = low if c.i_ffn_down < hp.n_layer // 8 else new_type
        c.i_ffn_down += 1
        return out
    if cat == "attn_output":
        if hp.n_expert == 8:
            return "Q5_K"
        if ftype in ("IQ1_S", "IQ1_M"):
            return "IQ2_XXS"
        if ftype in ("IQ2_S", "IQ2_M"):
            return "IQ3_S"
    return new_type


def _attn_v(ftype: str, new_type: str, c: _Counters, hp: QuantHParams) -> str:
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
        new_type = "Q5_K" if c.i_attention_wv < 2 else "Q4_K"
    elif ftype == "Q3_K_L" or (ftype in ("IQ4_NL", "IQ4_XS") and gqa4):
        new_type = "Q5_K"
    elif ftype in ("Q4_K_M", "Q5_K_M") and _use_more_bits(c.i_attention_wv, c.n_attention_wv):
        new_type = "Q6_K"
    elif ftype == "Q4_K_S" and c.i_attention_wv < 4:
        new_type = "Q5_K"
    if hp.is_70b and new_type in ("Q3_K", "Q4_K"):
        new_type = "Q5_K"
    if hp.n_expert == 8:
        new_type = "Q8_0"
    c.i_attention_wv += 1
    return new_type


def _ffn_down(ftype: str, new_type: str, name: str, c: _Counters, hp: QuantHParams) -> str:
    i_layer = _layer_of(name) if hp.n_expert > 1 else c.i_ffn_down
    n = hp.n_layer
    falcon = hp.arch == "falcon"
    c.i_ffn_down += 1
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


def _gate_or_up(ftype: str, new_type: str, name: str, i_counter: int, hp: QuantHParams) -> str:
    i_layer = _layer_of(name) if hp.n_expert > 1 else i_counter
    n = hp.n_layer
    if ftype == "IQ3_XS" and n // 8 <= i_layer < 7 * n // 8:
        return "IQ3_XXS"
    return new_type


def _impl(ftype: str, new_type: str, name: str, shape, cat: str, c: _Counters, hp) -> str:
    """llama_tensor_get_type_impl."""
    if cat == "output" or (c.tied and cat == "token_embd"):
        return _output_type(ftype, new_type, shape[0], hp)
    if ftype == "MXFP4":
        return "MXFP4" if len(shape) > 2 and shape[2] > 1 else "Q8_0"
    if cat == "token_embd":
        return _token_embd_type(ftype, new_type)
    if ftype in _IQ2_FAMILY:
        return _iq2_family(ftype, new_type, cat, c, hp)
    if cat in ("attn_v", "attn_qkv", "attn_kv_b"):
        return _attn_v(ftype, new_type, c, hp)
    if cat == "attn_k":
        if hp.n_expert == 8:
            return "Q8_0"
        return {"IQ3_XS": "IQ3_XXS", "IQ3_XXS": "IQ2_S"}.get(ftype, new_type)
    if cat == "attn_q":
        return {"IQ3_XS": "IQ3_XXS", "IQ3_XXS": "IQ2_S"}.get(ftype, new_type)
    if cat == "ffn_down":
        return _ffn_down(ftype, new_type, name, c, hp)
    if cat == "attn_output":
        return _attn_output(ftype, new_type, hp)
    if cat == "ffn_gate":
        c.i_ffn_gate += 1
        return _gate_or_up(ftype, new_type, name, c.i_ffn_gate - 1, hp)
    if cat == "ffn_up":
        c.i_ffn_up += 1
        return _gate_or_up(ftype, new_type, name, c.i_ffn_up - 1, hp)
    return new_type


def _fallback(ggml_type: str, ncols: int) -> str:
    """tensor_type_fallback: a compatible type when the row length is not a block multiple."""
    if ncols % block_size(ggml_type) == 0:
        return ggml_type
    fallback = _FALLBACK.get(ggml_type, ggml_type)
    return fallback if ncols % block_size(fallback) == 0 else "F16"


def select_types(
    tensors: list[tuple[str, tuple[int, ...], str]], ftype: str, hp: QuantHParams
) -> list[str]:
    """The ggml type of each (name, shape, source type) after quantizing to `ftype`.

    `tensors` must be in the quantizer's visiting order (block number, then name).
    """
    if ftype in UNQUANTIZED_FTYPES:
        return [src if src == "F32" else ftype for _, _, src in tensors]
    default = DEFAULT_TYPE[ftype]
    cats = [category(name) for name, _, _ in tensors]
    counters = _Counters(
        n_attention_wv=sum(cat in ("attn_v", "attn_qkv", "attn_kv_b") for cat in cats),
        tied="output" not in cats,
    )
    out = []
    for (name, shape, src), cat in zip(tensors, cats, strict=True):
        if not allows_quantization(name, shape):
            out.append(src)
            continue
        new_type = _impl(ftype, default, name, shape, cat, counters, hp)
        out.append(_fallback(new_type, shape[0]))
    return out
