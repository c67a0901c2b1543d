"""The llama.cpp run settings the estimate assumes: llama-server / llama-cli defaults.

From llama.cpp's common/common.h (the copy vendored in llama-cpp-python 0.3.36):
n_batch 2048, n_ubatch 512, one sequence, flash attention "auto" (on wherever the backend
supports it: CUDA, Metal, ROCm, Vulkan and CPU all do), f16 KV cache, KV on the same device as
its layer (offload_kqv), sliding-window caches sized to the window (swa_full off), and the
prompt graph reserved with one output row per ubatch token (n_outputs_max = n_batch).
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.estimate.kv_types import kv_cache_type


@dataclass(frozen=True)
class RunSettings:
    """The llama.cpp settings an estimate assumes: KV cache type, flash attention, batch sizes."""

    kv_type: str = "f16"
    flash_attn: bool = True
    n_batch: int = 2048
    n_ubatch: int = 512

    def __post_init__(self) -> None:
        kv = kv_cache_type(self.kv_type)  # raises on an unknown type
        if kv.quantized and not self.flash_attn:
            raise ValueError("a quantized KV cache needs flash attention (llama.cpp refuses)")

    def tokens_per_ubatch(self, n_cells: int) -> int:
        """llama.cpp reserves the graph for min(n_ctx, n_ubatch) tokens."""
        return min(n_cells, self.n_ubatch, self.n_batch)
