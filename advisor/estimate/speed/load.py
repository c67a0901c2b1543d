"""What one token costs a model, whatever the machine: bytes read, FLOPs, layers, KV traffic.

Decode reads every weight it uses once per token: all of a dense model except the token
embedding (a one-row lookup; tied embeddings are read in full as the output layer), and for a
mixture of experts the shared tensors plus the routed experts in use. Prefill multiplies the
same weights by a batch of tokens: about 2 FLOPs per weight per token, plus attention.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from advisor.catalog.model import Architecture
from advisor.catalog.tensors.layer_pattern import GDN_ARCHES, MAMBA_ARCHES
from advisor.catalog.tensors.quant_rules import DEFAULT_TYPE, TYPE_SIZES
from advisor.estimate.kv import block_caches
from advisor.estimate.speed.cpu_paths import kernel_mix
from advisor.estimate.speed.matvec import matvec_ops_ratio
from advisor.frozen import cached_hash

UBATCH_TOKENS = 512  # llama.cpp's default physical batch: prefill reads all weights once per batch
# Efficiency classes: quant types whose kernels cost about the same per byte.
QUANT_CLASSES: tuple[str, ...] = ("f16", "q8_0", "legacy", "kquant", "iquant", "mxfp4")


def quant_class(quant: str) -> str:
    """The kernel family of a llama.cpp file type (F16, Q8_0, Q4_K_M, IQ3_M, MXFP4, ...)."""
    q = quant.upper()
    if q in ("F16", "BF16", "F32"):
        return "f16"
    if q == "Q8_0":
        return "q8_0"
    if q in ("Q4_0", "Q4_1", "Q5_0", "Q5_1"):
        return "legacy"
    if q == "MXFP4":
        return "mxfp4"
    if q.startswith("IQ"):
        return "iquant"
    return "kquant"


def nominal_bits_per_weight(quant: str) -> float:
    """Bits per weight of the file type's main tensor type (GGML block size)."""
    q = quant.upper()
    ggml_type = DEFAULT_TYPE.get(q, q)  # the type of most of its weights (the experts, for MoE)
    block, type_bytes = TYPE_SIZES[ggml_type]
    return 8.0 * type_bytes / block


@cached_hash  # a key of the bounds' per-device terms (speed.floor, speed.ceiling)
@dataclass(frozen=True)
class TokenCost:
    """One token's work for one model file; a device share scales all of it."""

    weight_bytes_read: float  # weights read to decode one token
    expert_bytes_read: float  # the routed experts' part of `weight_bytes_read`
    expert_bytes_total: float  # every routed expert's bytes (what --cpu-moe moves to RAM)
    weight_bytes_total: float  # all weights: prefill reads every expert once per batch
    flops: float  # matrix FLOPs of one token (2 per weight used)
    expert_flops: float  # the routed experts' part of `flops` (small, scattered matmuls)
    n_layers: int
    n_moe_layers: int
    kv_bytes_per_depth: float  # KV bytes one decoded token reads per token already in context
    attn_flops_per_depth: float  # attention FLOPs per token per token already in context
    quant: str
    quant_class: str
    # The weight types a token multiplies by and each one's FLOP share (cpu_paths.kernel_mix):
    # what picks a CPU's kernel paths. Empty when the tensor layout is not known.
    kernel_mix: tuple[tuple[str, float], ...] = ()
    # k / E: the share of a layer's routed experts each token uses (0 for a dense model); a
    # batch of n tokens gives each expert n × k / E of them (paths.expert_tile_passes)
    expert_used_share: float = 0.0
    # Sliding-window attention layers: the KV bytes one token reads per cell they hold, and
    # the window; their cache keeps the window plus one ubatch of cells
    # (llama-kv-cache-iswa.cpp), so their reads stop growing there (model.swa_cells); each
    # sequence reads its own (batched_physics).
    swa_kv_bytes_per_cell: float = 0.0
    swa_window: int = 0
    swa_attn_flops_per_cell: float = 0.0  # those layers' Q·K and A·V FLOPs per cell
    # The output head's part of `flops` (2 × vocab × hidden): decode computes logits for every
    # token, a prompt only for the tokens it asks output of (prefill_flops).
    head_flops: float = 0.0
    # Bytes of F32 activations the non-matrix kernels of one prompt token read and write
    # across all layers (activation_bytes): a GPU's prefill streams them from memory.
    activation_bytes: float = 0.0
    # The last layer's FFN part of `flops` (2 × the FFN weights a token uses in one layer): in
    # a prompt it runs on the output rows only (prefill_flops).
    last_ffn_flops: float = 0.0
    # The token embedding's bytes when it is only a lookup (an untied head): a prompt batch
    # reads one row per token of it, not the tensor (prefill_bytes).
    lookup_bytes: float = 0.0
    # Bytes one decoded token moves through the recurrent layers' fixed f32 state (Mamba2,
    # gated delta net, short convolutions): each such layer reads its state and writes the new
    # one back every token (recurrent_state_traffic). Per sequence, like the KV cache.
    state_bytes: float = 0.0
    # A GPU's mat-vec instructions per weight of this file over Q4_0's (matvec.matvec_ops_ratio):
    # what its decode's shader work (gamma_gpu) is scaled by
    matvec_ops: float = 1.0

    def prefill_flops(self, ubatch_tokens: int) -> float:
        """Matrix FLOPs per prompt token: the output head, and the last layer's FFN, once per
        batch, not per token.

        llama-bench's pp test (tools/llama-bench/llama-bench.cpp test_prompt) and llama-server
        decode a prompt with common_batch_get_one, which marks only the batch's last token as an
        output (common/common.cpp). The graph keeps only those rows from the last layer's
        attention output on (src/models/*.cpp: `if (il == n_layer - 1 && inp_out_ids)` a
        ggml_get_rows of the layer's output and residual, llm_graph_context::build_inp_out_ids),
        so the last FFN and the head multiply those rows only. Counted once per physical batch
        of `ubatch_tokens`, the most a batch can ask for.
        """
        once = self.head_flops + self.last_ffn_flops
        return self.flops - once * (1.0 - 1.0 / max(ubatch_tokens, 1))

    @property
    def prefill_bytes(self) -> float:
        """The weights a prompt batch reads: all but an untied token embedding, of which
        ggml_get_rows reads only the batch's tokens' rows."""
        return self.weight_bytes_total - self.lookup_bytes


