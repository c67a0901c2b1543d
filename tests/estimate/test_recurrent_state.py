"""Decode moves the recurrent layers' fixed state every token (load.recurrent_state_traffic).

A hybrid model's Mamba2 or gated-delta-net layers keep an f32 state per sequence instead of a
KV cache; llama.cpp's graph reads it and writes the new one back for every decoded token, in
as many passes as its kernels make (load.STATE_PASSES). The sizes here are worked out from the
catalog's dimensions, not from the code under test.
"""

from __future__ import annotations

import dataclasses

import pytest

from advisor.catalog import load_catalog
from advisor.estimate import estimate
from advisor.estimate.speed.batched import batch_model, load_batch_constants
from advisor.estimate.speed.batched_physics import decode_step_s
from advisor.estimate.speed.devices import dense_part, expert_part
from advisor.estimate.speed.load import token_cost
from advisor.estimate.speed.model import decode_terms, load_constants
from advisor.probe import resolve_machine

F32 = 4


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(overlay=False)


def test_gated_delta_net_state_is_read_and_written_in_six_passes(catalog) -> None:
    # Qwen3.6-35B-A3B: 30 gated-delta-net layers, 32 value heads of 128 x 128 state and a
    # 4-wide convolution over q, k (16 key heads x 128 each) and v (32 x 128): 3 cells kept.
    arch = catalog.find("qwen3.6-35b-a3b").architecture
    per_layer = F32 * (32 * 128 * 128 + 3 * (2 * 16 * 128 + 32 * 128))
    cost = token_cost(arch, "Q8_0", 36.0 * 2**30)
    assert cost.state_bytes == pytest.approx(6 * 30 * per_layer)  # ~395 MB a token


def test_mamba2_state_is_read_and_written_in_four_passes(catalog) -> None:
    # Nemotron-3-Super: 40 Mamba2 blocks; ssm_scan reads the state from the cache and writes
    # the last one into its output, and a copy stores it back
    arch = catalog.find("nemotron-3-super-120b-a12b").architecture
    cost = token_cost(arch, "Q4_K_M", 78.0 * 2**30)
    assert 4 * 40 * 4.0e6 < cost.state_bytes < 4 * 40 * 4.5e6  # 4.2-4.4 MB a block


def test_models_without_recurrent_layers_move_no_state(catalog) -> None:
    for model_id in ("qwen2.5-coder-7b-instruct", "gpt-oss-20b", "gemma-3-4b-it"):
        cost = token_cost(catalog.find(model_id).architecture, "Q4_0", 4 * 2**30)
        assert cost.state_bytes == 0.0


@pytest.fixture(scope="module")
def spark_step(catalog):
    """The DGX Spark's step for Qwen3.6-35B-A3B Q8_0 (all of it on the GPU)."""
    machine = resolve_machine(profile="dgx-spark")
    model = catalog.find("qwen3.6-35b-a3b")
    est = estimate(machine, model, "Q8_0", context_tokens=32768)
    assert est.fits
    return batch_model(machine, model, est).steps[0]


def test_decode_pays_for_the_state_at_the_bandwidth(spark_step) -> None:
    step, c = spark_step, load_constants()
    stateless = dataclasses.replace(step.cost, state_bytes=0.0)
    (with_state, _), (without, _) = (
        decode_terms(cost, step.share, step.k, c) for cost in (step.cost, stateless)
    )
    extra = step.cost.state_bytes * step.k.decode_s_per_byte * step.share
    assert extra > 0
    assert with_state - without == pytest.approx(extra)


def test_each_extra_sequence_moves_its_own_state(spark_step) -> None:
    step = spark_step
    c, bc = load_constants(), load_batch_constants()
    stateless = dataclasses.replace(step, cost=dataclasses.replace(step.cost, state_bytes=0.0))
    per_sequence = step.share * step.cost.state_bytes * step.k.decode_s_per_byte
    for sequences in (1, 4):
        extra = decode_step_s(step, c, bc, sequences, 0.0) - decode_step_s(
            stateless, c, bc, sequences, 0.0
        )
        assert extra == pytest.approx(sequences * per_sequence)


def test_moe_offload_keeps_the_state_with_the_dense_layers(catalog) -> None:
    # --cpu-moe moves the routed experts to the CPU; the recurrent layers stay on the GPU
    cost = token_cost(catalog.find("qwen3.6-35b-a3b").architecture, "Q4_K_M", 21.0 * 2**30)
    assert expert_part(cost).state_bytes == 0.0
    assert dense_part(cost).state_bytes == cost.state_bytes > 0
