"""Prefill work that is not the weights' matrix products, on real catalog architectures.

- The output head: a prompt computes logits only for the tokens it asks output of (llama-bench
  and llama-server: the batch's last), so prefill counts the head once per batch, decode once
  per token (TokenCost.prefill_flops).
- Activation traffic: on a GPU every norm, RoPE, residual add, SwiGLU and q8_1 quantization
  reads and writes a batch's F32 activations through memory (load.activation_bytes,
  model.streams_activations); the CPU keeps them in cache.
"""

from __future__ import annotations

import dataclasses

import pytest

from advisor.catalog import load_catalog
from advisor.estimate.speed.load import ACTIVATION_ELEMENTS, token_cost
from advisor.estimate.speed.model import (
    DeviceRate,
    load_constants,
    run_decode_tokens_per_s,
    run_prefill_tokens_per_s,
)

GPU = DeviceRate("gpu0", "cuda", 717.0, 48.7, 1.0, arch="nvidia.ada")  # RTX 4080 (spec table)
CPU = DeviceRate("cpu", "cpu", 60.0, 1.5, 1.0)


@pytest.fixture(scope="module")
def llama3():
    return load_catalog(overlay=False).find("llama-3.1-8b-instruct").architecture


def test_the_output_head_counts_once_per_prompt_batch(llama3):
    """Llama 3.1 8B's head is 128256 × 4096: 6.5% of a decoded token's FLOPs, and once per
    512-token batch in a prompt. The old count charged it to every prompt token."""
    cost = token_cost(llama3, "Q4_K_M", 4.9e9)
    head = 2.0 * 128256 * 4096
    assert cost.head_flops == pytest.approx(head)
    assert cost.prefill_flops(512) == pytest.approx(cost.flops - head * 511 / 512)
    assert 0.065 < head / cost.flops < 0.075


def test_a_larger_vocabulary_slows_decode_and_hardly_prefill(llama3):
    """Four times the vocabulary (the head and embedding grow; the layers do not): decode reads
    the bigger head for every token, a prompt multiplies by it once per batch."""
    added = 3 * 128256 * 4096 * 2  # embedding and head, untied
    wide = dataclasses.replace(
        llama3, vocab_size=4 * 128256, total_params_b=llama3.total_params_b + added / 1e9
    )
    c = load_constants()
    size = 4.66e9  # Q4_0: 4.5 bits a weight
    base, big = token_cost(llama3, "Q4_0", size), token_cost(wide, "Q4_0", size + added * 0.5625)
    pp = run_prefill_tokens_per_s(big, (GPU,), c) / run_prefill_tokens_per_s(base, (GPU,), c)
    tg = run_decode_tokens_per_s(big, (GPU,), c) / run_decode_tokens_per_s(base, (GPU,), c)
    assert tg < 0.85  # the head's bytes, read per token
    # the head's FLOPs once per batch; only its bytes, read once per batch, cost a little
    assert pp > 0.95
    old = (big.flops - big.prefill_flops(512)) / big.flops  # what counting it per token cost
    assert old > 0.2


def test_activation_bytes_follow_the_graph_count(llama3):
    """Per layer: 14.6 floats per hidden unit, 6.3 per query unit, 3.5 per K/V unit and 6.3 per
    FFN unit (load.ACTIVATION_ELEMENTS); the FFN width comes from the parameter count."""
    e = ACTIVATION_ELEMENTS
    per_layer = e["hidden"] * 4096 + e["query"] * 4096 + e["kv"] * 2048 + e["ffn"] * 14336
    cost = token_cost(llama3, "Q4_K_M", 4.9e9)
    assert cost.activation_bytes == pytest.approx(4.0 * 32 * per_layer, rel=0.002)


def test_activation_traffic_slows_a_gpu_prefill_and_not_a_cpu(llama3):
    c = load_constants()
    assert c.activation > 0
    without = dataclasses.replace(c, activation=0.0)
    cost = token_cost(llama3, "Q4_K_M", 4.9e9)
    slower = run_prefill_tokens_per_s(cost, (GPU,), c) / run_prefill_tokens_per_s(
        cost, (GPU,), without
    )
    assert 0.7 < slower < 0.97
    cpu = run_prefill_tokens_per_s(cost, (CPU,), c)
    assert cpu == run_prefill_tokens_per_s(cost, (CPU,), without)
