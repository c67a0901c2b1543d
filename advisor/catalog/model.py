"""The catalog's concepts: models, their quants and the cloud offers they compete with.

These are frozen standard-library dataclasses that travel between stages (and sit pickled in
the user cache, see advisor.files.disk_cache); pydantic validates `models.yaml` against them
strictly, unknown keys refused, through advisor.files.strict, and is imported only when a file is
validated. Every fact carries a source: a key into `Catalog.sources`. A fact nobody could find
is `None`, with the reason in `unknown`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Literal

from advisor.files.strict import FORBID, Check, between, checked_after
from advisor.frozen import FrozenMap, cached_hash, frozen_map

Task = Literal["chat", "coding", "reasoning", "vision", "tools"]
TASKS: tuple[str, ...] = ("chat", "coding", "reasoning", "vision", "tools")

# GGUF file types the catalog may list (llama.cpp `llama_ftype` names).
QUANT_TYPES: tuple[str, ...] = (
    "IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ2_M", "IQ3_XXS", "IQ3_XS", "IQ3_S",
    "IQ3_M", "IQ4_XS", "IQ4_NL", "Q2_K", "Q2_K_S", "Q3_K_S", "Q3_K_M", "Q3_K_L", "Q4_0",
    "Q4_1", "Q4_K_S", "Q4_K_M", "Q5_0", "Q5_1", "Q5_K_S", "Q5_K_M", "Q6_K", "Q8_0", "MXFP4",
    "F16", "BF16", "F32",
)  # fmt: skip

_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


def _check_date(value: str | None) -> str | None:
    if value is not None and not _DATE.match(value):
        raise ValueError("expected a date as YYYY-MM or YYYY-MM-DD")
    return value


def _known_quant_type(value: str) -> str:
    if value not in QUANT_TYPES:
        raise ValueError(f"unknown quant type {value!r}; expected one of {QUANT_TYPES}")
    return value


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError("expected a lowercase slug: a-z, 0-9, '.', '_' and '-'")
    return value


_DATE_CHECK = Check(_check_date)
Date = Annotated[str, _DATE_CHECK]
OptionalDate = Annotated[str | None, _DATE_CHECK]
QuantType = Annotated[str, Check(_known_quant_type)]

# The ranges every number in models.yaml must fall in: wide enough for any model or price there
# is, narrow enough that a typo (0 heads, -4096 wide, 1e9 layers, NaN) stops at the file
# instead of crashing, or hanging, an estimate later.
_WIDTH = between(1, 1 << 20)  # hidden, intermediate, head and latent sizes
Params = Annotated[float, between(0, 1e5, above=True)]  # billions of parameters
Layers = Annotated[int, between(1, 1024)]  # llama.cpp's LLAMA_MAX_LAYERS is 512
SomeLayers = Annotated[int, between(0, 1024)]
OptionalSomeLayers = Annotated[int | None, between(0, 1024)]
Width = Annotated[int, _WIDTH]
OptionalWidth = Annotated[int | None, _WIDTH]
Heads = Annotated[int, between(1, 1 << 16)]
OptionalHeads = Annotated[int | None, between(1, 1 << 16)]
OptionalSmall = Annotated[int | None, between(1, 1 << 16)]  # state, conv, group counts
Experts = Annotated[int, between(1, 1 << 16)]
SomeExperts = Annotated[int, between(0, 1 << 16)]
Tokens = Annotated[int, between(1, 1 << 27)]  # context lengths, windows, vocabularies
OptionalTokens = Annotated[int | None, between(1, 1 << 27)]
Index = Annotated[float, between(0, 100)]  # Artificial Analysis indexes
OptionalIndex = Annotated[float | None, between(0, 100)]
Bytes = Annotated[int, between(1, 1 << 50)]  # a file size: 1 PiB is no GGUF anyone ships
Usd = Annotated[float, between(0, 1e6)]  # a monthly or per-million-token price
OptionalUsd = Annotated[float | None, between(0, 1e6)]
PerDay = Annotated[float, between(0, 1e9, above=True)]
OptionalPerDay = Annotated[float | None, between(0, 1e9, above=True)]
Seats = Annotated[int, between(1, 1_000_000)]
Share = Annotated[float, between(0, 1)]
OptionalShare = Annotated[float | None, between(0, 2)]
Positive = Annotated[float | None, between(0, 1e6, above=True)]
OptionalCount = Annotated[float | None, between(0, 1e9, above=True)]  # a published limit


@dataclass(frozen=True)
class Source:
    """Where a group of facts came from. Referenced by key from every entry."""

    __pydantic_config__ = FORBID

    title: str
    date: Date  # when the source was published or read: YYYY-MM or YYYY-MM-DD
    url: str | None = None


@dataclass(frozen=True)
class Mla:
    """Multi-head latent attention (DeepSeek-class): the cache holds the latent, not K and V."""

    __pydantic_config__ = FORBID

    kv_lora_rank: Width
    rope_dim: Width
    q_lora_rank: OptionalWidth = None


@dataclass(frozen=True)
class Moe:
    __pydantic_config__ = FORBID

    n_experts: Experts
    n_experts_used: Experts
    n_shared_experts: SomeExperts = 0
    expert_intermediate_size: OptionalWidth = None
    shared_expert_intermediate_size: OptionalWidth = None
    first_k_dense_layers: SomeLayers = 0  # leading layers with a dense FFN instead of experts
    # Routed experts working in a smaller latent space (Nemotron 3 Super: 1024): the hidden
    # state is projected down before the experts and back up after. None: the hidden size.
    latent_size: OptionalWidth = None
    # Whether the router adds a per-expert bias (exp_probs_b: DeepSeek-V3-class sigmoid
    # gating; DeepSeek-V2 has none). None: what the architecture's recipe assumes.
    router_bias: bool | None = None


@dataclass(frozen=True)
class Recurrent:
    """The fixed-size state of linear-attention or recurrent layers (hybrid models)."""

    __pydantic_config__ = FORBID

    kind: Literal["gated_delta_net", "mamba2", "short_conv", "rwkv", "other"]
    d_state: OptionalSmall = None  # SSM state size (mamba2) or key head dim (gated delta net)
    d_conv: OptionalSmall = None  # convolution kernel width
    n_heads: OptionalHeads = None  # value heads
    head_dim: OptionalWidth = None  # value head dim
    n_groups: OptionalSmall = None  # key heads (gated delta net) or groups (mamba2)
    d_inner: OptionalWidth = None


def _consistent_architecture(arch: Architecture) -> Architecture:
    """The checks across Architecture's fields (run by pydantic once each field is valid)."""
    if arch.active_params_b > arch.total_params_b + 1e-9:
        raise ValueError("active_params_b is larger than total_params_b")
    full = arch.n_full_attention_layers
    if full is not None and full + arch.n_linear_attention_layers > arch.n_layers:
        raise ValueError("n_full_attention_layers + n_linear_attention_layers > n_layers")
    if arch.moe and arch.moe.n_experts_used > arch.moe.n_experts:
        raise ValueError("moe.n_experts_used is larger than moe.n_experts")
    if arch.n_kv_heads > arch.n_heads:
        raise ValueError("n_kv_heads is larger than n_heads")
    for name in ("n_linear_attention_layers", "n_kv_shared_layers"):
        if getattr(arch, name) > arch.n_layers:
            raise ValueError(f"{name} is larger than n_layers")
    if arch.moe and arch.moe.first_k_dense_layers > arch.n_layers:
        raise ValueError("moe.first_k_dense_layers is larger than n_layers")
    return arch


