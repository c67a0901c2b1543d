"""Seconds per batched step: B sequences decoding together, and B prompts prefilled together.

One decode step yields one token for each of B sequences (llama-batched-bench's TG phase).
Starting from the single-stream step the speed model predicts (advisor.estimate.speed.model:
weights over bandwidth, per-layer costs, KV at depth), each device's step grows by:

* experts: the weights are read once per step, but B tokens route to more distinct experts
  than one. With k of E experts per token, B tokens drawn from a pool of p·E experts touch
  p·E·(1 - (1 - k/(p·E))^B) of them per layer (p = 1: uniform routing, the issue's
  E·(1-(1-k/E)^B)). `expert_pool` p < 1 says the router favours some experts (fitted).
  Where a backend's vector mul_mat_id reads each (token, expert) pair's weights apart
  (PAIR_READ_BACKENDS), B tokens read B·k experts' weights instead: Metal's mul_mv_id
  dispatches one threadgroup slice per pair (ggml-metal-ops.cpp ggml_metal_op_mul_mat_id,
  ne123 = n_expert_used × n_tokens slices of a one-column mat-vec), so two tokens that pick
  the same expert read it twice. CUDA's mul_mat_vec_q_moe runs every token's warp of a slot
  in one block (mmvq.cu), so tokens sharing an expert share its reads there;
* KV: every extra sequence reads its own KV cache at its depth (the single stream's slope),
  and in sliding-window layers (Gemma 3, gpt-oss) its own window: the depth, up to the
  window plus one ubatch of cells, the cache llama.cpp gives those layers
  (llama-kv-cache-iswa.cpp; masked cells are read all the same); in recurrent layers (Mamba2,
  gated delta net) its own fixed state, read and written back (TokenCost.state_bytes);
* weight re-reads: Metal's small-batch kernels do not read each weight once for the whole
  step. kernel_mul_mv_ext takes 2 to 8 columns in groups of r1ptg (2 to 5) columns and reads
  the weights once per group; the K-quants take it only from 4 columns, and below (or for
  types it lacks) kernel_mul_mv runs one threadgroup per column (ggml_metal_op_mul_mat). So
  8 sequences of a Q8_0 file read the dense weights twice a step (weight_passes); CUDA's
  MMVQ/MMVF and the CPU take up to 8 columns at once;
* matrix work: every extra sequence multiplies every weight it uses. While llama.cpp runs its
  small-batch vector kernels (B <= 8: CUDA's MMVQ/MMVF_MAX_BATCH_SIZE, Metal's mul_mv_ext)
  each extra column is one more dot product per weight row on the shader ALUs: FLOPs at the
  FP32 rate (Coefficients.vector_s_per_flop; on a CPU the single stream's own compute per
  FLOP) times `g_vector`, whatever the prefill kernel path (MMQ, tensor cores, the quant's
  prefill factor) would do with the same work. Above, the matrix kernel runs at the prefill
  model's cost of one token times `g_matrix`, in tiles of `tile_columns` sequences (Metal's
  kernel_mul_mm: 32 columns), so B is rounded up to whole tiles. A MoE model's routed
  experts go through llama.cpp's mul_mat_id, whose switch to the matrix kernel comes later:
  Metal keeps its per-token mul_mv_id below 32 tokens (ggml_metal_op_mul_mat_id_use_mm),
  CUDA its MMVQ id kernel up to a batch that depends on the quant
  (get_mmvq_mmid_max_batch: 8, 7 for MXFP4 on Turing and newer). So the expert matmuls and
  the dense ones (attention, shared experts) are counted apart, each in its own kernel's
  regime;
* launches: with more than one sequence, `tau_multi_layer_s` per layer on backends that
  replay a captured graph for one-token batches only (CUDA: the builds the published sweeps
  ran disabled CUDA graphs for batches of more than one token, so every kernel is launched
  again); 0 elsewhere;
* recurrent state: each extra sequence runs its own scan in every recurrent (Mamba, linear
  attention) layer, `tau_recurrent_s` per layer and sequence.

A step is never faster than B tokens of prefill compute at the same depth.

Prefill of B prompts of P tokens (is_pp_shared = 0) is B·P tokens of the prefill model: the
weights are read once per ubatch, and each token attends to its own sequence only.

The constants live in batched_constants.json, fitted by scripts/fit_batched.py on
benchmarks/data/batched_bench.csv (llama.cpp's own published llama-batched-bench sweeps).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from advisor.estimate.speed.load import TokenCost
from advisor.estimate.speed.model import (
    UBATCH_TOKENS,
    Coefficients,
    SpeedConstants,
    decode_terms,
    prefill_terms,
    swa_cells,
    window_s_per_cell,
)

CONSTANTS_FILE = "batched_constants.json"
VECTOR_KERNEL_MAX_BATCH = 8  # CUDA MMVQ_MAX_BATCH_SIZE / MMVF_MAX_BATCH_SIZE, Metal mul_mv_ext
# Columns a backend's matrix kernel computes per tile (sequences are rounded up to whole tiles):
# ggml-metal kernel_mul_mm works on 64 x 32 tiles; CUDA's mmq picks its tile width from 8 to
# 128 in steps of 8 to fit the batch, and the CPU's loops have no tile to fill.
TILE_COLUMNS: dict[str, int] = {"metal": 32}
# The largest batch a backend's mul_mat_id (MoE experts) runs with its vector kernel, where it
# differs from VECTOR_KERNEL_MAX_BATCH: ggml-metal-common.cpp ggml_metal_op_mul_mat_id_use_mm
# (matrix kernel from 32 tokens); ggml-cuda mmvq.cu get_mmvq_mmid_max_batch_turing_plus (by
# the experts' tensor type; types not listed use MMVQ_MAX_BATCH_SIZE = 8).
MOE_VECTOR_MAX_BATCH: dict[str, int] = {"metal": 31}
CUDA_MOE_VECTOR_MAX_BATCH: dict[str, int] = {
    "MXFP4": 7, "Q2_K": 7, "Q3_K": 5, "IQ2_S": 7, "IQ3_S": 6, "IQ3_XXS": 7,
}  # fmt: skip
# Backends whose one-token steps replay a captured graph (ggml-cuda's CUDA graphs; HIP graphs
# are off in llama.cpp's default ROCm build).
GRAPH_BACKENDS = frozenset({"cuda"})
# Backends whose vector mul_mat_id reads each (token, expert) pair's weights apart (Metal's
# mul_mv_id: one threadgroup slice per pair, ggml_metal_op_mul_mat_id); see the docstring.
PAIR_READ_BACKENDS = frozenset({"metal"})
PARAMS = ("g_vector", "g_matrix", "tau_multi_layer_s", "expert_pool")


@dataclass(frozen=True, eq=False)  # hashed by identity: one instance per constants file
class BatchConstants:
    """Per-backend batched constants ("*": fitted on every backend), and the global ones."""

    per_backend: dict[str, dict[str, float]]  # backend or "*" -> {param: value}
    tau_recurrent_s: float
    spread: dict[str, tuple[float, float]]  # backend -> (low, high) measured/predicted, unseen
    source: str

    def get(self, backend: str, name: str) -> float:
        table = self.per_backend.get(backend, self.per_backend["*"])
        return table.get(name, self.per_backend["*"][name])

    def fitted_for(self, backend: str) -> bool:
        return backend in self.per_backend

    def range_for(self, backend: str) -> tuple[float, float]:
        return self.spread.get(backend, self.spread["*"])


def constants_from_dict(data: dict) -> BatchConstants:
    return BatchConstants(
        per_backend={k: {p: float(v) for p, v in table.items()}
                     for k, table in data["per_backend"].items()},
        tau_recurrent_s=float(data["tau_recurrent_s"]),
        spread={k: (float(v[0]), float(v[1])) for k, v in data["spread"].items()},
        source=str(data.get("source", "")),
    )  # fmt: skip


@lru_cache(maxsize=1)
def load_batch_constants() -> BatchConstants:
    """The constants shipped with the package (read once per process)."""
    # Beside this module, as the catalog's file sums are (importlib.resources: ~8 ms of
    # imports on a first report, 2026-12-07)
    text = Path(__file__).with_name(CONSTANTS_FILE).read_text("utf-8")
    return constants_from_dict(json.loads(text))


@dataclass(frozen=True)
class DeviceStep:
    """One device's part of a step: its share of one token's work and its unit costs."""

    cost: TokenCost
    share: float
    k: Coefficients
    backend: str
    recurrent_layers: int = 0  # Mamba / linear-attention layers of the whole model


def expert_read_share(step: DeviceStep, sequences: int, pool: float) -> float:
    """Share of all routed-expert bytes one step of `sequences` tokens reads: the distinct
    experts they route to, or every (token, expert) pair apart where the backend's vector
    mul_mat_id reads pairs apart (PAIR_READ_BACKENDS, below its switch to the matrix kernel)."""
    cost, backend = step.cost, step.backend
    if backend in PAIR_READ_BACKENDS and sequences <= moe_vector_max_batch(backend, cost.quant):
        return sequences * distinct_expert_share(cost, 1, pool)
    return distinct_expert_share(cost, sequences, pool)


def distinct_expert_share(cost: TokenCost, sequences: int, pool: float) -> float:
    """Share of all routed-expert bytes that `sequences` tokens read in one step."""
    if cost.expert_bytes_total <= 0:
        return 0.0
    one = cost.expert_bytes_read / cost.expert_bytes_total  # k / E
    pool = min(max(pool, one), 1.0)
    return pool * (1.0 - (1.0 - one / pool) ** sequences)


def moe_vector_max_batch(backend: str, quant: str) -> int:
    """The largest batch the backend's mul_mat_id runs with its vector kernel, for this quant."""
    if backend == "cuda":
        name = quant.upper()
        for prefix, batch in CUDA_MOE_VECTOR_MAX_BATCH.items():
            if name == prefix or name.startswith(prefix + "_"):
                return batch
    return MOE_VECTOR_MAX_BATCH.get(backend, VECTOR_KERNEL_MAX_BATCH)