def swa_cells(cost: TokenCost, depth: float, ubatch_tokens: int = UBATCH_TOKENS) -> float:
    """Cells a sliding-window layer's attention reads at `depth`: the depth, up to the cache
    llama.cpp gives those layers (the window plus one ubatch, llama-kv-cache-iswa.cpp; the
    masked cells in it are read all the same)."""
    if cost.swa_window <= 0:
        return 0.0
    return min(depth, cost.swa_window + ubatch_tokens)


def _embedding_params(arch: Architecture) -> float:
    if arch.vocab_size is None:
        return 0.0
    return float(arch.vocab_size) * arch.hidden_size


def _routed_expert_params(arch: Architecture) -> float | None:
    """All routed-expert weights, when the architecture says how big an expert is."""
    moe = arch.moe
    if moe is None or moe.expert_intermediate_size is None:
        return None
    moe_layers = arch.n_layers - moe.first_k_dense_layers
    per_expert = 3.0 * arch.hidden_size * moe.expert_intermediate_size  # gate, up, down
    routed = moe_layers * moe.n_experts * per_expert
    # Latent-space experts (Nemotron-H) or odd layouts: the simple count would not fit beside
    # the token embedding and output head, which every model has besides its experts.
    outside = _embedding_params(arch) * (1 if arch.tie_word_embeddings else 2)
    return routed if routed + outside < arch.total_params_b * 1e9 else None


@dataclass(frozen=True)
class _Split:
    """What a token reads of a file: bytes and parameters, the routed experts' part apart."""

    read: float  # bytes read per token
    used_params: float
    expert_params: float  # routed-expert params used per token
    expert_read: float  # routed-expert bytes read per token
    expert_total: float  # all routed-expert bytes


