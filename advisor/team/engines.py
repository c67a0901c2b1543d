"""Ready-to-paste commands for the engines teams already run, with the memory behind each.

advisor plans and emits; the engine serves. llama-server and Ollama run the plan's GGUF file
with one KV cache per slot (llama.cpp's own allocation, as estimated). vLLM runs the original
weights (BF16, or FP8 quantized at load) on CUDA and ROCm servers; its KV cache is carved into
blocks of 16 tokens from what is left of --gpu-memory-utilization once weights and runtime are
placed, and it serves at most --max-num-seqs sequences at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisor.units import GIB

if TYPE_CHECKING:
    from advisor.catalog.model import Model
    from advisor.probe.machine import Machine
    from advisor.team.server import ServerRun

PORT = 8080
VLLM_BLOCK_TOKENS = 16  # vLLM's default KV block size on CUDA and ROCm
VLLM_MEMORY_UTILIZATION = 0.90  # vLLM's default --gpu-memory-utilization
# Assumption: CUDA context, CUDA graphs and the activation peak of vLLM's profiling run take
# about this much per GPU beside the weights; vLLM prints the real figure at start-up
# ("Available KV cache memory", "Maximum concurrency for N tokens per request").
VLLM_RUNTIME_BYTES_PER_GPU = 3 * GIB
# Checkpoint bytes per parameter: BF16 as published, FP8 when quantized at load.
VLLM_DTYPES = (("bf16", 2.0), ("fp8", 1.0))


@dataclass(frozen=True)
class EngineConfig:
    __pydantic_config__ = {"extra": "forbid"}  # read back from a report: no other keys

    engine: str  # "llama-server", "ollama", "vllm"
    commands: tuple[str, ...]  # shell lines, in order
    memory: tuple[str, ...]  # the arithmetic behind the flags, one line each
    notes: tuple[str, ...] = ()
    available: bool = True  # False: this engine cannot run the plan here (notes say why)


def engine_configs(machine: Machine, model: Model, run: ServerRun) -> tuple[EngineConfig, ...]:
    return (
        llama_server(model, run),
        ollama(model, run),
        vllm(machine, model, run),
    )


def _gguf_source(model: Model, quant: str) -> tuple[str, str]:
    """(llama-server flag, Ollama model name) for the plan's file."""
    file = model.quant(quant)
    repo = (file.repo if file else None) or model.gguf_repo
    if repo:
        return f"-hf {repo}:{quant}", f"hf.co/{repo}:{quant}"
    name = (file.file if file else None) or f"{model.id}-{quant}.gguf"
    return f"-m /models/{name}", f"{model.id}-{quant.lower()} (import /models/{name} first)"


def _llama_memory(run: ServerRun) -> tuple[str, ...]:
    est, c, ctx = run.estimate, run.slots, run.context_per_slot_tokens
    lines = [
        f"-c {c * ctx} = {c} slots × {ctx:,} tokens: each slot gets {ctx:,} (split, llama.cpp's "
        "default); with --kv-unified the slots share one pool and one long chat may take more",
    ]
    for share in est.placement.shares:
        room = "unknown" if share.available_bytes is None else _gib(share.available_bytes)
        lines.append(
            f"{share.device}: weights {_gib(share.weights_bytes)} + KV cache "
            f"{_gib(share.kv_cache_bytes)} + compute {_gib(share.compute_bytes)} + runtime "
            f"{_gib(share.overhead_bytes)} = {_gib(share.total_bytes)} of {room}"
        )
    return tuple(lines)


def _ngl(run: ServerRun) -> str:
    placement = run.estimate.placement
    flags = f"-ngl {placement.gpu_layers}" if placement.gpu_layers else "-ngl 0"
    return flags + (" --cpu-moe" if placement.experts_on_cpu else "")


