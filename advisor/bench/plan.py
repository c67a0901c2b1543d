"""What a throughput test is asked to do, and what it tells a progress bar while it runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import psutil

from advisor.bench.measurement import DEFAULT_GEN_TOKENS, DEFAULT_PROMPT_TOKENS, PlacementKind
from advisor.bench.run.session import FLASH_ATTN, check_kv_type
from advisor.errors import UsageError

Phase = Literal["load", "warmup", "prefill", "decode"]
MAX_THREADS = 512  # GGML_MAX_N_THREADS (ggml/include/ggml.h): more aborts in ggml's threadpool


@dataclass(frozen=True)
class BenchPlan:
    """What to run. Defaults are llama-bench's: pp512, tg128, n_batch 2048, n_ubatch 512."""

    path: Path
    n_gpu_layers: int = 0  # -1: every layer, as llama-bench's default
    budget_s: float = 30.0
    n_threads: int | None = None  # None: physical cores, as llama-bench on x86 Linux
    n_prompt: int = DEFAULT_PROMPT_TOKENS
    n_gen: int = DEFAULT_GEN_TOKENS
    n_batch: int = 2048
    n_ubatch: int = 512
    kv_type: str = "f16"
    flash_attn: str = "auto"
    extra_buffers: bool | None = None  # None: on unless they crash here (see canary.py)
    max_runs: int = 10  # repetitions per test; more add little once the spread is known
    verbose: bool = False

    def __post_init__(self) -> None:
        if self.budget_s <= 0:
            raise UsageError("--budget must be a positive number of seconds")
        if self.n_prompt < 1 or self.n_gen < 1 or self.max_runs < 1:
            raise UsageError("prompt length, generation length and repetitions must be >= 1")
        if self.n_threads is not None and not 1 <= self.n_threads <= MAX_THREADS:
            raise UsageError(f"--threads must be between 1 and {MAX_THREADS} (ggml's limit)")
        if self.flash_attn not in FLASH_ATTN:
            raise UsageError(f"flash attention must be one of {sorted(FLASH_ATTN)}")
        check_kv_type(self.kv_type)


@dataclass(frozen=True)
class Progress:
    """What the run is doing now, for a progress bar."""

    phase: Phase
    prefill_runs: int
    decode_runs: int
    elapsed_s: float
    budget_s: float
    max_runs: int

    @property
    def remaining_s(self) -> float:
        return max(0.0, self.budget_s - self.elapsed_s)


@dataclass(frozen=True)
class BatchedProgress:
    """What a --parallel run is doing now: which B, of how many, and where in it."""

    phase: Literal["load", "warmup", "prefill", "decode"]
    sequences: int  # B of the point in hand (0 while loading and warming up)
    index: int  # 0-based position of B in the list
    count: int  # how many B values were asked for
    elapsed_s: float
    budget_s: float

    @property
    def remaining_s(self) -> float:
        return max(0.0, self.budget_s - self.elapsed_s)


ProgressFn = Callable[[Progress], None]
MAX_SEQUENCES = 256  # llama.cpp's LLAMA_MAX_SEQ


def parse_parallel(text: str) -> tuple[int, ...]:
    """--parallel 1,2,4,8: whole numbers of sequences, each from 1 to 256, no repeats."""
    values = []
    for part in text.split(","):
        try:
            value = int(part.strip())
        except ValueError:
            raise UsageError(
                f"--parallel takes whole numbers of sequences separated by commas, not {text!r}",
                hint="e.g. --parallel 1,2,4,8",
            ) from None
        if not 1 <= value <= MAX_SEQUENCES:
            raise UsageError(
                f"--parallel values must be from 1 to {MAX_SEQUENCES} sequences, not {value}"
            )
        if value in values:
            raise UsageError(f"--parallel lists {value} twice")
        values.append(value)
    return tuple(values)


def default_threads() -> int:
    """llama-bench's default thread count: the physical cores (common_cpu_get_num_math)."""
    return psutil.cpu_count(logical=False) or psutil.cpu_count() or 1


def placement_kind(n_gpu_layers: int, n_layers: int, backend: str) -> PlacementKind:
    """Where the layers went: -ngl counts the repeating layers plus the output layer."""
    if backend == "cpu" or n_gpu_layers == 0:
        return "cpu"
    if n_gpu_layers < 0 or n_gpu_layers >= n_layers + 1:
        return "gpu"
    return "partial"