def matrix_columns(backend: str, sequences: int, bc: BatchConstants,
                   vector_max: int = VECTOR_KERNEL_MAX_BATCH) -> float:  # fmt: skip
    """Extra sequences' matrix work above the vector kernel's batch, in prefill tokens:
    (columns - 1) x g_matrix, the columns rounded up to the kernel's whole tiles; 0 at or
    below `vector_max` sequences (vector_columns counts those)."""
    if sequences <= vector_max:
        return 0.0
    tile = TILE_COLUMNS.get(backend, 1)
    columns = math.ceil(sequences / tile) * tile
    return (columns - 1) * bc.get(backend, "g_matrix")


def vector_columns(backend: str, sequences: int, bc: BatchConstants,
                   vector_max: int = VECTOR_KERNEL_MAX_BATCH) -> float:  # fmt: skip
    """Extra sequences' columns in the backend's vector kernel: (sequences - 1) x g_vector up
    to `vector_max` sequences, 0 above (or for one sequence)."""
    if sequences <= 1 or sequences > vector_max:
        return 0.0
    return (sequences - 1) * bc.get(backend, "g_vector")


def dense_compute_s(step: DeviceStep, depth: float) -> float:
    """Seconds of dense matrix work (prefill rate) one token at `depth` costs on this device."""
    cost, k = step.cost, step.k
    return step.share * (cost.flops + cost.attn_flops_per_depth * depth) * k.prefill_s_per_flop


