"""The Measurement: what one `advisor bench` run saw, with the file and settings it ran under."""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field

from advisor.estimate.placement import PlacementKind
from advisor.files.strict import KeyProblem, bounded, checked_after

DEFAULT_PROMPT_TOKENS = 512  # llama-bench pp512
DEFAULT_GEN_TOKENS = 128  # llama-bench tg128


@dataclass(frozen=True)
class ModelFile:
    """Which GGUF file ran: identified by size plus a hash of its header, not of every byte."""

    path: str
    size_bytes: int
    header_sha256: str  # sha256 of the first HEADER_BYTES bytes (metadata and tensor infos)
    name: str | None = None  # general.name
    architecture: str | None = None  # general.architecture
    file_type: str | None = None  # "Q4_K_M", from general.file_type
    n_params: int | None = None
    n_layers: int | None = None
    model_id: str | None = None  # the catalog id, when the file is a catalog model's
    quant: str | None = None  # the catalog quant, when the file is a catalog model's

    @property
    def identity(self) -> str:
        """The store key for the file: the same bytes anywhere on disk give the same key."""
        return f"{self.size_bytes}:{self.header_sha256}"


@dataclass(frozen=True)
class BenchSettings:
    """Everything that changes the numbers. Two runs compare only when these are equal."""

    n_gpu_layers: int
    n_threads: int
    n_ctx: int
    n_batch: int
    n_ubatch: int
    kv_type: str  # "f16", "q8_0", ...
    flash_attn: str  # "auto", "on" or "off", as asked for
    extra_buffers: bool  # llama.cpp weight repacking (AMX, CPU_REPACK); llama-bench --repack
    llama_cpp_version: str
    backend: str  # "cpu", "cuda", "metal", ...
    n_prompt: int = DEFAULT_PROMPT_TOKENS
    n_gen: int = DEFAULT_GEN_TOKENS

    @property
    def is_standard(self) -> bool:
        """True for the pp512/tg128 pair that estimates and published results use."""
        return self.n_prompt == DEFAULT_PROMPT_TOKENS and self.n_gen == DEFAULT_GEN_TOKENS


@dataclass(frozen=True)
class Throughput:
    """Repeated timings of one test (pp512 or tg128): one rate per repetition."""

    test: str  # "pp512", "tg128"
    n_tokens: int
    samples_tokens_per_s: tuple[float, ...]
    joules_per_token: float | None = None  # GPU energy (NVML) over the timed repetitions

    @property
    def runs(self) -> int:
        return len(self.samples_tokens_per_s)

    @property
    def mean_tokens_per_s(self) -> float:
        """The mean of the per-run rates, as llama-bench's avg_ts."""
        return statistics.fmean(self.samples_tokens_per_s)

    @property
    def stdev_tokens_per_s(self) -> float:
        """The sample standard deviation of the rates (0 for one run), as llama-bench's stdev_ts."""
        samples = self.samples_tokens_per_s
        return statistics.stdev(samples) if len(samples) > 1 else 0.0


def _in_range(m: Measurement) -> Measurement:
    """The bounds a measurement read back (from a report) must keep, checked by pydantic once
    its fields have their types: every rate, time and size finite, positive where a zero
    would divide, and far below anything absurd. Building one checks nothing."""
    for key in ("load_s", "duration_s", "budget_s"):
        bounded(getattr(m, key), key, 0, _SECONDS)
    for key, top in _OPTIONAL.items():
        if getattr(m, key) is not None:
            bounded(getattr(m, key), key, 0, top)
    for key in ("prefill", "decode"):
        result: Throughput | None = getattr(m, key)
        if result is not None:
            _within(key, _throughput_ok, result)
    _within("settings", _settings_ok, m.settings)
    _within("model", _file_ok, m.model)
    return m


def _within(key: str, check, *args, **kwargs) -> None:
    """Run `check`, its KeyProblem placed under `key`."""
    try:
        check(*args, **kwargs)
    except KeyProblem as exc:
        raise KeyProblem((key, *exc.loc), str(exc)) from None


def _throughput_ok(t: Throughput) -> None:
    if not t.samples_tokens_per_s:
        raise KeyProblem(("samples_tokens_per_s",), "must hold at least one rate")
    for index, rate in enumerate(t.samples_tokens_per_s):
        _within("samples_tokens_per_s", bounded, rate, index, 0, _RATE, low_open=True)
    bounded(t.n_tokens, "n_tokens", 1, _TOKENS)
    if t.joules_per_token is not None:
        bounded(t.joules_per_token, "joules_per_token", 0, 1e6)


def _settings_ok(s: BenchSettings) -> None:
    bounded(s.n_gpu_layers, "n_gpu_layers", -1, 100_000)
    for key in ("n_threads", "n_ctx", "n_batch", "n_ubatch", "n_prompt", "n_gen"):
        bounded(getattr(s, key), key, 1, _TOKENS)


def _file_ok(f: ModelFile) -> None:
    bounded(f.size_bytes, "size_bytes", 0, _BYTES)
    if f.n_params is not None:
        bounded(f.n_params, "n_params", 1, 1e15)
    if f.n_layers is not None:
        bounded(f.n_layers, "n_layers", 1, 100_000)


# Far past any real run: a figure beyond these is a typo or an attack.
_SECONDS = 1e7  # load, duration and budget
_RATE = 1e7  # tokens/s
_TOKENS = 2**30  # prompt, generation, context and batch sizes
_BYTES = 2**60  # file and memory sizes
_OPTIONAL = {
    "peak_rss_bytes": _BYTES,
    "peak_vram_bytes": _BYTES,
    "mean_power_w": 1e5,
    "estimated_decode_tokens_per_s": _RATE,
    "estimated_prefill_tokens_per_s": _RATE,
}


@dataclass(frozen=True)
class Measurement:
    """One throughput test of one file on one machine."""

    # Read back from a report, it carries derived keys (means, spreads, identity) too.
    __pydantic_config__ = {"extra": "allow"}

    # Read back from a report through pydantic (advisor.report.models), its ranges are checked.
    __get_pydantic_core_schema__ = checked_after(_in_range)

    machine_fingerprint: str
    model: ModelFile
    settings: BenchSettings
    placement: PlacementKind
    load_s: float
    prefill: Throughput | None  # None when interrupted before a prompt run finished
    decode: Throughput | None
    started_at: str  # ISO 8601, UTC
    duration_s: float
    budget_s: float
    interrupted: bool = False
    peak_rss_bytes: int | None = None
    peak_vram_bytes: int | None = None
    mean_power_w: float | None = None  # GPU board power over the timed runs (NVML)
    # The estimator's uncalibrated prediction for this file and placement, when it had one.
    estimated_decode_tokens_per_s: float | None = None
    estimated_prefill_tokens_per_s: float | None = None
    notes: tuple[str, ...] = ()  # what the run changed or noticed, in words
    unknown: Mapping[str, str] = field(default_factory=dict)  # field -> why it is None

    @property
    def has_results(self) -> bool:
        return self.prefill is not None or self.decode is not None