@cached_hash
@dataclass(frozen=True)
class Architecture:
    """What memory and speed need to know about the network. Sizes are counts, not bytes."""

    __pydantic_config__ = FORBID
    __get_pydantic_core_schema__ = checked_after(_consistent_architecture)

    source: tuple[str, ...]
    arch: str  # llama.cpp architecture name (general.architecture)
    total_params_b: Params
    active_params_b: Params
    n_layers: Layers
    hidden_size: Width
    n_heads: Heads
    n_kv_heads: Heads
    head_dim: OptionalWidth
    vocab_size: OptionalTokens
    max_context: Tokens
    intermediate_size: OptionalWidth = None
    tie_word_embeddings: bool | None = None
    sliding_window: OptionalTokens = None  # tokens a sliding-window layer keeps
    # Layers that keep a KV cache for the full context. None means every attention layer.
    n_full_attention_layers: OptionalSomeLayers = None
    # Layers with a fixed-size recurrent or linear-attention state and no KV cache.
    n_linear_attention_layers: SomeLayers = 0
    n_kv_shared_layers: SomeLayers = 0  # trailing layers reusing an earlier layer's KV (Gemma 3n/4)
    global_head_dim: OptionalWidth = None  # full-attention layers' head dim where it differs
    global_n_kv_heads: OptionalHeads = None  # full-attention layers' KV heads where they differ
    mla: Mla | None = None
    moe: Moe | None = None
    recurrent: Recurrent | None = None
    unknown: dict[str, str] = field(default_factory=FrozenMap)  # field -> why it is unknown
    notes: str | None = None

    def __post_init__(self) -> None:  # `unknown` frozen, so an Architecture hashes
        object.__setattr__(self, "unknown", frozen_map(self.unknown))

    @property
    def is_moe(self) -> bool:
        return self.moe is not None


