"""What a speed estimate is: rates with ranges, and the figures they rest on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FigureStatus = Literal["measured", "spec", "fitted", "calibrated", "estimated", "assumed"]


@dataclass(frozen=True)
class Figure:
    """One input a speed figure rests on, and how we know it."""

    name: str  # e.g. "gpu0.memory_bandwidth_gbs", "decode_efficiency.cuda.Q4_K"
    value: float | None
    status: FigureStatus
    source: str  # where it came from: "nvml", "spec-table", "fit on calibration set", ...


@dataclass(frozen=True)
class Speed:
    """tg128-style decode and pp512-style prefill rates, each with an honest range.

    The per-token costs let callers ask for decode speed at depth and time to first token.
    """

    decode_tokens_per_s: float  # llama-bench tg128: generation at an empty context
    prefill_tokens_per_s: float  # llama-bench pp512
    decode_range: tuple[float, float]
    prefill_range: tuple[float, float]
    basis: tuple[Figure, ...]
    # Seconds each decoded token costs per token already in the context (KV reads).
    decode_s_per_token_per_depth: float = 0.0
    # Seconds each prefilled token costs per token before it in the prompt (attention).
    prefill_s_per_token_per_depth: float = 0.0
    # Seconds each decoded token's sliding-window layers cost per cell of their cache, and the
    # cells by which their reads can still grow past the depth decode_tokens_per_s is quoted at
    # (their cache holds the window plus one ubatch: beyond it they read no more).
    decode_s_per_window_cell: float = 0.0
    window_cells_left: float = 0.0
    calibrated_from_runs: int = 0  # >0: scaled by this machine's own throughput tests
    measured_decode_tokens_per_s: float | None = None  # a stored run of this exact file
    measured_prefill_tokens_per_s: float | None = None

    def decode_tokens_per_s_at(self, depth_tokens: int) -> float:
        """Generation speed once `depth_tokens` are already in the context."""
        slowdown = self.decode_s_per_token_per_depth * depth_tokens
        slowdown += self.decode_s_per_window_cell * min(depth_tokens, self.window_cells_left)
        per_token = 1.0 / self.decode_tokens_per_s + slowdown
        return 1.0 / per_token

    def time_to_first_token_s(self, prompt_tokens: int) -> float:
        """Seconds to prefill a prompt of `prompt_tokens` and produce the first token."""
        linear = prompt_tokens / self.prefill_tokens_per_s
        attention = self.prefill_s_per_token_per_depth * prompt_tokens * prompt_tokens / 2
        return linear + attention + 1.0 / self.decode_tokens_per_s