def llama_server(model: Model, run: ServerRun) -> EngineConfig:
    source, _ = _gguf_source(model, run.quant)
    fa = "on" if run.estimate.flash_attn else "off"
    command = (
        f"llama-server {source} --host 0.0.0.0 --port {PORT} -np {run.slots} "
        f"-c {run.slots * run.context_per_slot_tokens} {_ngl(run)} -fa {fa} --metrics"
    )
    notes = ("speeds in this plan are llama.cpp's, from the batched estimate",)
    return EngineConfig("llama-server", (command,), _llama_memory(run), notes)


def ollama(model: Model, run: ServerRun) -> EngineConfig:
    _, name = _gguf_source(model, run.quant)
    name = model.ollama_tag if model.ollama_tag and run.quant == "Q4_K_M" else name
    env = (
        f"OLLAMA_NUM_PARALLEL={run.slots} OLLAMA_CONTEXT_LENGTH={run.context_per_slot_tokens} "
        "OLLAMA_FLASH_ATTENTION=1 OLLAMA_KEEP_ALIVE=-1 OLLAMA_HOST=0.0.0.0:11434 ollama serve"
    )
    memory = (
        f"Ollama allocates OLLAMA_CONTEXT_LENGTH × OLLAMA_NUM_PARALLEL = "
        f"{run.context_per_slot_tokens:,} × {run.slots} tokens of KV cache, as llama-server's "
        "-c above",
        *_llama_memory(run)[1:],
    )
    notes = ("OLLAMA_KEEP_ALIVE=-1 keeps the model loaded between requests (no reload delay)",)
    return EngineConfig("ollama", (env, f"ollama pull {name}"), memory, notes)


def vllm(machine: Machine, model: Model, run: ServerRun) -> EngineConfig:
    """vLLM's flags and its KV-block arithmetic, on the smallest GPU group that holds it."""
    if machine.backend not in ("cuda", "rocm"):
        why = f"vLLM serves on CUDA and ROCm servers; this one runs {machine.backend}"
        return EngineConfig("vllm", (), (), (why,), available=False)
    gpus = [g for g in machine.gpus if g.vram_total_bytes and not g.unified_memory]
    if not gpus:
        return EngineConfig("vllm", (), (), ("no GPU memory known for vLLM",), available=False)
    per_gpu = min(g.vram_total_bytes for g in gpus)  # type: ignore[type-var]
    for tp in _tp_sizes(len(gpus), model.architecture.n_heads):
        for dtype, bytes_per_param in VLLM_DTYPES:
            plan = _vllm_plan(model, run, tp, per_gpu, dtype, bytes_per_param)
            if plan is not None:
                return plan
    why = (
        f"{model.name} at {run.slots} sequences of {run.context_per_slot_tokens:,} tokens does "
        f"not fit vLLM on {len(gpus)} × {_gib(per_gpu)} even in FP8; use llama-server's GGUF file"
    )
    return EngineConfig("vllm", (), (), (why,), available=False)


def _tp_sizes(gpus: int, heads: int) -> list[int]:
    """Tensor-parallel sizes vLLM accepts here: powers of two up to the GPUs, dividing heads."""
    sizes, tp = [], 1
    while tp <= gpus:
        if heads % tp == 0:
            sizes.append(tp)
        tp *= 2
    return sizes