@dataclass(frozen=True)
class Quality:
    """Artificial Analysis indexes for the model (0-100), from one dated snapshot.

    `index_version` names the index's scale: AA rescaled its index between the 2026-08-22 and
    2026-10-10 snapshots, and scores on two scales are never compared (see `scale`). A score
    with no version (an older overlay entry) is on an unknown scale and compares with nothing.
    """

    __pydantic_config__ = FORBID

    source: str
    snapshot_date: Date
    intelligence_index: OptionalIndex
    coding_index: OptionalIndex = None
    agentic_index: OptionalIndex = None
    estimated: bool = False  # AA marks the index as its own estimate, not a measured run
    aa_name: str | None = None  # the leaderboard row this was read from
    note: str | None = None
    index_name: str = "Artificial Analysis Intelligence Index"
    index_version: str | None = None  # "v4.1": the scale the scores are on
    # Set by advisor for `--quality MODEL=SCORE` (advisor.catalog.quality_assumed), never read
    # from a catalog: the score is the user's own estimate, on the catalog's scale.
    assumed_by: str | None = None

    @property
    def scale(self) -> str | None:
        """What two scores must share to be compared: the index and its version."""
        return None if self.index_version is None else f"{self.index_name} {self.index_version}"


@dataclass(frozen=True)
class Quant:
    """One GGUF file of the model."""

    __pydantic_config__ = FORBID

    type: QuantType
    size_bytes: Bytes
    basis: Literal["published", "computed"]  # computed = from the GGUF tensor-type mix
    source: str
    file: str | None = None  # file name in the GGUF repository
    repo: str | None = None  # overrides Model.gguf_repo for this file
    note: str | None = None


@dataclass(frozen=True)
class Model:
    __pydantic_config__ = FORBID

    id: Annotated[str, Check(_slug)]
    name: str
    hf_repo: str
    family: str
    source: tuple[str, ...]  # for the model-level facts (release date, license, tasks)
    release_date: OptionalDate
    license: str | None
    tasks: tuple[Task, ...]
    architecture: Architecture
    quality: Quality | None
    quants: tuple[Quant, ...]
    gguf_repo: str | None = None
    ollama_tag: str | None = None
    # Used by llama.cpp's public benchmarks, so users can line results up with published ones.
    benchmark_reference: bool = False
    unknown: dict[str, str] = field(default_factory=dict)
    notes: str | None = None
    # Hugging Face repos of the base (pretrained) checkpoints this model was tuned from: the
    # same architecture and tensor shapes, so a base repo resolves to this entry (with a note).
    base_repos: tuple[str, ...] = ()

    def quant(self, name: str) -> Quant | None:
        wanted = name.upper()
        return next((q for q in self.quants if q.type == wanted), None)


@dataclass(frozen=True)
class PublishedLimit:
    """One limit as the vendor (or the source) publishes it: `count` `unit` per `per`."""

    __pydantic_config__ = FORBID

    count: OptionalCount  # None: the unit is published without a number (compute-based quota)
    unit: str  # "messages", "Codex local messages", "AI credits", "x Pro usage", ...
    per: Literal["5 hours", "day", "week", "month"]
    task: Task | None = None  # the one task it applies to; None: the plan's headline limit
    note: str | None = None

    @property
    def text(self) -> str:
        count = "unknown" if self.count is None else f"{self.count:,g}"
        task = f" ({self.task})" if self.task else ""
        note = f"; {self.note}" if self.note else ""
        return f"{count} {self.unit} per {self.per}{task}{note}"


@dataclass(frozen=True)
class Subscription:
    """A flat-rate plan (ChatGPT Plus, Claude Max, Copilot Pro, ...)."""

    __pydantic_config__ = FORBID

    id: str
    vendor: str
    product: str
    plan: str
    price_usd_per_month: Usd
    tasks: tuple[Task, ...]  # what the plan is sold for
    limits: str  # the published limits, as published
    # Our reading of the published limits as typical requests per day for one seat;
    # None where no number is published. limits_basis says how it was read.
    requests_per_day: OptionalPerDay
    limits_basis: str | None
    source: str
    date: Date
    min_seats: Seats = 1
    api_access: bool = False  # False: interactive use only, a program may not call it
    annual_price_usd_per_month: OptionalUsd = None
    note: str | None = None
    # Where the plan publishes a separate limit for a task (ChatGPT's Codex limits).
    requests_per_day_by_task: dict[Task, PerDay] = field(default_factory=dict)
    # Usage sold as a dollar amount at API prices (Cursor, Claude's included API credit).
    included_usage_usd_per_month: OptionalUsd = None
    # The limits in the vendor's own units (messages per 5 hours, weekly caps, credits).
    limits_published: tuple[PublishedLimit, ...] = ()
    # What the limit counts: a user prompt (an agent's steps inside it are not counted) or
    # dollars of usage at API prices (every model call spends them).
    counts: Literal["prompts", "usd"] = "prompts"
    # requests_per_day is an assumption, not a reading of a published number (limits_basis).
    limit_assumed: bool = False
    # The only vendor whose API the included usage buys (Claude's credit: the Claude API);
    # None: any vendor's models (Cursor).
    api_vendor: str | None = None

    def requests_per_day_for(self, task: str) -> float | None:
        """Our reading of the limits for `task`: the task's own figure, else the headline."""
        return self.requests_per_day_by_task.get(task, self.requests_per_day)  # type: ignore


