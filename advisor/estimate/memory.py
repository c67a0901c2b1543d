"""Memory an inference run needs: weights, KV cache, compute buffers and runtime overhead."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MemoryBreakdown:
    """Bytes one run of a model needs, summed over every device it is placed on."""

    weights_bytes: int
    kv_cache_bytes: int  # includes the fixed recurrent state of hybrid models
    compute_bytes: int  # llama.cpp compute (scratch) buffers
    overhead_bytes: int  # runtime/context overhead: CUDA context, output buffer, ...

    @property
    def total_bytes(self) -> int:
        return self.weights_bytes + self.kv_cache_bytes + self.compute_bytes + self.overhead_bytes
