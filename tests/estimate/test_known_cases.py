"""Published llama.cpp load logs (data/memory_use_calibration.csv, a copy of
../shared/data/calibration/memory_use_calibration.csv: XiongjieDai's GPU-Benchmarks-on-LLM-
Inference notebooks) against the estimate for the same model, context and devices."""

from __future__ import annotations

import pytest
from estimate_archs import model
from estimate_machines import gpu_machine, unified_machine

from advisor.estimate import estimate
from advisor.units import MIB


def _share(est, device: str):
    return next(s for s in est.placement.shares if s.device == device)


def test_llama_3_8b_q4_k_m_8192_on_one_cuda_gpu() -> None:
    """The issue's case: weights 4403 MiB, KV 1024 MiB, compute about 560 MiB (fa off)."""
    est = estimate(gpu_machine(24), model("llama-3-8b-instruct"), "Q4_K_M",
                   context_tokens=8192, flash_attn=False)  # fmt: skip
    gpu, cpu = _share(est, "gpu0"), _share(est, "cpu")
    assert est.placement.kind == "gpu" and est.placement.gpu_layers == 33
    assert gpu.weights_bytes / MIB == pytest.approx(4403.49, abs=0.01)
    assert gpu.kv_cache_bytes / MIB == pytest.approx(1024.0, abs=0.01)
    assert gpu.compute_bytes / MIB == pytest.approx(560.0, rel=0.03)
    # The token embeddings stay on the CPU; the host buffer holds the graph inputs.
    assert cpu.weights_bytes / MIB == pytest.approx(281.81, abs=0.01)
    assert cpu.compute_bytes / MIB == pytest.approx(24.01, abs=0.05)


def test_llama_3_8b_split_over_four_gpus() -> None:
    est = estimate(gpu_machine(24, 24, 24, 24), model("llama-3-8b-instruct"), "Q4_K_M",
                   context_tokens=8192, flash_attn=False)  # fmt: skip
    gpus = [_share(est, f"gpu{i}") for i in range(4)]
    assert [g.layers for g in gpus] == [9, 8, 8, 7]
    weights = [1130.62, 982.66, 982.66, 1307.55]
    for g, w in zip(gpus, weights, strict=True):
        assert g.weights_bytes / MIB == pytest.approx(w, abs=0.01)
    assert [g.kv_cache_bytes / MIB for g in gpus] == pytest.approx([288, 256, 256, 224])
    # Pipeline parallelism keeps extra copies of the graph inputs on every GPU.
    for g in gpus:
        assert g.compute_bytes / MIB == pytest.approx(640.0, rel=0.03)


def test_llama_3_8b_on_an_8_gb_m1_maps_everything_on_the_gpu() -> None:
    est = estimate(unified_machine(8, working_set_gb=5.33), model("llama-3-8b-instruct"),
                   "Q4_K_M", context_tokens=512)  # fmt: skip
    gpu = _share(est, "gpu0")
    assert gpu.weights_bytes / MIB == pytest.approx(4685.31, abs=0.01)
    assert gpu.kv_cache_bytes / MIB == pytest.approx(64.0)
    # Metal 258.50 + CPU 9.01 MiB logged by a 2024 build; the graph reserves a little more now.
    assert gpu.compute_bytes / MIB == pytest.approx(258.50, rel=0.04)
    assert _share(est, "cpu").compute_bytes / MIB == pytest.approx(9.01, abs=0.6)


def test_llama_2_7b_q4_0_weights_and_kv_at_512() -> None:
    est = estimate(gpu_machine(24), model("llama-2-7b-chat", ("Q4_0",)), "Q4_0",
                   context_tokens=512)  # fmt: skip
    gpu = _share(est, "gpu0")
    assert gpu.weights_bytes / MIB == pytest.approx(3577.55, abs=0.02)
    assert gpu.kv_cache_bytes / MIB == pytest.approx(256.0)
