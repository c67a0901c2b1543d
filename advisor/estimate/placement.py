"""Where the model's layers go: all on the GPU, split between GPU and CPU, or CPU only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PlacementKind = Literal["gpu", "partial", "cpu"]
MemoryMode = Literal["now", "dedicated"]  # free memory now, or total less an OS reserve


Pool = Literal["vram", "unified", "ram"]  # the memory the weights sit in


@dataclass(frozen=True)
class DeviceShare:
    """What one device holds. `device` is "gpu0", "gpu1", ... or "cpu"."""

    device: str
    layers: int
    weights_bytes: int
    kv_cache_bytes: int
    compute_bytes: int
    overhead_bytes: int
    available_bytes: int | None  # the memory budget this device had under the mode
    # Input-layer weights (token embeddings) included in weights_bytes: llama.cpp keeps them
    # on the CPU and reads one row per token, so decode does not stream them.
    input_bytes: int = 0

    @property
    def total_bytes(self) -> int:
        return self.weights_bytes + self.kv_cache_bytes + self.compute_bytes + self.overhead_bytes


@dataclass(frozen=True)
class Placement:
    """Where a file's layers and experts go: the -ngl llama.cpp would use, the pool and mode, each
    device's share."""

    kind: PlacementKind
    gpu_layers: int  # what llama.cpp's -ngl would be (repeating layers + output layer)
    total_layers: int  # -ngl value that puts everything on the GPU
    experts_on_cpu: bool  # MoE expert tensors kept in system RAM (--cpu-moe / -ot exps=CPU)
    pool: Pool
    mode: MemoryMode
    shares: tuple[DeviceShare, ...]  # one per device used, GPUs first
