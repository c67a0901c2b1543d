"""The ggml types a GGUF file multiplies by, with each one's share of a token's matmul FLOPs.

A fact of the tensor layout llama-quantize writes (Q4_K_M is mostly Q4_K, some Q6_K), not of
any machine: the speed model's CPU kernel paths (advisor.estimate.speed.cpu_paths) weight
their measured costs by it. The catalog's files come precomputed from the shipped table
(advisor.catalog.tensors.file_sums); any other architecture is typed here.
"""

from __future__ import annotations

from functools import lru_cache

from advisor.catalog.model import Architecture
from advisor.catalog.tensors.file_sums import shipped_mix
from advisor.catalog.tensors.layout import _ARCHES, registered_key, tensor_types

# (ggml type, share of the matmul FLOPs one token spends on weights of that type).
KernelMix = tuple[tuple[str, float], ...]


def computed_flop_mix(arch: Architecture, quant: str) -> KernelMix:
    """flop_mix(arch, quant) typed from the layout, tensor by tensor (no shipped table)."""
    tied, tensors = tensor_types(arch, quant)
    used = arch.moe.n_experts_used / arch.moe.n_experts if arch.moe else 1.0
    weights: dict[str, float] = {}
    for shape, ggml_type, is_expert, is_input in tensors:
        if len(shape) < 2 or (is_input and not tied):
            continue  # norms; the token embedding is a row lookup unless it is the output too
        n = used if is_expert else 1.0  # a token multiplies by k of an MoE layer's E experts
        for d in shape:
            n *= d
        weights[ggml_type] = weights.get(ggml_type, 0.0) + n
    total = sum(weights.values()) or 1.0
    return tuple(sorted(((k, v / total) for k, v in weights.items()), key=lambda kv: -kv[1]))


@lru_cache(maxsize=1024)
def _mix(arch_key: tuple, quant: str) -> KernelMix:
    shipped = shipped_mix(arch_key, quant)
    return computed_flop_mix(_ARCHES[arch_key], quant) if shipped is None else shipped


def flop_mix(arch: Architecture, quant: str) -> KernelMix:
    """The ggml types a `quant` file of `arch` multiplies by, with each one's FLOP share; ()
    for an architecture or quant the layout does not cover."""
    try:
        return _mix(registered_key(arch, quant), quant.upper())
    except (KeyError, ValueError):
        return ()