def _vllm_plan(model, run, tp, per_gpu, dtype, bytes_per_param) -> EngineConfig | None:
    c, ctx = run.slots, run.context_per_slot_tokens
    weights = model.architecture.total_params_b * 1e9 * bytes_per_param
    budget = VLLM_MEMORY_UTILIZATION * per_gpu * tp
    runtime = VLLM_RUNTIME_BYTES_PER_GPU * tp
    kv_room = budget - weights - runtime
    per_seq = _kv_bytes_per_sequence(run)
    block = per_seq / ctx * VLLM_BLOCK_TOKENS
    blocks_needed = c * math.ceil(ctx / VLLM_BLOCK_TOKENS)
    if kv_room <= 0 or kv_room // block < blocks_needed:
        return None
    blocks = int(kv_room // block)
    concurrency = blocks * VLLM_BLOCK_TOKENS / ctx
    quant = " --quantization fp8" if dtype == "fp8" else ""
    command = (
        f"vllm serve {model.hf_repo} --host 0.0.0.0 --port 8000 --max-num-seqs {c} "
        f"--max-model-len {ctx} --gpu-memory-utilization {VLLM_MEMORY_UTILIZATION:.2f} "
        f"--tensor-parallel-size {tp}{quant} --enable-prefix-caching"
    )
    memory = (
        f"budget {VLLM_MEMORY_UTILIZATION:.2f} × {tp} × {_gib(per_gpu)} = {_gib(budget)}; "
        f"weights {model.architecture.total_params_b:g}B params × {bytes_per_param:g} bytes "
        f"({dtype}) = {_gib(weights)}; runtime {_gib(runtime)} (assumed "
        f"{_gib(VLLM_RUNTIME_BYTES_PER_GPU)} a GPU); KV room {_gib(kv_room)}",
        f"KV block = {VLLM_BLOCK_TOKENS} tokens × {per_seq / ctx / 1024:,.1f} KiB a token = "
        f"{block / 1024 / 1024:,.2f} MiB; {blocks:,} blocks, {blocks_needed:,} needed for "
        f"{c} × {ctx:,} tokens",
        f"vLLM should log about {concurrency:.1f}x maximum concurrency for {ctx:,} tokens a "
        f"request (the plan needs {c})",
    )
    notes = (
        "KV per token is llama.cpp's estimate at f16, which has the same tensor shapes as "
        "vLLM's bf16 cache; vLLM's start-up log gives the exact block count",
    )
    return EngineConfig("vllm", (command,), memory, notes)


def _kv_bytes_per_sequence(run: ServerRun) -> float:
    return run.estimate.memory.kv_cache_bytes / run.slots


def scale_out(run: ServerRun, configs: tuple[EngineConfig, ...]) -> tuple[str, ...]:
    """How to run more than one server of the plan, in each engine's own way."""
    if run.servers <= 1:
        return ()
    k = run.servers
    lines = [
        f"{k} servers: run the same command on each and put them behind a load balancer that "
        f"sends each request to the least busy one (nginx `upstream {{ least_conn; ... }}`, "
        "HAProxy `balance leastconn`, or a LiteLLM router)",
    ]
    if any(c.engine == "vllm" and c.available for c in configs):
        lines.append(
            f"vLLM on one node with {k} × the GPUs above: add --data-parallel-size {k} instead "
            "of separate servers"
        )
    return tuple(lines)


def _gib(value: float) -> str:
    return f"{value / GIB:,.1f} GiB"


def across_nodes(machine: Machine, model: Model, context_tokens: int) -> tuple[str, ...]:
    """When no server holds the model: how many such servers would, and each engine's way to
    split it across them (weights in BF16 for vLLM, the GGUF file for llama.cpp's RPC)."""
    gpus = [g for g in machine.gpus if g.vram_total_bytes and not g.unified_memory]
    weights = model.architecture.total_params_b * 1e9 * VLLM_DTYPES[0][1]
    lines = []
    if gpus and machine.backend in ("cuda", "rocm"):
        per_node = sum(
            VLLM_MEMORY_UTILIZATION * g.vram_total_bytes - VLLM_RUNTIME_BYTES_PER_GPU for g in gpus
        )  # type: ignore[operator]
        nodes = max(2, math.ceil(weights / per_node / 0.8))  # a fifth left for the KV cache
        lines += [
            f"vLLM across {nodes} such servers with Ray: `ray start --head --port 6379` on the "
            "first, `ray start --address=FIRST:6379` on the others, then on the first: "
            f"`vllm serve {model.hf_repo} --tensor-parallel-size {len(gpus)} "
            f"--pipeline-parallel-size {nodes} --max-model-len {context_tokens} "
            "--distributed-executor-backend ray`",
        ]
    lines.append(
        "llama.cpp across machines: `rpc-server -H 0.0.0.0 -p 50052` on each helper, then "
        "`llama-server ... --rpc HELPER1:50052,HELPER2:50052` on the first (layers are split "
        "over the network, so decode slows with every hop)"
    )
    return tuple(lines)