def _moe_split(arch: Architecture, weights_bytes: float, quant: str) -> _Split:
    """What one token of a mixture-of-experts file reads and multiplies."""
    total = arch.total_params_b * 1e9
    embed = _embedding_params(arch)
    lookup = 0.0 if arch.tie_word_embeddings else embed
    routed = _routed_expert_params(arch)
    moe = arch.moe
    assert moe is not None
    if routed is None:
        # Only the published counts: read the active share of the file. With k of E experts
        # used, total = shared + routed and active = shared + routed × k/E, which gives the
        # routed part: (total - active) / (1 - k/E).
        used = max(arch.active_params_b * 1e9 - lookup, 0.0)
        read = weights_bytes * used / max(total - lookup, 1.0)
        fraction = moe.n_experts_used / moe.n_experts
        all_routed = min(max(total - arch.active_params_b * 1e9, 0.0) / (1.0 - fraction), total)
        expert_used = min(all_routed * fraction, used)
        share = expert_used / max(used, 1.0)
        expert_total = weights_bytes * all_routed / max(total, 1.0)
        return _Split(read, used, expert_used, read * share, expert_total)
    if quant_class(quant) == "mxfp4":
        # MXFP4 files keep only the experts in MXFP4; the shared tensors are Q8_0 or wider.
        expert_bytes = min(routed * nominal_bits_per_weight(quant) / 8.0, weights_bytes)
    else:
        # K-quant mixes (and Unsloth's dynamic ones) spread their bits over experts and
        # shared tensors alike: call the average the same for both.
        expert_bytes = weights_bytes * routed / total
    dense_params = total - routed
    dense_bytes = weights_bytes - expert_bytes
    active_routed = routed * moe.n_experts_used / moe.n_experts
    dense_read = dense_bytes * (dense_params - lookup) / max(dense_params, 1.0)
    expert_read = expert_bytes * moe.n_experts_used / moe.n_experts
    return _Split(dense_read + expert_read, dense_params - lookup + active_routed,
                  active_routed, expert_read, expert_bytes)  # fmt: skip


def _dense_read(arch: Architecture, weights_bytes: float) -> _Split:
    total = arch.total_params_b * 1e9
    lookup = 0.0 if arch.tie_word_embeddings else _embedding_params(arch)
    used = max(total - lookup, 0.0)
    return _Split(weights_bytes * used / total, used, 0.0, 0.0, 0.0)


def _kv_per_depth(arch: Architecture, kv_bytes_per_element: float) -> tuple[float, float]:
    """KV bytes and attention FLOPs each new token spends per token of context."""
    head_dim = arch.head_dim or arch.hidden_size // arch.n_heads
    n_full = arch.n_full_attention_layers
    if n_full is None:
        n_full = arch.n_layers - arch.n_linear_attention_layers
    kv_heads = arch.global_n_kv_heads or arch.n_kv_heads
    g_head_dim = arch.global_head_dim or head_dim
    if arch.mla is not None:
        kv_elems = float(arch.mla.kv_lora_rank + arch.mla.rope_dim)
    else:
        kv_elems = 2.0 * kv_heads * g_head_dim
    kv_bytes = n_full * kv_elems * kv_bytes_per_element
    # Q·K and A·V: 2 FLOPs per multiply-add, for every query head.
    attn_flops = n_full * 4.0 * arch.n_heads * g_head_dim
    return kv_bytes, attn_flops


def _swa_kv_per_cell(arch: Architecture, kv_bytes_per_element: float) -> tuple[float, float]:
    """(KV bytes, attention FLOPs) of a token's sliding-window layers per cell of their cache
    (0 without any).

    The layers that are neither full attention nor recurrent; their K and V heads are the
    architecture's n_kv_heads × head_dim (the global figures are the full layers' own).
    """
    if not arch.sliding_window or arch.n_full_attention_layers is None or arch.mla is not None:
        return 0.0, 0.0
    n_swa = max(arch.n_layers - arch.n_full_attention_layers - arch.n_linear_attention_layers, 0)
    head_dim = arch.head_dim or arch.hidden_size // arch.n_heads
    kv = n_swa * 2.0 * arch.n_kv_heads * head_dim * kv_bytes_per_element
    return kv, n_swa * 4.0 * arch.n_heads * head_dim  # Q·K and A·V, as _kv_per_depth counts


def _tensor_read_fractions(arch: Architecture,
                           quant: str) -> tuple[float, float, float, float] | None:  # fmt: skip
    """(read, routed experts read, all routed experts, lookup-only embedding) as fractions of the
    file's tensor bytes.

    From the exact GGUF tensor layout (advisor.catalog.tensors.layout): the token embedding is a
    lookup, a tied output head is read in full, each MoE layer reads k of its E experts.
    """
    try:
        from advisor.catalog.tensors.layout import quant_tensor_bytes

        qb = quant_tensor_bytes(arch, quant)
    except (ImportError, KeyError, ValueError):  # an architecture the layout does not cover
        return None
    if qb.total_bytes <= 0:
        return None
    experts = qb.expert_bytes
    used = arch.moe.n_experts_used / arch.moe.n_experts if arch.moe else 0.0
    head = qb.output_loaded_bytes - qb.output_bytes  # the tied head, read from token_embd
    read = qb.total_bytes - qb.input_bytes - experts + head + experts * used
    lookup = qb.input_bytes - head  # an untied embedding's bytes; a tied one is the head
    total = qb.total_bytes
    return read / total, experts * used / total, experts / total, lookup / total