@dataclass(frozen=True)
class ApiModel:
    """A model sold per token, closed frontier or a hosted open model."""

    __pydantic_config__ = FORBID

    id: str
    vendor: str  # who sells it: openai, anthropic, deepinfra, ...
    name: str
    input_usd_per_mtok: Usd
    output_usd_per_mtok: Usd
    source: str
    date: Date
    cached_input_usd_per_mtok: OptionalUsd = None
    context_tokens: OptionalTokens = None
    intelligence_index: OptionalIndex = None
    coding_index: OptionalIndex = None
    quality_source: str | None = None
    open_weights: bool = False
    catalog_model: str | None = None  # the catalog id of the same open model, if hosted
    frontier: bool = False  # counts as the frontier model for the tasks it is best at
    note: str | None = None
    aa_name: str | None = None  # the Artificial Analysis row the indexes were read from
    quality_estimated: bool = False  # AA marks the index as its own estimate
    deprecation_date: OptionalDate = None  # the vendor retires the model on this date
    quality_date: OptionalDate = None  # the snapshot the indexes were read from
    quality_index_name: str | None = None
    quality_index_version: str | None = None  # the scale (see Quality.index_version)

    @property
    def quality_scale(self) -> str | None:
        if self.quality_index_name is None or self.quality_index_version is None:
            return None
        return f"{self.quality_index_name} {self.quality_index_version}"


@dataclass(frozen=True)
class ElectricityPrice:
    __pydantic_config__ = FORBID

    region: str  # "us", "eu", "de", "us-ca", ...
    usd_per_kwh: Annotated[float, between(0, 100)]
    source: str
    date: Date
    note: str | None = None
    exchange_rate_source: str | None = None  # for prices converted to USD from another currency


@dataclass(frozen=True)
class Cloud:
    __pydantic_config__ = FORBID

    subscriptions: tuple[Subscription, ...]
    api_models: tuple[ApiModel, ...]
    electricity: tuple[ElectricityPrice, ...] = ()


@dataclass(frozen=True)
class QuantQuality:
    """How much of the unquantized model's quality a quant type keeps, as measured on one model.

    `retained` (0-1) is what the ranking multiplies a quality index by: 1 + the mean change in
    the correct token's probability (llama.cpp's Mean Δp) on the model named in measured_on.
    """

    __pydantic_config__ = FORBID

    type: QuantType
    retained: Share
    source: tuple[str, ...]
    measured_on: str
    mean_delta_p: Annotated[float | None, between(-1, 1)] = None  # fraction, negative = worse
    # mean KL divergence from the 16-bit model's token distribution
    kld: Annotated[float | None, between(0, 1e3)] = None
    ppl_ratio: Positive = None  # perplexity over the 16-bit model's
    task_retained: OptionalShare = None  # a task benchmark's score over the 16-bit model's


@dataclass(frozen=True)
class Catalog:
    __pydantic_config__ = FORBID

    schema_version: Annotated[int, between(1, 1000)]
    catalog_version: str
    sources: dict[str, Source]
    models: tuple[Model, ...]
    cloud: Cloud
    quant_quality: tuple[QuantQuality, ...] = ()

    def quant_retained(self, quant: str) -> float | None:
        """The fraction of quality `quant` keeps (see QuantQuality); None if not measured."""
        wanted = quant.upper()
        return next((q.retained for q in self.quant_quality if q.type == wanted), None)

    def find(self, id_or_repo: str) -> Model | None:
        """A model by catalog id or Hugging Face repo id, case-insensitively; a base model's
        repo finds its instruct sibling (see base_note)."""
        wanted = id_or_repo.strip().lower()
        for model in self.models:
            if model.id == wanted or model.hf_repo.lower() == wanted:
                return model
        return next((m for m in self.models if wanted in _lower(m.base_repos)), None)

    def base_note(self, id_or_repo: str) -> str | None:
        """Where `id_or_repo` is a base model's repo: a note naming the entry used for it."""
        wanted = id_or_repo.strip().lower()
        if any(m.id == wanted or m.hf_repo.lower() == wanted for m in self.models):
            return None
        model = next((m for m in self.models if wanted in _lower(m.base_repos)), None)
        if model is None:
            return None
        return (
            f"{id_or_repo.strip()} is the base model of {model.id} ({model.hf_repo}): the same"
            " architecture and tensor shapes, so its figures are used"
        )


def _lower(repos: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(r.lower() for r in repos)
