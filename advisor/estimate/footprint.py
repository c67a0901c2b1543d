"""What each device holds for one assignment of a model's layers: weights, KV, compute, overhead.

llama.cpp keeps the input layer (token embeddings) on the CPU whatever -ngl says, gives each
device a contiguous range of repeating blocks, and puts the output layer on the device after
the last block (a tied output head is copied there from token_embd). KV follows its block's
device (offload_kqv). --cpu-moe leaves the routed-expert tensors of every block in system RAM.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from advisor.catalog.tensors.layout import QuantBytes
from advisor.estimate.compute import ComputeModel
from advisor.estimate.kv import swa_cells
from advisor.estimate.layout_sums import BlockSums, CacheSums
from advisor.estimate.placement import DeviceShare
from advisor.frozen import cached_hash
from advisor.units import MIB

# Runtime overhead a backend takes per GPU before any buffer: the driver context, kernels,
# the library's scratch pool. CUDA 12 with lazy module loading: 250-400 MiB of context plus
# cuBLAS/pool workspace; ROCm/HIP contexts run larger; Vulkan and SYCL in between. Metal
# shares RAM and has no separate context to speak of.
GPU_OVERHEAD_BYTES = {"cuda": 400 * MIB, "rocm": 500 * MIB, "vulkan": 300 * MIB,
                      "sycl": 400 * MIB, "metal": 64 * MIB}  # fmt: skip
# The process itself besides its buffers: llama.cpp's code, threads, the tokenizer tables and
# a Python host (llama-cpp-python); an idle server's resident set is 100-250 MiB.
CPU_OVERHEAD_BYTES = 200 * MIB
LOGIT_BYTES = 4  # the output buffer keeps one f32 row of logits per sequence
# With several GPUs and every layer offloaded llama.cpp pipelines ubatches
# (GGML_SCHED_MAX_COPIES = 4): each GPU keeps 3 more copies of its graph inputs.
PIPELINE_EXTRA_COPIES = 3


@cached_hash
@dataclass(frozen=True)
class Assignment:
    """Contiguous block ranges per device (CPU first), and where the output layer lives."""

    ranges: tuple[tuple[str, int, int], ...]  # (device, first block, end block)
    output: str
    experts_on_cpu: bool = False
    # Metal maps the model file into GPU buffers: the input layer counts against the GPU's
    # working set, and a tied output head is the same mapped bytes, not a copy.
    mapped: bool = False

    @cached_property
    def gpus(self) -> tuple[str, ...]:
        seen = [d for d, lo, hi in self.ranges if d != "cpu" and hi > lo]
        if self.output != "cpu" and self.output not in seen:
            seen.append(self.output)
        return tuple(seen)

    @cached_property
    def cpu_blocks(self) -> int:
        return sum(hi - lo for d, lo, hi in self.ranges if d == "cpu")


@cached_hash
@dataclass(frozen=True)
class Context:
    """The per-context facts a share needs."""

    n_cells: int
    n_ubatch: int
    compute: ComputeModel


# Per device: [repeating layers, weights, cache, compute] (plain lists: this runs thousands
# of times per catalog ranking).
Tallies = dict[str, list]


@dataclass(frozen=True)
class _Static:
    """What does not depend on the context: layers, weights and staging per device."""

    devices: tuple[str, ...]  # GPUs first, "cpu" last
    layers: tuple[int, ...]
    weights: tuple[float, ...]
    # Per device, per block range: the cache sums' differences over the range (bytes per
    # full-attention cell, per sliding-window cell, recurrent state at its end and start).
    spans: tuple[tuple[tuple[float, float, float, float], ...], ...]
    output: int  # index of the device holding the output layer
    staged: int  # op_offload: bytes copied into the first GPU's compute buffer
    pipelined: bool  # several GPUs, every layer offloaded
    cpu_runs_experts: bool


# (file's bytes, their sums, assignment) -> what does not depend on the context.
_STATIC: dict[tuple[QuantBytes, BlockSums, Assignment], _Static] = {}


def _span(sums: BlockSums, lo: int, hi: int) -> tuple[float, float, float, float]:
    return (sums.full_cell[hi] - sums.full_cell[lo], sums.swa_cell[hi] - sums.swa_cell[lo],
            sums.state[hi], sums.state[lo])  # fmt: skip


def _static(a: Assignment, qb: QuantBytes, sums: BlockSums) -> _Static:
    key = (qb, sums, a)
    hit = _STATIC.get(key)
    if hit is not None:
        return hit
    devices = (*a.gpus, "cpu")
    index = {d: i for i, d in enumerate(devices)}
    layers, weights = [0] * len(devices), [0.0] * len(devices)
    spans: list[list[tuple[float, float, float, float]]] = [[] for _ in devices]
    weights[index[input_device(a)]] += qb.input_bytes
    for device, lo, hi in a.ranges:
        i = index[device]
        layers[i] += hi - lo
        spans[i].append(_span(sums, lo, hi))
        block_weights = sums.weights_in(lo, hi)
        if a.experts_on_cpu and device != "cpu":
            experts = sums.experts_in(lo, hi)
            weights[i] += block_weights - experts
            weights[-1] += experts
        else:
            weights[i] += block_weights
    copied = a.output != "cpu" and not a.mapped
    weights[index[a.output]] += qb.output_loaded_bytes if copied else qb.output_bytes
    staged = 0.0
    if a.gpus:
        # op_offload: big matrix products of CPU-resident weights run on the first GPU, one
        # layer's weights copied into its compute buffer at a time.
        if a.cpu_blocks:
            staged = sums.largest_block
        elif a.experts_on_cpu:
            staged = sums.largest_expert
        if a.output == "cpu":
            staged = max(staged, qb.output_bytes)
    result = _Static(
        devices, tuple(layers), tuple(weights), tuple(tuple(r) for r in spans),
        index[a.output], int(staged),
        len(a.gpus) > 1 and not a.cpu_blocks and a.output != "cpu",
        a.experts_on_cpu and qb.expert_bytes > 0,
    )  # fmt: skip
    if len(_STATIC) > 100_000:
        _STATIC.clear()
    _STATIC[key] = result
    return result


def all_on_cpu(qb: QuantBytes, cache: CacheSums, n: int) -> _Static:
    """What _static gives for the assignment that keeps all `n` blocks on the CPU (-ngl 0),
    from the file's totals and its architecture's cache sums (layout_sums.cache_sums): no
    per-block sums. The same operations on the same numbers (the blocks' weights summed
    first to last, as their cumulative sums are)."""
    full_cell, swa_cell, state, _ = cache
    weights = 0.0
    weights += qb.input_bytes
    weights += sum(qb.layer_bytes)
    weights += qb.output_bytes
    span = (full_cell[n] - full_cell[0], swa_cell[n] - swa_cell[0], state[n], state[0])
    return _Static(("cpu",), (n,), (weights,), ((span,),), 0, 0, False, False)


def _cache_and_stage(st: _Static, window: int | None, ctx: Context) -> list[tuple[float, int]]:
    """Per device of `st`: (KV cache and state bytes, compute buffer bytes) at this context
    (`window`: the file's sliding window, BlockSums.window).

    The arithmetic of BlockSums.cache_in, done once per range with the sums' differences
    taken ahead (the same operations on the same numbers, so the same bytes to the last bit).
    """
    model = ctx.compute
    n_cells = ctx.n_cells
    swa = 0.0 if window is None else swa_cells(window, n_cells, ctx.n_ubatch)
    layer_stage = max(model.attention_bytes, model.ffn_bytes)
    last = len(st.devices) - 1
    out = []
    for i, spans in enumerate(st.spans):
        cache = sum([full * n_cells + part * swa + hi - lo for full, part, hi, lo in spans])
        stage = layer_stage if st.layers[i] else 0
        if i == st.output:
            stage = max(stage, model.output_bytes)
        if i == last:
            if st.cpu_runs_experts:
                stage = max(stage, model.ffn_bytes)
            if last:  # some GPU runs layers: the host keeps the graph inputs
                host = model.host_bytes
                # With pipelining it keeps one staging copy per ubatch in flight (a
                # published 4-GPU log: 72 MiB = 3 x a single GPU's 24 MiB host buffer).
                stage = max(stage, host * (PIPELINE_EXTRA_COPIES if st.pipelined else 1))
        elif st.pipelined:
            stage += PIPELINE_EXTRA_COPIES * model.host_bytes
        if i == 0 and last:
            stage += st.staged
        out.append((cache, stage))
    return out


def tallies(a: Assignment, qb: QuantBytes, sums: BlockSums, ctx: Context) -> Tallies:
    """Per device: [layers, weights, cache, compute] for this assignment and context."""
    st = _static(a, qb, sums)
    parts = _cache_and_stage(st, sums.window, ctx)
    return {
        device: [st.layers[i], st.weights[i], cache, stage]
        for i, (device, (cache, stage)) in enumerate(zip(st.devices, parts, strict=True))
    }


def needs(a: Assignment, qb: QuantBytes, sums: BlockSums, ctx: Context) -> tuple[int, ...]:
    """Per device of the tallies, in their order: the bytes it needs before runtime overhead."""
    return static_needs(_static(a, qb, sums), sums.window, ctx)


def static_needs(st: _Static, window: int | None, ctx: Context) -> tuple[int, ...]:
    """needs() from its context-free part (`window`: the file's sliding window)."""
    parts = _cache_and_stage(st, window, ctx)
    return tuple([int(w + c + s) for w, (c, s) in zip(st.weights, parts, strict=True)])


def devices_of(a: Assignment) -> tuple[str, ...]:
    """The devices the tallies of `a` list, in their order: GPUs first, the CPU last."""
    return (*a.gpus, "cpu")


def overheads(backend: str, vocab: int) -> tuple[int, int]:
    """(per GPU, for the CPU side) runtime overhead bytes."""
    gpu = GPU_OVERHEAD_BYTES.get(backend, GPU_OVERHEAD_BYTES["cuda"])
    return gpu, CPU_OVERHEAD_BYTES + LOGIT_BYTES * vocab


def input_device(a: Assignment) -> str:
    """Which device holds the input layer: the CPU, or the first GPU when the file is mapped."""
    return a.gpus[0] if a.mapped and a.gpus else "cpu"


def device_shares(
    t: Tallies,
    qb: QuantBytes,
    *,
    backend: str,
    vocab: int,
    budgets: dict[str, int | None],
    input_on: str = "cpu",
) -> tuple[DeviceShare, ...]:
    """One DeviceShare per device used, GPUs first, CPU last."""
    gpu_overhead, cpu_overhead = overheads(backend, vocab)
    shares = []
    for device, (layers, weights, cache, compute) in t.items():
        on_gpu = device != "cpu"
        shares.append(DeviceShare(
            device=device, layers=layers, weights_bytes=int(weights),
            kv_cache_bytes=int(round(cache)), compute_bytes=compute,
            overhead_bytes=gpu_overhead if on_gpu else cpu_overhead,
            available_bytes=budgets.get(device),
            input_bytes=qb.input_bytes if device == input_on else 0,
        ))  # fmt: skip
    return tuple(shares)