# F32 activation elements one token's layer moves outside the matrix products, per element of
# each width, counted on llama.cpp's llama graph (src/models/llama.cpp, llm_graph_context
# build_norm / build_attn / build_ffn) as the CUDA backend runs it (ggml-cuda.cu fuses RMS norm
# with its weight multiply and SiLU with the gate multiply; MMQ first quantizes each matrix
# input to q8_1, ~1.1 bytes an element, in its own pass, 0.3 of a read-and-write in floats):
# hidden: 2 norms (read+write) 4, 3 inputs quantized 0.9+0.4(two reads), Wo and down outputs
#   2, 2 residual adds (2 reads + 1 write) 6 -> ~14.6 (with the q8_1 passes: 1.3 each, twice)
# query width: Q output 1, RoPE 2, flash-attention read and output 2, Wo input quantized 1.3
# KV width (K and V): outputs 1, RoPE on K 1, copy into the F16 cache 1.5
# FFN width used: gate and up outputs 2, SwiGLU (2 reads + 1 write) 3, down input 1.3
ACTIVATION_ELEMENTS = {"hidden": 14.6, "query": 6.3, "kv": 3.5, "ffn": 6.3}


def ffn_params_per_layer(arch: Architecture, used_params: float) -> float:
    """The FFN weights a token multiplies in one (average) layer: what a layer uses beyond the
    attention projections (dense, the experts in use, shared experts alike)."""
    h = float(arch.hidden_size)
    head_dim = arch.head_dim or arch.hidden_size // arch.n_heads
    query = float(arch.n_heads * head_dim)
    kv = 2.0 * arch.n_kv_heads * head_dim
    per_layer = max(used_params - _embedding_params(arch), 0.0) / float(arch.n_layers)
    return max(per_layer - h * (2.0 * query + kv), 0.0)


def activation_bytes(arch: Architecture, used_params: float) -> float:
    """F32 activation bytes one prompt token's non-matrix kernels move, over all layers.

    The FFN width a token uses comes from its parameters: what a layer multiplies beyond the
    attention projections, over the three FFN matrices (3 × hidden each per unit of width), so
    it holds for dense, mixture-of-experts (the experts in use) and shared-expert layers alike.
    """
    h = float(arch.hidden_size)
    head_dim = arch.head_dim or arch.hidden_size // arch.n_heads
    query = float(arch.n_heads * head_dim)
    kv = 2.0 * arch.n_kv_heads * head_dim
    layers = float(arch.n_layers)
    ffn = ffn_params_per_layer(arch, used_params) / (3.0 * h)
    e = ACTIVATION_ELEMENTS
    return 4.0 * layers * (e["hidden"] * h + e["query"] * query + e["kv"] * kv + e["ffn"] * ffn)


# Passes over a recurrent layer's f32 state per decoded token, counted in the vendored llama.cpp
# (llama-cpp-python 0.3.36's tree, 2026-10):
# - gated delta net (src/models/qwen35moe.cpp, delta-net-base.cpp): build_rs copies the
#   sequence's state out of the cache with ggml_get_rows (read + write), ggml_gated_delta_net
#   reads it and writes the new state into its output (read + write), and a ggml_cpy stores
#   that back into the cache (read + write): 6;
# - Mamba2 (src/models/mamba-base.cpp): ggml_ssm_scan reads the state straight from the cache
#   (get_ssm_rows) and writes the last state into its output, which a ggml_cpy stores back: 4;
# - any other recurrent block: at least the read and the write back, 2.
STATE_PASSES = {"gdn": 6.0, "mamba2": 4.0, "other": 2.0}


