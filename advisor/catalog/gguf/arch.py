"""An Architecture from a GGUF header: llama.cpp's metadata keys and the tensor shapes.

The key names and per-architecture layer rules follow llama.cpp (src/llama-arch.cpp and
src/models/*.cpp in the vendored source). Where the header does not say something and
llama.cpp's rule for the architecture is not known here, the field is None with a reason.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from advisor.catalog.gguf.header import GGUFHeader, LongArray, TensorInfo
from advisor.catalog.model import Architecture, Mla, Moe, Recurrent
from advisor.errors import GGUFError

# load_swa_pattern(ml, n_pattern, dense_first) per architecture, from src/models/<arch>.cpp.
SWA_PATTERNS: dict[str, tuple[int, bool]] = {
    "gemma2": (2, False), "gemma3": (6, False), "gemma3n": (5, False),
    "gemma-embedding": (6, False), "gpt-oss": (2, False), "llama4": (4, False),
    "cohere2": (4, False), "cohere2moe": (4, True), "exaone4": (4, False),
    "exaone-moe": (4, False), "olmo2": (4, False), "plamo3": (8, False), "afmoe": (4, False),
    "smallthinker": (4, True), "mellum": (4, False), "laguna": (4, True),
    "muse-glimmer": (4, False),
}  # fmt: skip
LLAMA4_CHUNK = 8192  # llama4 uses chunked attention of 8192 tokens unless the header says 0

# Architectures made only of recurrent layers (llm_arch_is_recurrent).
RECURRENT_ONLY = {"mamba": "other", "mamba2": "mamba2", "rwkv6": "rwkv", "rwkv6qwen2": "rwkv",
                  "rwkv7": "rwkv", "arwkv7": "rwkv"}  # fmt: skip
# Hybrids whose recurrent layers are every layer but each full_attention_interval-th.
INTERVAL_HYBRIDS = {"qwen3next": "gated_delta_net", "qwen35": "gated_delta_net",
                    "qwen35moe": "gated_delta_net", "qwen4exp": "gated_delta_net",
                    "minimax-01": "other"}  # fmt: skip
# Hybrids whose recurrent layers are those with no KV heads.
KV_ZERO_HYBRIDS = {"jamba": "other", "granitehybrid": "mamba2", "lfm2": "short_conv",
                   "lfm2moe": "short_conv", "plamo2": "other", "kimi-linear": "other",
                   "kimi-k3": "other", "glm5-next": "other", "bailingmoe3": "other",
                   "nemotron_h": "mamba2", "nemotron_h_moe": "mamba2"}  # fmt: skip
# Every layer runs attention and a mamba2 mixer side by side; the schema has no field for it.
PARALLEL_HYBRIDS = frozenset({"falcon-h1"})
DEFAULT_ATTENTION_INTERVAL = 4
GEMMA3N_KV_LAYERS = 20  # llama.cpp hard-codes n_layer_kv_from_start = 20 for gemma3n
MAX_LAYERS = 4096  # the deepest open models have under 200 blocks
ROUTED_EXPERT_MARK = "_exps."  # ffn_{gate,up,down,gate_up}_exps: one slice per routed expert


def parameter_counts(
    tensors: Sequence[TensorInfo], n_experts: int, n_experts_used: int
) -> tuple[int, int]:
    """(total, active) parameters. Active counts only the routed experts a token uses."""
    total = sum(t.n_elements for t in tensors)
    if n_experts <= 0:
        return total, total
    routed = sum(t.n_elements for t in tensors if ROUTED_EXPERT_MARK in t.name)
    idle = routed * (n_experts - n_experts_used) // n_experts
    return total, total - idle


def architecture_from_gguf(
    header: GGUFHeader, tensors: Sequence[TensorInfo], *, source: str
) -> Architecture:
    """Describe the network in `header` (tensors: every shard's) as a catalog Architecture."""
    meta = _Meta(header)
    unknown: dict[str, str] = {}
    n_layers = meta.required_int("block_count")
    if not 0 < n_layers <= min(MAX_LAYERS, len(tensors)):
        raise GGUFError(
            f"the header claims {n_layers} layers for {len(tensors)} tensors; "
            "that is not a model advisor can describe",
            path=header.path,
        )
    heads = meta.per_layer("attention.head_count", n_layers)
    _check_widths(meta, heads)
    kv_heads = meta.per_layer("attention.head_count_kv", n_layers, fallback=heads)
    recurrent_mask, recurrent = _recurrent(meta, n_layers, kv_heads)
    attention = [kv > 0 and not r for kv, r in zip(kv_heads, recurrent_mask, strict=True)]
    if meta.arch in PARALLEL_HYBRIDS:
        unknown["recurrent"] = "each layer also keeps a mamba2 state; not described here"
    sliding_window, swa_mask = _sliding_window(meta, n_layers, attention, unknown)
    moe = _moe(meta, tensors)
    total, active = parameter_counts(
        tensors, moe.n_experts if moe else 0, moe.n_experts_used if moe else 0
    )
    head_dims = _head_dims(meta, heads, unknown)
    kv_swa, kv_full = _kv_heads_by_kind(kv_heads, attention, swa_mask)
    fields: dict[str, Any] = dict(
        source=(source,),
        arch=meta.arch,
        total_params_b=round(total / 1e9, 9),
        active_params_b=round(active / 1e9, 9),
        n_layers=n_layers,
        hidden_size=meta.required_int("embedding_length"),
        n_heads=max(heads),
        n_kv_heads=kv_swa if swa_mask else kv_full,
        head_dim=head_dims[0],
        global_head_dim=head_dims[1],
        global_n_kv_heads=kv_full if swa_mask and kv_full != kv_swa else None,
        vocab_size=_vocab_size(meta, tensors, unknown),
        max_context=meta.required_int("context_length"),
        intermediate_size=_intermediate_size(meta, n_layers),
        tie_word_embeddings=not any(t.name == "output.weight" for t in tensors),
        sliding_window=sliding_window,
        n_full_attention_layers=_full_layers(attention, swa_mask, recurrent),
        n_linear_attention_layers=sum(recurrent_mask),
        n_kv_shared_layers=_kv_shared_layers(meta, n_layers),
        mla=_mla(meta),
        moe=moe,
        recurrent=recurrent,
        unknown=unknown,
        notes=f"read from the GGUF header of {header.path.name}",
    )
    from pydantic import ValidationError

    from advisor.files.strict import validate

    # Nested parts as plain data, so the schema checks them too, not just the whole.
    data = {
        k: dataclasses.asdict(v) if dataclasses.is_dataclass(v) and not isinstance(v, type) else v
        for k, v in fields.items()
    }
    try:
        return validate(Architecture, data)
    except ValidationError as exc:
        detail = "; ".join(e["msg"] for e in exc.errors())
        message = f"the header's architecture is inconsistent: {detail}"
        raise GGUFError(message, path=header.path) from None


def _check_widths(meta: _Meta, heads: Sequence[int]) -> None:
    """Sizes every tensor shape is derived from: none of them may be 0."""
    if meta.required_int("embedding_length") == 0:
        raise GGUFError(
            f"{meta.arch}.embedding_length is 0; a model's layers have a width above 0",
            path=meta.header.path,
        )
    if max(heads) == 0 and meta.arch not in RECURRENT_ONLY:
        raise GGUFError(
            f"{meta.arch}.attention.head_count is 0 in every layer, but {meta.arch} layers "
            "run attention",
            path=meta.header.path,
        )


class _Meta:
    """The header's metadata, with `{arch}.` prefixed keys and llama.cpp's per-layer arrays."""

    def __init__(self, header: GGUFHeader) -> None:
        self.header = header
        arch = header.architecture
        if not arch:
            raise GGUFError("the header has no general.architecture", path=header.path)
        self.arch = arch

    def raw(self, key: str) -> Any:
        return self.header.get(f"{self.arch}.{key}")

    def get_int(self, key: str) -> int | None:
        """A count: None when absent; a GGUFError when present but not a whole number >= 0."""
        value = self.raw(key)
        if value is None:
            return None
        if type(value) is not int or value < 0:
            raise self._bad(key, value)
        return value

    def required_int(self, key: str) -> int:
        value = self.get_int(key)
        if value is None:
            raise GGUFError(
                f"the header lacks {self.arch}.{key}; advisor cannot describe this model",
                path=self.header.path,
            )
        return value

    def per_layer(
        self, key: str, n_layers: int, fallback: Sequence[int] | None = None
    ) -> tuple[int, ...]:
        """A value llama.cpp reads with get_key_or_arr: one number, or one per layer."""
        value = self.raw(key)
        if value is None and fallback is not None:
            return tuple(fallback)
        if type(value) is int and value >= 0:
            return (value,) * n_layers
        if isinstance(value, tuple) and len(value) >= n_layers:
            items = value[:n_layers]
            if all(type(v) is int and v >= 0 for v in items):
                return items
        if value is None:
            self.required_int(key)  # raises: the key is missing
        raise self._bad(key, value, per_layer=n_layers)

    def _bad(self, key: str, value: Any, per_layer: int = 0) -> GGUFError:
        shown = repr(value)[:60]
        if isinstance(value, tuple | LongArray):
            shown = f"an array of {len(value) if isinstance(value, tuple) else value.length}"
        expected = "a whole number >= 0"
        if per_layer:
            expected += f", or an array of {per_layer} of them (one per layer)"
        return GGUFError(
            f"{self.arch}.{key} is {shown}; expected {expected}", path=self.header.path
        )


def _recurrent(
    meta: _Meta, n_layers: int, kv_heads: Sequence[int]
) -> tuple[list[bool], Recurrent | None]:
    kind = RECURRENT_ONLY.get(meta.arch) or INTERVAL_HYBRIDS.get(meta.arch)
    kind = kind or KV_ZERO_HYBRIDS.get(meta.arch)
    if kind is None:
        return [False] * n_layers, None
    if meta.arch in RECURRENT_ONLY:
        mask = [True] * n_layers
    elif meta.arch in INTERVAL_HYBRIDS:
        mask = _interval_mask(meta, n_layers)
    elif meta.arch.startswith("nemotron_h"):
        ffn = meta.per_layer("feed_forward_length", n_layers, fallback=[1] * n_layers)
        mask = [kv == 0 and ff == 0 for kv, ff in zip(kv_heads, ffn, strict=True)]
    else:
        mask = [kv == 0 for kv in kv_heads]
    return mask, _recurrent_state(meta, kind)


def _interval_mask(meta: _Meta, n_layers: int) -> list[bool]:
    explicit = meta.raw("attention.recurrent_layers")
    if isinstance(explicit, tuple) and len(explicit) >= n_layers:
        return [bool(v) for v in explicit[:n_layers]]
    interval = meta.get_int("full_attention_interval") or DEFAULT_ATTENTION_INTERVAL
    return [(i + 1) % interval != 0 for i in range(n_layers)]


def _recurrent_state(meta: _Meta, kind: str) -> Recurrent:
    n_heads = meta.get_int("ssm.time_step_rank")
    d_inner = meta.get_int("ssm.inner_size")
    head_dim = d_inner // n_heads if d_inner and n_heads else None
    return Recurrent(
        kind=kind,  # type: ignore[arg-type]
        d_state=meta.get_int("ssm.state_size"),
        d_conv=meta.get_int("ssm.conv_kernel") or meta.get_int("shortconv.l_cache"),
        n_heads=n_heads,
        head_dim=head_dim,
        n_groups=meta.get_int("ssm.group_count"),
        d_inner=d_inner,
    )


def _sliding_window(
    meta: _Meta, n_layers: int, attention: Sequence[bool], unknown: dict[str, str]
) -> tuple[int | None, list[bool]]:
    """(window, per-layer SWA flags); the flags are empty when no layer slides."""
    window = meta.get_int("attention.sliding_window")
    if meta.arch == "llama4" and window is None:
        window = LLAMA4_CHUNK
    if not window:
        return None, []
    pattern = meta.raw("attention.sliding_window_pattern")
    if isinstance(pattern, tuple) and len(pattern) >= n_layers:
        flags = [bool(v) for v in pattern[:n_layers]]
    elif type(pattern) is int or meta.arch in SWA_PATTERNS:
        n_pattern, dense_first = SWA_PATTERNS.get(meta.arch, (0, False))
        flags = _swa_flags(pattern if type(pattern) is int else n_pattern, dense_first, n_layers)
    elif meta.arch in KV_ZERO_HYBRIDS:
        flags = list(attention)  # lfm2: every attention layer slides
    else:
        unknown["sliding_window"] = (
            f"the header gives a window of {window} tokens, but which {meta.arch} layers "
            "use it in llama.cpp is not known to advisor; every layer is counted as full"
        )
        return None, []
    flags = [f and a for f, a in zip(flags, attention, strict=True)]
    return (window, flags) if any(flags) else (None, [])


def _swa_flags(n_pattern: int, dense_first: bool, n_layers: int) -> list[bool]:
    """llama_hparams::set_swa_pattern."""
    if n_pattern == 0:
        return [True] * n_layers
    if dense_first:
        return [i % n_pattern != 0 for i in range(n_layers)]
    return [i % n_pattern < n_pattern - 1 for i in range(n_layers)]


def _full_layers(
    attention: Sequence[bool], swa_mask: Sequence[bool], recurrent: Recurrent | None
) -> int | None:
    if not swa_mask and recurrent is None:
        return None  # every layer keeps a full KV cache
    swa = swa_mask or [False] * len(attention)
    return sum(a and not s for a, s in zip(attention, swa, strict=True))


def _kv_heads_by_kind(
    kv_heads: Sequence[int], attention: Sequence[bool], swa_mask: Sequence[bool]
) -> tuple[int, int]:
    """(KV heads of sliding layers, KV heads of full layers); the largest of each kind."""
    swa = swa_mask or [False] * len(kv_heads)
    full = [kv for kv, a, s in zip(kv_heads, attention, swa, strict=True) if a and not s]
    sliding = [kv for kv, a, s in zip(kv_heads, attention, swa, strict=True) if a and s]
    fallback = max(kv_heads)
    return max(sliding, default=fallback), max(full, default=fallback)


def _head_dims(
    meta: _Meta, heads: Sequence[int], unknown: dict[str, str]
) -> tuple[int | None, int | None]:
    """(head_dim, global_head_dim): Gemma 4 gives sliding layers a smaller head."""
    if meta.get_int("attention.kv_lora_rank"):
        return _mla_head_dim(meta, unknown), None
    key_length = meta.get_int("attention.key_length")
    swa_length = meta.get_int("attention.key_length_swa")
    if swa_length and key_length and swa_length != key_length:
        return swa_length, key_length
    if key_length:
        return key_length, None
    n_heads = max(heads)
    if n_heads:
        return meta.required_int("embedding_length") // n_heads, None
    unknown["head_dim"] = "the header has no attention heads and no key_length"
    return None, None


def _mla_head_dim(meta: _Meta, unknown: dict[str, str]) -> int | None:
    """An MLA model's head_dim is qk_nope_head_dim (the catalog's convention, model_dims).

    Current converters write the latent cache row as key_length (kv_lora_rank + rope, 576
    on DeepSeek) and the per-head query/key width as key_length_mla (nope + rope); older
    files have only key_length, the per-head width. Either way the rope part comes off.
    """
    rope = meta.get_int("rope.dimension_count") or 0
    per_head = meta.get_int("attention.key_length_mla") or meta.get_int("attention.key_length")
    if per_head and meta.get_int("attention.key_length_mla") is None:
        latent = (meta.get_int("attention.kv_lora_rank") or 0) + rope
        if per_head == latent:  # a latent row, not a head: the file does not say the head
            per_head = None
    if not per_head or per_head <= rope:
        unknown["head_dim"] = "the header gives no per-head key width (key_length_mla)"
        return None
    return per_head - rope


def _vocab_size(meta: _Meta, tensors: Sequence[TensorInfo], unknown: dict[str, str]) -> int | None:
    size = meta.get_int("vocab_size")
    tokens = meta.header.get("tokenizer.ggml.tokens")
    if size is None and isinstance(tokens, LongArray):
        size = tokens.length
    elif size is None and isinstance(tokens, tuple):
        size = len(tokens)
    embedding = next((t for t in tensors if t.name == "token_embd.weight"), None)
    if size is None and embedding is not None and len(embedding.shape) == 2:
        size = embedding.shape[1]
    if size is None:
        unknown["vocab_size"] = "the header has no vocabulary and no token embedding"
    return size


def _intermediate_size(meta: _Meta, n_layers: int) -> int | None:
    sizes = meta.per_layer("feed_forward_length", n_layers, fallback=[0])
    return max(sizes) or None


def _kv_shared_layers(meta: _Meta, n_layers: int) -> int:
    if meta.arch == "gemma3n":
        return max(0, n_layers - GEMMA3N_KV_LAYERS)
    return meta.get_int("attention.shared_kv_layers") or 0


def _mla(meta: _Meta) -> Mla | None:
    rank = meta.get_int("attention.kv_lora_rank")
    if not rank:
        return None
    return Mla(
        kv_lora_rank=rank,
        rope_dim=meta.get_int("rope.dimension_count") or 0,
        q_lora_rank=meta.get_int("attention.q_lora_rank") or None,
    )


def _moe(meta: _Meta, tensors: Sequence[TensorInfo]) -> Moe | None:
    n_experts = meta.get_int("expert_count") or 0
    if n_experts <= 0:
        return None
    expert_ff = meta.raw("expert_feed_forward_length")
    if isinstance(expert_ff, tuple):
        expert_ff = max(expert_ff, default=None)
    return Moe(
        n_experts=n_experts,
        n_experts_used=meta.get_int("expert_used_count") or 0,
        n_shared_experts=meta.get_int("expert_shared_count") or 0,
        expert_intermediate_size=expert_ff if type(expert_ff) is int else None,
        shared_expert_intermediate_size=meta.get_int("expert_shared_feed_forward_length"),
        first_k_dense_layers=meta.get_int("leading_dense_block_count") or 0,
        router_bias=any(t.name.endswith(".exp_probs_b.bias") for t in tensors),
    )
