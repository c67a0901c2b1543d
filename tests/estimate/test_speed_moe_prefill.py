"""Routed experts in prefill: how much of a token's work they are, and what a thin batch costs.

A batch of n tokens sends each of a layer's E experts n × k / E tokens (k used per token). The
matrix kernels unpack a tile of weights once per MATRIX_TILE_COLUMNS tokens, so a thinly fed
expert pays its unpacking over fewer products (paths.expert_tile_passes). Real catalog
architectures throughout.
"""

from __future__ import annotations

import dataclasses

import pytest

from advisor.catalog import load_catalog
from advisor.estimate.speed.load import token_cost
from advisor.estimate.speed.model import (
    DeviceRate,
    coefficients,
    load_constants,
    run_prefill_tokens_per_s,
)
from advisor.estimate.speed.paths import MATRIX_TILE_COLUMNS, expert_tile_passes


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(overlay=False)


def _cost(catalog, model_id: str, quant: str = "Q4_K_M", gb: float = 20.0):
    return token_cost(catalog.find(model_id).architecture, quant, gb * 1e9)


def test_gpt_oss_120b_experts_are_most_of_its_work(catalog):
    """Its 128 experts are 98% of its weights: the old check took that for an odd layout
    and counted no routed-expert FLOPs at all."""
    cost = _cost(catalog, "gpt-oss-120b", "MXFP4", 63.0)
    per_expert = 3 * 2880 * 2880  # gate, up, down at hidden 2880 (config.json)
    routed_used = 36 * per_expert * 4  # 4 of 128 per layer
    assert cost.expert_flops == pytest.approx(2.0 * routed_used, rel=1e-6)
    assert cost.expert_used_share == pytest.approx(4 / 128)


def test_latent_experts_split_by_the_published_counts(catalog):
    """Nemotron 3 Super's experts work in a latent space, so the simple per-expert count does
    not fit; total = shared + routed and active = shared + routed × k/E give the split."""
    arch = catalog.find("nemotron-3-super-120b-a12b").architecture
    cost = token_cost(arch, "Q4_K_M", 80e9)
    share = 22 / 512
    routed = (arch.total_params_b - arch.active_params_b) * 1e9 / (1 - share)
    assert cost.expert_flops == pytest.approx(2.0 * routed * share, rel=1e-6)
    assert 0.3 < cost.expert_flops / cost.flops < 0.5  # the old "a tenth shared" gave 0.01
    # The tensor layout then refines the bytes a little (the file's own tensor sizes).
    expected = 80e9 * routed / (arch.total_params_b * 1e9)
    assert cost.expert_bytes_total == pytest.approx(expected, rel=0.02)


def test_tile_passes_follow_tokens_per_expert(catalog):
    qwen = _cost(catalog, "qwen3.5-35b-a3b")  # 256 experts, 8 used
    assert expert_tile_passes(qwen, 512) == pytest.approx(1 / 16 - 1 / MATRIX_TILE_COLUMNS)
    # 4096 tokens give each expert 128: a full tile, as a dense matrix gets.
    assert expert_tile_passes(qwen, 4096) == 0.0
    assert expert_tile_passes(_cost(catalog, "llama-3.1-8b-instruct"), 512) == 0.0


def test_a_thin_batch_per_expert_slows_moe_prefill_and_not_dense(catalog):
    """A bigger batch amortises the weight reads for every model; for a wide MoE it also
    feeds each expert more tokens, which the constants without the tile term would miss."""
    gpu = DeviceRate("gpu0", "rocm", 256.0, 59.4, 1.0, arch="amd.rdna3")
    shipped = load_constants()
    assert shipped.mu_tile > 0
    without = dataclasses.replace(shipped, mu_tile=0.0)

    def speedup(model_id: str, constants) -> float:
        cost = _cost(catalog, model_id)
        small = run_prefill_tokens_per_s(cost, (gpu,), constants, 2048, ubatch_tokens=512)
        large = run_prefill_tokens_per_s(cost, (gpu,), constants, 2048, ubatch_tokens=2048)
        return large / small

    dense = "llama-3.1-8b-instruct"
    assert speedup(dense, shipped) == pytest.approx(speedup(dense, without), rel=1e-9)
    wide = "qwen3.5-35b-a3b"  # 16 tokens per expert at 512, 64 at 2048
    assert speedup(wide, shipped) > speedup(wide, without) * 1.1


def test_the_cpu_pays_no_tile_term():
    """ggml-cpu's mul_mat_id unpacks each weight row per token (vec_dot), so the tokens an
    expert gets do not change its cost per FLOP there."""
    constants = load_constants()
    cpu = DeviceRate("cpu", "cpu", 80.0, 2.0, 1.0)
    gpu = DeviceRate("gpu0", "cuda", 1008.0, 82.6, 1.0, arch="nvidia.ada")
    assert coefficients(constants, cpu, "kquant").prefill_s_per_expert_pass == 0.0
    assert coefficients(constants, gpu, "kquant").prefill_s_per_expert_pass > 0.0
