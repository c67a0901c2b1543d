"""Prefill work that is not the weights' matrix products, on real catalog architectures.

- The output head: a prompt computes logits only for the tokens it asks output of (llama-bench
  and llama-server: the batch's last), so prefill counts the head once per batch, decode once
  per token (TokenCost.prefill_flops).
- Activation traffic: on a GPU every norm, RoPE, residual add, SwiGLU and q8_1 quantization
  reads and writes a batch's F32 activations through memory (load.activation_bytes,
  paths.streams_activations); the CPU keeps them in cache.
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
    once = head + cost.last_ffn_flops
    assert cost.prefill_flops(512) == pytest.approx(cost.flops - once * 511 / 512)
    assert 0.065 < head / cost.flops < 0.075


def test_the_last_layers_ffn_runs_on_the_output_rows_only(llama3):
    """src/models/llama.cpp gathers the output rows after the last layer's attention
    (`il == n_layer - 1 && inp_out_ids`): its FFN (3 × 4096 × 14336 weights in Llama 3.1 8B)
    multiplies one row a batch. The old count charged it to every prompt token."""
    cost = token_cost(llama3, "Q4_K_M", 4.9e9)
    assert cost.last_ffn_flops == pytest.approx(2.0 * 3 * 4096 * 14336, rel=0.002)
    assert cost.flops - cost.prefill_flops(1) == 0.0  # one token: it is the output
    saved = cost.flops - cost.prefill_flops(512) - cost.head_flops * 511 / 512
    assert saved == pytest.approx(cost.last_ffn_flops * 511 / 512)
    assert 0.02 < cost.last_ffn_flops / cost.flops < 0.03  # 1/32 of the FFN's two thirds


def test_a_prompt_batch_reads_an_untied_embedding_by_rows_and_a_tied_one_whole(llama3):
    """ggml_get_rows reads a batch's rows of token_embd; a tied embedding is also the output
    head, read whole once a batch."""
    cost = token_cost(llama3, "Q4_K_M", 4.9e9)
    assert cost.prefill_bytes == pytest.approx(cost.weight_bytes_total - cost.lookup_bytes)
    # 128256 × 4096 weights of 8B: about 6.5% of the file, at its tensor type's bits
    assert 0.04 < cost.lookup_bytes / cost.weight_bytes_total < 0.08
    tied = load_catalog(overlay=False).find("llama-3.2-1b-instruct").architecture
    assert tied.tie_word_embeddings
    one_b = token_cost(tied, "Q4_K_M", 0.8e9)
    assert one_b.lookup_bytes == 0.0 and one_b.prefill_bytes == one_b.weight_bytes_total
    # a re-mixed file (Unsloth's): the embedding's share at the file's average bits
    remixed = token_cost(llama3, "Q4_K_M", 4.9e9, standard_mix=False)
    share = 128256 * 4096 / (llama3.total_params_b * 1e9)
    assert remixed.lookup_bytes == pytest.approx(4.9e9 * share)


def test_an_experts_split_keeps_the_last_ffn_and_the_embedding_where_they_run():
    """With the experts on another device (--cpu-moe), the last layer's routed-expert FLOPs go
    with the experts and the rest of its FFN with the dense part; the embedding stays dense."""
    from advisor.estimate.speed.devices import dense_part, expert_part

    scout = load_catalog(overlay=False).find("llama-4-scout-17b-16e-instruct").architecture
    cost = token_cost(scout, "Q4_K_M", 65e9)
    dense, experts = dense_part(cost), expert_part(cost)
    assert experts.last_ffn_flops == pytest.approx(cost.expert_flops / cost.n_moe_layers)
    assert dense.last_ffn_flops + experts.last_ffn_flops == pytest.approx(cost.last_ffn_flops)
    assert experts.lookup_bytes == 0.0 and experts.prefill_bytes == cost.expert_bytes_total
    assert dense.prefill_bytes == pytest.approx(
        cost.weight_bytes_total - cost.expert_bytes_total - cost.lookup_bytes
    )


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