def expert_compute_s(step: DeviceStep) -> float:
    """Seconds of routed-expert matrix work (prefill rate) one token costs on this device."""
    return step.share * step.cost.expert_flops * step.k.prefill_s_per_expert_flop


def token_compute_s(step: DeviceStep, depth: float) -> float:
    """Seconds of matrix work (prefill rate) one token at `depth` costs on this device."""
    return dense_compute_s(step, depth) + expert_compute_s(step)


def vector_flop_s(step: DeviceStep) -> float:
    """Seconds per FLOP of one more column in a mat-vec kernel on this device's shader ALUs."""
    return step.share * step.k.vector_s_per_flop


def extra_matrix_s(step: DeviceStep, bc: BatchConstants, sequences: int, depth: float) -> float:
    """What the sequences beyond the first add in matrix work: dense and expert matmuls apart,
    each in its own kernel's regime (the vector kernels at the shader rate, the matrix kernels
    at the prefill rate)."""
    backend, cost = step.backend, step.cost
    dense_flops = cost.flops + cost.attn_flops_per_depth * depth
    shader = vector_flop_s(step)
    dense = matrix_columns(backend, sequences, bc) * dense_compute_s(step, depth)
    dense += vector_columns(backend, sequences, bc) * dense_flops * shader
    if cost.expert_flops <= 0:
        return dense
    vector_max = moe_vector_max_batch(backend, cost.quant)
    experts = matrix_columns(backend, sequences, bc, vector_max) * expert_compute_s(step)
    experts += vector_columns(backend, sequences, bc, vector_max) * cost.expert_flops * shader
    return dense + experts


