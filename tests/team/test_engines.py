"""The engine commands carry the plan's slots and context, and the memory arithmetic behind
them adds up: llama-server's per-device shares, Ollama's context × parallel, vLLM's blocks."""

from __future__ import annotations

import math

import pytest

from advisor.team.engines import (
    VLLM_BLOCK_TOKENS,
    VLLM_MEMORY_UTILIZATION,
    VLLM_RUNTIME_BYTES_PER_GPU,
    across_nodes,
    engine_configs,
    scale_out,
)
from advisor.units import GIB
from tests.team.team_kit import machine, run_by_hand


@pytest.fixture(scope="module")
def h100(catalog):
    return run_by_hand("h100-server", catalog, "qwen3.6-27b", "Q8_0", 4)


def _by_engine(configs):
    return {c.engine: c for c in configs}


def test_llama_server_splits_the_context_across_the_slots(h100):
    m, model, run = h100
    config = _by_engine(engine_configs(m, model, run))["llama-server"]
    [command] = config.commands
    gpu_layers = run.estimate.placement.gpu_layers
    assert f"-np 4 -c 32768 -ngl {gpu_layers} -fa on" in command
    assert command.startswith("llama-server -hf ") and ":Q8_0 " in command
    assert "-c 32768 = 4 slots × 8,192 tokens" in config.memory[0]
    gpu = next(s for s in run.estimate.placement.shares if s.device == "gpu0")
    assert f"= {gpu.total_bytes / GIB:,.1f} GiB of" in config.memory[1]


def test_ollama_allocates_context_times_parallel(h100):
    m, model, run = h100
    config = _by_engine(engine_configs(m, model, run))["ollama"]
    assert "OLLAMA_NUM_PARALLEL=4 OLLAMA_CONTEXT_LENGTH=8192" in config.commands[0]
    assert config.commands[1].startswith("ollama pull hf.co/")
    assert "8,192 × 4 tokens of KV cache" in config.memory[0]


def test_vllm_block_arithmetic_on_one_h100(h100):
    m, model, run = h100
    config = _by_engine(engine_configs(m, model, run))["vllm"]
    assert config.available
    [command] = config.commands
    assert "--max-num-seqs 4 --max-model-len 8192 --gpu-memory-utilization 0.90" in command
    assert "--tensor-parallel-size 1" in command and "--quantization" not in command
    vram = m.gpus[0].vram_total_bytes
    weights = model.architecture.total_params_b * 1e9 * 2
    room = VLLM_MEMORY_UTILIZATION * vram - weights - VLLM_RUNTIME_BYTES_PER_GPU
    per_token = run.estimate.memory.kv_cache_bytes / 4 / 8192
    blocks = int(room // (per_token * VLLM_BLOCK_TOKENS))
    assert f"{blocks:,} blocks, {4 * 8192 // VLLM_BLOCK_TOKENS:,} needed" in config.memory[1]
    assert f"about {blocks * 16 / 8192:.1f}x maximum concurrency" in config.memory[2]


def test_vllm_splits_over_two_3090s_in_fp8_when_bf16_does_not_fit(catalog):
    m, model, run = run_by_hand("dual-rtx-3090", catalog, "qwen3.6-27b", "Q4_K_M", 4)
    bf16 = model.architecture.total_params_b * 2e9
    assert bf16 > 2 * (0.9 * 24 * GIB - VLLM_RUNTIME_BYTES_PER_GPU)  # why not BF16
    config = _by_engine(engine_configs(m, model, run))["vllm"]
    assert "--tensor-parallel-size 2 --quantization fp8" in config.commands[0]


def test_vllm_says_why_it_cannot_serve(catalog):
    m, model, run = run_by_hand("mac-studio-m3-ultra-512gb", catalog, "qwen3.6-27b", "Q8_0", 2)
    config = _by_engine(engine_configs(m, model, run))["vllm"]
    assert not config.available and "this one runs metal" in config.notes[0]
    m, model, run = run_by_hand("h100-server", catalog, "llama-3.3-70b-instruct", "Q4_K_M", 2)
    config = _by_engine(engine_configs(m, model, run))["vllm"]
    assert not config.available and "even in FP8" in config.notes[0]


def test_several_servers_name_each_engine_s_own_way(catalog):
    m, model, run = run_by_hand("h100-server", catalog, "qwen3.6-27b", "Q8_0", 8, servers=3)
    lines = scale_out(run, engine_configs(m, model, run))
    assert "3 servers" in lines[0] and "least_conn" in lines[0]
    assert "--data-parallel-size 3" in lines[1]
    _, _, one = run_by_hand("h100-server", catalog, "qwen3.6-27b", "Q8_0", 8)
    assert scale_out(one, ()) == ()


def test_a_model_larger_than_one_server_is_split_with_ray_and_rpc(catalog):
    m = machine("h100-server")
    model = catalog.find("llama-3.1-405b-instruct")
    lines = across_nodes(m, model, 8192)
    per_node = 0.9 * 80 * GIB - VLLM_RUNTIME_BYTES_PER_GPU
    nodes = max(2, math.ceil(model.architecture.total_params_b * 2e9 / per_node / 0.8))
    assert f"vLLM across {nodes} such servers with Ray" in lines[0]
    assert f"--pipeline-parallel-size {nodes}" in lines[0] and "ray start --head" in lines[0]
    assert "rpc-server" in lines[1] and "--rpc" in lines[1]
