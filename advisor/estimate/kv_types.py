"""The KV cache types llama.cpp takes (--cache-type-k/-v): the one table every stage reads.

From llama.cpp's common/arg.cpp (kv_cache_types) and ggml.h (enum ggml_type), in the copy
vendored in llama-cpp-python 0.3.36. A quantized cache needs flash attention; bytes per element
follow from the ggml type's block size (advisor.catalog.tensors.quant_rules.TYPE_SIZES).
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.catalog.tensors.quant_rules import TYPE_SIZES


@dataclass(frozen=True)
class KvCacheType:
    """A KV cache type llama.cpp offers: its names, its ggml enum value and whether it needs flash
    attention."""

    name: str  # as llama.cpp's --cache-type-k takes it: "f16", "q8_0", ...
    ggml_type: str  # ggml's name of the type: "F16", "Q8_0", ...
    ggml_id: int  # enum ggml_type: what llama_context_params.type_k holds
    quantized: bool  # llama.cpp refuses a quantized cache without flash attention

    @property
    def bytes_per_element(self) -> float:
        block, size = TYPE_SIZES[self.ggml_type]
        return size / block


KV_CACHE_TYPES: dict[str, KvCacheType] = {
    t.name: t
    for t in (
        KvCacheType("f16", "F16", 1, quantized=False),
        KvCacheType("bf16", "BF16", 30, quantized=False),
        KvCacheType("q8_0", "Q8_0", 8, quantized=True),
        KvCacheType("q5_1", "Q5_1", 7, quantized=True),
        KvCacheType("q5_0", "Q5_0", 6, quantized=True),
        KvCacheType("q4_1", "Q4_1", 3, quantized=True),
        KvCacheType("q4_0", "Q4_0", 2, quantized=True),
        KvCacheType("iq4_nl", "IQ4_NL", 20, quantized=True),
        KvCacheType("f32", "F32", 0, quantized=False),
    )
}
KV_TYPES: tuple[str, ...] = tuple(KV_CACHE_TYPES)  # the choices a command offers, f16 first


def kv_cache_type(name: str) -> KvCacheType:
    """The KV cache type called `name` (any case). Raises ValueError naming the choices."""
    try:
        return KV_CACHE_TYPES[name.lower()]
    except KeyError:
        raise ValueError(
            f"unknown KV cache type {name!r}; expected one of {', '.join(KV_TYPES)}"
        ) from None
