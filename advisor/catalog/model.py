"""The catalog's concepts: models, their architectures and quants, and the catalog itself.

These are frozen standard-library dataclasses that travel between stages (and sit pickled in
the user cache, see advisor.files.disk_cache); pydantic validates `models.yaml` against them
strictly, unknown keys refused, through advisor.files.strict, and is imported only when a file is
validated. Every fact carries a source: a key into `Catalog.sources`. A fact nobody could find
is `None`, with the reason in `unknown`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Literal

from advisor.catalog.cloud_offers import Cloud
from advisor.catalog.fields import (
    Bytes,
    Date,
    Experts,
    Heads,
    Layers,
    OptionalDate,
    OptionalHeads,
    OptionalIndex,
    OptionalShare,
    OptionalSmall,
    OptionalSomeLayers,
    OptionalTokens,
    OptionalWidth,
    Params,
    Positive,
    QuantType,
    Share,
    Slug,
    SomeExperts,
    SomeLayers,
    Task,
    Tokens,
    Width,
)
from advisor.files.strict import FORBID, between, checked_after
from advisor.frozen import FrozenMap, cached_hash, frozen_map


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


def index_label(scale: str | None, metric: str) -> str | None:
    """The name of the index a `metric` score is on, for a score whose snapshot is on `scale`
    (Quality.scale): coding scores are Artificial Analysis's Coding Index, a sub-index
    published beside the Intelligence Index (and not rescaled with it at v4.1), never labelled
    as the Intelligence Index itself. None: the scale is unknown."""
    if scale is None or metric != "coding_index":
        return scale
    beside = scale.removeprefix("Artificial Analysis ")
    return f"Artificial Analysis Coding Index (published beside {beside})"


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

    id: Slug
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

    @cached_property
    def digest(self) -> str:
        """The SHA-256 of the catalog's repr (~0.5 MB for the shipped one, ~5 ms CPU): how the
        caches keyed on the whole catalog name it (advice, remedies, audit outcomes), made once
        per catalog however many of them a run reads."""
        import hashlib

        return hashlib.sha256(repr(self).encode()).hexdigest()

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