@lru_cache(maxsize=1024)  # per architecture: every file of it asks (block_caches' sum)
def recurrent_state_traffic(arch: Architecture) -> float:
    """Bytes of recurrent state one decoded token reads and writes (0 without such layers).

    The state per layer is what llama.cpp allocates (advisor.estimate.kv: conv history plus the
    SSM or delta-rule state, f32), times the passes the layer's graph makes over it.
    """
    recurrent = arch.n_linear_attention_layers > 0 or arch.recurrent is not None
    if not recurrent and arch.arch not in MAMBA_ARCHES:  # Nemotron-H counts its Mamba2 blocks
        return 0.0
    try:
        state = sum(block.state_bytes for block in block_caches(arch))
    except (KeyError, ValueError):  # an architecture whose state dimensions are not known
        return 0.0
    kind = "gdn" if arch.arch in GDN_ARCHES else "mamba2" if arch.arch in MAMBA_ARCHES else "other"
    return STATE_PASSES[kind] * float(state)


@lru_cache(maxsize=4096)
def _arch_terms(arch: Architecture, kv_bytes_per_element: float) -> tuple:
    """token_cost's terms that only the architecture (and the KV element) decides: KV bytes and
    attention FLOPs per depth, the same per sliding-window cell, the head's FLOPs, the experts'
    used share, the window, the recurrent state's traffic. Every file of it asks."""
    kv_bytes, attn_flops = _kv_per_depth(arch, kv_bytes_per_element)
    swa_bytes, swa_flops = _swa_kv_per_cell(arch, kv_bytes_per_element)
    used_share = arch.moe.n_experts_used / arch.moe.n_experts if arch.moe else 0.0
    window = int(arch.sliding_window or 0) if swa_bytes else 0
    return (kv_bytes, attn_flops, swa_bytes, swa_flops, 2.0 * _embedding_params(arch), used_share,
            window, recurrent_state_traffic(arch))  # fmt: skip


@lru_cache(maxsize=4096)
def _used_terms(arch: Architecture, used_params: float) -> tuple[float, float]:
    """(activation_bytes, the last layer's FFN FLOPs) of a token using `used_params`."""
    return activation_bytes(arch, used_params), 2.0 * ffn_params_per_layer(arch, used_params)


def token_cost(
    arch: Architecture,
    quant: str,
    weights_bytes: float,
    *,
    kv_bytes_per_element: float = 2.0,
    standard_mix: bool = True,
) -> TokenCost:
    """The per-token work of `arch` stored as a `quant` file holding `weights_bytes`.

    `standard_mix`: the file follows llama.cpp's own quantizer recipe, so the tensor layout
    tells which bytes a token reads; False for re-mixed files (Unsloth's dynamic "UD" quants),
    where the bits are taken as spread evenly.
    """
    if arch.moe is not None:
        split = _moe_split(arch, weights_bytes, quant)
        moe_layers = arch.n_layers - arch.moe.first_k_dense_layers
    else:
        split = _dense_read(arch, weights_bytes)
        moe_layers = 0
    fractions = _tensor_read_fractions(arch, quant.upper()) if standard_mix else None
    # An untied embedding's share of the file, its bits taken as the file's average ...
    lookup = 0.0 if arch.tie_word_embeddings else _embedding_params(arch)
    lookup_bytes = weights_bytes * lookup / (arch.total_params_b * 1e9)
    if fractions is not None and (arch.moe is None or fractions[2] > 0):
        read, expert_read, expert_total, lookup_bytes = (f * weights_bytes for f in fractions)
        split = _Split(read, split.used_params, split.expert_params, expert_read, expert_total)
    kv_bytes, attn_flops, swa_bytes, swa_flops, head, used_share, window, state = _arch_terms(
        arch, kv_bytes_per_element
    )
    activation, last_ffn = _used_terms(arch, split.used_params)
    mix = kernel_mix(arch, quant) if standard_mix else ()
    return TokenCost(
        weight_bytes_read=split.read,
        expert_bytes_read=split.expert_read,
        expert_bytes_total=split.expert_total,
        weight_bytes_total=weights_bytes,
        flops=2.0 * split.used_params,
        expert_flops=2.0 * split.expert_params,
        n_layers=arch.n_layers,
        n_moe_layers=moe_layers,
        kv_bytes_per_depth=kv_bytes,
        attn_flops_per_depth=attn_flops,
        quant=quant.upper(),
        quant_class=quant_class(quant),
        kernel_mix=mix,
        expert_used_share=used_share,
        head_flops=head,
        activation_bytes=activation,
        last_ffn_flops=last_ffn,
        lookup_bytes=lookup_bytes,
        swa_kv_bytes_per_cell=swa_bytes,
        swa_window=window,
        swa_attn_flops_per_cell=swa_flops,
        state_bytes=state,
        matvec_ops=matvec_ops_ratio(mix, quant),
    )
