"""A GPU's int8 decode shader work is counted per weight type (advisor/estimate/speed/matvec.py)."""

from __future__ import annotations

import dataclasses

import pytest

from advisor.catalog import load_catalog
from advisor.estimate.speed.load import token_cost
from advisor.estimate.speed.matvec import matvec_ops_ratio, ops_per_weight
from advisor.estimate.speed.model import (
    DeviceRate,
    coefficients,
    decode_seconds,
    load_constants,
)
from scripts.fitting.speed_fit import _decode_features, predict
from scripts.fitting.speed_rows import CalibrationRow

GIB = 1024**3


def _llama3_8b():
    models = load_catalog(overlay=False).models
    return next(m for m in models if m.id == "llama-3-8b-instruct").architecture


def test_a_k_quant_unpacks_more_per_weight_than_q4_0():
    """vec_dot_q4_K_q8_1 unpacks the super-block's 6-bit scales and mins and needs four more
    dp4a for the mins' activation sums; Q6_K joins two bit planes and subtracts 32 with the
    emulated __vsub4; Q8_0 fills an int with four weights, not eight. Before 2026-12-07 every
    type was charged Q4_0's instructions."""
    q4_0 = ops_per_weight("Q4_0")
    assert ops_per_weight("Q4_K") == pytest.approx(2.0 * q4_0, rel=0.05, abs=0)
    assert ops_per_weight("Q6_K") == pytest.approx(3.0 * q4_0, rel=0.05, abs=0)
    assert q4_0 < ops_per_weight("Q8_0") < ops_per_weight("MXFP4") < ops_per_weight("Q4_K")
    assert ops_per_weight("IQ2_XXS") == ops_per_weight("Q6_K")  # not counted: the dearest K
    assert ops_per_weight("TQ2_0") == q4_0  # a type the table does not know


def test_a_files_ratio_is_its_types_flop_weighted_counts():
    """Llama 3 8B Q4_K_M multiplies about a fifth of its FLOPs by Q6_K tensors (ffn_down and
    attn_v in half the layers, the output head): about 2.2x Q4_0's work per weight; its Q4_0
    file 1.14 (its Q6_K output head, 128k rows, is 7% of the FLOPs). A file whose layout is
    not known (a UD mix) is its file type's main type."""
    arch = _llama3_8b()
    k_quant = token_cost(arch, "Q4_K_M", 4.9e9)
    legacy = token_cost(arch, "Q4_0", 4.7e9)
    unknown_mix = token_cost(arch, "Q4_K_M", 4.9e9, standard_mix=False)
    shares = dict(k_quant.kernel_mix)
    assert set(shares) == {"Q4_K", "Q6_K"}
    expected = shares["Q4_K"] * ops_per_weight("Q4_K") + shares["Q6_K"] * ops_per_weight("Q6_K")
    assert k_quant.matvec_ops == pytest.approx(expected / ops_per_weight("Q4_0"), rel=1e-9, abs=0)
    assert 2.1 < k_quant.matvec_ops < 2.4
    assert 1.1 < legacy.matvec_ops < 1.2
    assert unknown_mix.matvec_ops == pytest.approx(2.0, rel=0.05, abs=0)
    assert matvec_ops_ratio((), "Q4_K_M") == unknown_mix.matvec_ops


def test_the_ratio_scales_an_int8_kernels_shader_time_only():
    """On a GPU whose decode runs int8 dot products (CUDA's mmvq) the mat-vec work (FLOPs x
    gamma_gpu / shader rate) is scaled by the file's ratio and nothing else moves; Metal's float
    kernels (gamma_float) and a CPU's decode compute are not counted per type."""
    c = load_constants()
    cost = token_cost(_llama3_8b(), "Q4_K_M", 4.9e9)
    as_q4_0 = dataclasses.replace(cost, matvec_ops=1.0)
    gpu = DeviceRate("gpu0", "cuda", 2039.0, 77.97, 1.0, arch="nvidia.ampere_dc")
    k = coefficients(c, gpu, cost.quant_class)
    extra = cost.flops * k.decode_s_per_flop * (cost.matvec_ops - 1.0)
    assert extra > 0
    assert decode_seconds(cost, gpu, c, 64) - decode_seconds(as_q4_0, gpu, c, 64) == pytest.approx(
        extra, rel=1e-9, abs=0
    )
    metal = DeviceRate("gpu0", "metal", 400.0, 14.4, 1.0, arch="apple.apple9")
    cpu = DeviceRate("cpu", "cpu", 100.0, 2.0, 1.0)
    for device in (metal, cpu):
        assert decode_seconds(cost, device, c, 64) == decode_seconds(as_q4_0, device, c, 64)


def test_the_fit_charges_what_the_model_charges():
    """The fit's shader feature carries the same ratio as the runtime model, so the constant
    fitted on the rows is the one the estimate charges with."""
    cost = token_cost(_llama3_8b(), "Q4_K_M", 4.9e9)
    depth = (512 - 1) / 2.0
    attention = cost.attn_flops_per_depth * depth

    def row(backend, arch, tflops):
        rate = DeviceRate("gpu0", backend, 400.0, tflops, 1.0, arch=arch)
        return CalibrationRow(
            line=2, device="a GPU", backend=backend, kind="decode", n_tokens=512,
            tokens_per_s=49.0, weight=1.0, model="Meta-Llama-3 8B", quant="Q4_K_M", cost=cost,
            rate=rate, active_params_b=8.03, total_params_b=8.03,
        )  # fmt: skip

    cuda, metal = row("cuda", "nvidia.ada", 48.74), row("metal", "apple.apple9", 14.4)
    assert _decode_features(cuda)["gamma_gpu"] == pytest.approx(
        (cost.flops * cost.matvec_ops + attention) / 48.74e12, rel=1e-9, abs=0
    )
    assert _decode_features(metal)["gamma_float"] == pytest.approx(
        (cost.flops + attention) / 14.4e12, rel=1e-9, abs=0
    )
    c = load_constants()
    as_q4_0 = dataclasses.replace(cuda, cost=dataclasses.replace(cost, matvec_ops=1.0))
    assert 1.0 / predict(cuda, c) - 1.0 / predict(as_q4_0, c) == pytest.approx(
        cost.flops * (cost.matvec_ops - 1.0) * c.gamma_gpu / 48.74e12, rel=1e-6, abs=0
    )
