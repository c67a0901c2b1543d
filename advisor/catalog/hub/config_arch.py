"""A safetensors repository's config.json as a catalog Architecture, for computed GGUF sizes.

Only the families whose config maps one to one onto what llama.cpp's converter writes
(convert_hf_to_gguf.py: LlamaModel, Qwen2Model, Qwen3Model, Qwen3MoeModel, Gemma2Model,
Gemma3Model, Phi3MiniModel, Mistral3Model) are read; any other model_type is refused by name
rather than guessed. Where a config leaves a field out, transformers' default for that family
applies (tie_word_embeddings: true for Gemma, false for the rest; head_dim: hidden / heads).
The parameter count is the GGUF layout's own (a vision tower, shipped as a separate mmproj
file, is not counted).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from advisor.catalog.model import Architecture
from advisor.errors import InputError
from advisor.files.strict import validate

# HF model_type -> llama.cpp architecture
ARCHES = {
    "llama": "llama",
    "mistral": "llama",
    "mixtral": "llama",
    "qwen2": "qwen2",
    "qwen3": "qwen3",
    "qwen3_moe": "qwen3moe",
    "gemma2": "gemma2",
    "gemma3": "gemma3",
    "gemma3_text": "gemma3",
    "phi3": "phi3",
    "mistral3": "mistral3",
}
_TIED_BY_DEFAULT = ("gemma2", "gemma3")
_GEMMA3_GLOBAL_EVERY = 6  # sliding_window_pattern default: every 6th layer is global


def architecture_from_config(config: Mapping[str, Any], *, source: str, name: str) -> Architecture:
    """The network `config` (a parsed config.json) describes; `name` labels errors."""
    model_type = str(config.get("model_type", ""))
    arch = ARCHES.get(model_type)
    if arch is None:
        raise InputError(
            f"config.json says model_type {model_type or '(none)'!r}, which advisor cannot "
            "size from a config (it reads " + ", ".join(sorted(ARCHES)) + ")",
            path=name,
            hint="pick a GGUF repository of this model (search the Hub for its name and GGUF)",
        )
    text = {**config, **(config.get("text_config") or {})}
    try:
        fields = _fields(text, arch)
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
        raise InputError(
            f"config.json lacks or garbles {exc}",
            path=name,
            hint="this repository's config is not a transformers one",
        ) from None
    return _with_params(validate(Architecture, {"source": (source,), **fields}))


def _fields(c: Mapping[str, Any], arch: str) -> dict[str, Any]:
    n_layers = int(c["num_hidden_layers"])
    hidden = int(c["hidden_size"])
    heads = int(c["num_attention_heads"])
    fields: dict[str, Any] = {
        "arch": arch,
        "total_params_b": 1.0,  # replaced by the layout's count (_with_params)
        "active_params_b": 1.0,
        "n_layers": n_layers,
        "hidden_size": hidden,
        "n_heads": heads,
        "n_kv_heads": int(c.get("num_key_value_heads") or heads),
        "head_dim": int(c.get("head_dim") or hidden // heads),
        "vocab_size": int(c["vocab_size"]),
        "max_context": int(c.get("max_position_embeddings") or 131072),
        "intermediate_size": int(c["intermediate_size"]),
        "tie_word_embeddings": bool(c.get("tie_word_embeddings", arch in _TIED_BY_DEFAULT)),
    }
    if arch in ("gemma2", "gemma3"):
        fields["sliding_window"] = int(c["sliding_window"])
        fields["n_full_attention_layers"] = _global_layers(c, arch, n_layers)
    experts = c.get("num_local_experts") or c.get("num_experts")
    if experts:
        fields["moe"] = {
            "n_experts": int(experts),
            "n_experts_used": int(c["num_experts_per_tok"]),
            "expert_intermediate_size": int(
                c.get("moe_intermediate_size") or c["intermediate_size"]
            ),
        }
    return fields


def _global_layers(c: Mapping[str, Any], arch: str, n_layers: int) -> int:
    """Layers attending to the whole context: the rest keep only the sliding window."""
    types = c.get("layer_types")
    if isinstance(types, list) and len(types) == n_layers:
        return sum(1 for t in types if t == "full_attention")
    if arch == "gemma2":
        return n_layers // 2  # alternating local and global, local first
    return n_layers // int(c.get("sliding_window_pattern") or _GEMMA3_GLOBAL_EVERY)


def _with_params(arch: Architecture) -> Architecture:
    """`arch` with the parameter counts its GGUF layout holds (active: routed experts in use)."""
    import dataclasses

    from advisor.catalog.tensors.layout import tensor_layout

    tensors = tensor_layout(arch, "F16").tensors
    total = sum(_elements(t.shape) for t in tensors)
    routed = sum(_elements(t.shape) for t in tensors if t.is_expert)
    active = total
    if arch.moe is not None:
        active = total - routed + routed * arch.moe.n_experts_used // arch.moe.n_experts
    return dataclasses.replace(
        arch, total_params_b=round(total / 1e9, 3), active_params_b=round(active / 1e9, 3)
    )


def _elements(shape: tuple[int, ...]) -> int:
    count = 1
    for dim in shape:
        count *= dim
    return count