# ggml-metal-ops.cpp ggml_metal_op_mul_mat: 2 to 8 columns of these weight types run
# kernel_mul_mv_ext, which reads a weight row once for a group of r1ptg columns (2 columns: 2;
# 3 and 6: 3; 4, 7 and 8: 4; 5: 5); the K-quants take it from 4 columns; every other case runs
# kernel_mul_mv, one threadgroup per column (nr1 = 1), which reads the weights once per column.
METAL_EXT_TYPES = ("F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "MXFP4", "IQ4_NL")
METAL_EXT_K_TYPES = ("Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K")
METAL_EXT_COLUMNS = {2: 2, 3: 3, 4: 4, 5: 5, 6: 3, 7: 4, 8: 4}


def weight_passes(backend: str, quant: str, sequences: int) -> int:
    """How many times a step of `sequences` tokens reads the dense weights in the backend's
    vector kernel: once on CUDA and the CPU (MMVQ/MMVF take up to 8 columns at once), on Metal
    once per group of columns mul_mv_ext takes together, or once per column (mul_mv)."""
    if backend != "metal" or sequences <= 1 or sequences > VECTOR_KERNEL_MAX_BATCH:
        return 1
    name = quant.upper()
    kind = next((t for t in METAL_EXT_TYPES + METAL_EXT_K_TYPES
                 if name == t or name.startswith(t + "_")), "")  # fmt: skip
    if kind in METAL_EXT_TYPES or (kind in METAL_EXT_K_TYPES and sequences >= 4):
        return math.ceil(sequences / METAL_EXT_COLUMNS[sequences])
    return sequences


def decode_step_s(step: DeviceStep, c: SpeedConstants, bc: BatchConstants, sequences: int,
                  depth: float, growth: float = 1.0,
                  ubatch_tokens: int = UBATCH_TOKENS) -> float:  # fmt: skip
    """Seconds this device spends on one step of `sequences` tokens at mean depth `depth`.

    `growth` scales what the sequences beyond the first add (a machine's batched calibration);
    `ubatch_tokens` sizes the sliding-window layers' cache (swa_cells).
    """
    base, slope = decode_terms(step.cost, step.share, step.k, c)
    cells = swa_cells(step.cost, depth, ubatch_tokens)
    window_s = window_s_per_cell(step.cost, step.share, step.k) * cells
    single = base + slope * depth + window_s
    if sequences <= 1:
        return single
    cost, backend = step.cost, step.backend
    pool = bc.get(backend, "expert_pool")
    more = expert_read_share(step, sequences, pool) - expert_read_share(step, 1, pool)
    experts = step.share * cost.expert_bytes_total * more * step.k.decode_s_per_byte
    passes = weight_passes(backend, cost.quant, sequences) - 1
    rereads = passes * step.share * (cost.weight_bytes_read - cost.expert_bytes_read)
    states = (sequences - 1) * step.share * cost.state_bytes
    # what the extra sequences read: their own KV, windows and recurrent states, and the
    # weights read again
    reads = (sequences - 1) * slope * depth + (rereads + states) * step.k.decode_s_per_byte
    reads += (sequences - 1) * window_s
    matrix = extra_matrix_s(step, bc, sequences, depth)
    launches = 0.0
    if backend in GRAPH_BACKENDS:
        launches = step.share * cost.n_layers * bc.get(backend, "tau_multi_layer_s")
    recurrent = step.share * (sequences - 1) * step.recurrent_layers * bc.tau_recurrent_s
    batched = single + growth * (experts + reads + matrix + launches + recurrent)
    return max(batched, sequences * token_compute_s(step, depth))


def prefill_s(step: DeviceStep, sequences: int, prompt_tokens: int,
              ubatch_tokens: int = UBATCH_TOKENS) -> float:  # fmt: skip
    """Seconds this device spends prefilling `sequences` prompts of `prompt_tokens` together."""
    tokens = sequences * prompt_tokens
    base, slope = prefill_terms(step.cost, step.share, step.k, min(ubatch_tokens, tokens))
    return tokens * (base + slope * (prompt_tokens - 1) / 2.0)
