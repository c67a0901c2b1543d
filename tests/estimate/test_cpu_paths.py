"""llama.cpp's CPU kernel paths: the table read from ggml-cpu, the file's kernel mix, and how
the measured path constants enter the estimate (advisor.estimate.speed.cpu_paths)."""

from __future__ import annotations

import dataclasses

import pytest

from advisor.catalog import load_catalog
from advisor.estimate.speed.cpu_paths import (
    ARM_DOTPROD,
    ARM_DOTPROD_NO_REPACK,
    ARM_I8MM,
    GENERIC,
    MEASURED_LEVELS,
    PATH_COSTS,
    X86_AMX,
    X86_AVX2,
    X86_AVX512,
    cpu_decode_factor,
    cpu_path_factor,
    kernel_mix,
    matmul_path,
    simd_level,
)
from advisor.estimate.speed.load import token_cost
from advisor.estimate.speed.model import DeviceRate, coefficients, decode_parts, load_constants


@pytest.mark.parametrize(
    ("flags", "level"),
    [
        # /proc/cpuinfo of this project's VMs as advisor.probe.live.cpu maps them: the 2-core AMD
        # EPYC (Zen 4) and the Sapphire Rapids Xeon of tests/probe/fixtures.
        (("avx", "avx2", "avx512", "f16c", "fma"), X86_AVX512),
        (("amx", "avx", "avx2", "avx512", "avx_vnni", "f16c", "fma"), X86_AMX),
        (("avx", "avx2", "avx512", "avx_vnni", "f16c", "fma"), X86_AVX512),
        (("avx", "avx2", "f16c", "fma"), X86_AVX2),  # profiles/rtx-3090-desktop.yaml
        (("neon", "dotprod", "i8mm"), ARM_I8MM),  # profiles/macbook-air-m2-16gb.yaml
        (("neon", "dotprod"), ARM_DOTPROD),  # profiles/raspberry-pi-5-8gb.yaml
        (("avx",), GENERIC),
        ((), GENERIC),
    ],
)
def test_simd_level_from_the_probe_flags(flags, level) -> None:
    assert simd_level(flags) == level


@pytest.mark.parametrize(
    ("level", "ggml_type", "path"),
    [
        # repack.cpp ggml_repack_get_optimal_repack_type: AVX2 repacks Q4_0, Q4_K, IQ4_NL and
        # MXFP4 to 8x8; Q2_K needs AVX-512; Q8_0 is never repacked on x86.
        (X86_AVX2, "Q4_0", "repack_q4_0_8x8"),
        (X86_AVX512, "Q4_K", "repack_q4_K_8x8"),
        (X86_AVX2, "Q2_K", "vec_dot_Q2_K"),
        (X86_AVX512, "Q2_K", "repack_q2_K_8x8"),
        # sgemm.cpp llamafile_sgemm: Q8_0 and F16 through tinyBLAS on AVX/AVX2/AVX-512.
        (X86_AVX512, "Q8_0", "tinyblas_q8_0"),
        (X86_AVX512, "F16", "tinyblas_f16"),
        (X86_AVX512, "Q6_K", "vec_dot_Q6_K"),  # no x86 repack and no tinyBLAS kernel
        # ggml-cpu/amx: the AMX buffer type takes its types first; F16 stays with tinyBLAS.
        (X86_AMX, "Q4_0", "amx_Q4_0"),
        (X86_AMX, "Q6_K", "amx_Q6_K"),
        (X86_AMX, "F16", "tinyblas_f16"),
        # Arm: i8mm picks the 4x8 / 8x8 repacks, dotprod alone the 4x4 / 8x4 ones.
        (ARM_I8MM, "Q4_0", "repack_q4_0_4x8"),
        (ARM_I8MM, "Q8_0", "repack_q8_0_4x8"),
        (ARM_I8MM, "Q6_K", "repack_q6_K_8x8"),
        (ARM_DOTPROD, "Q4_0", "repack_q4_0_4x4"),
        (ARM_DOTPROD, "Q4_K", "repack_q4_K_8x4"),
        (ARM_DOTPROD, "Q5_0", "vec_dot_Q5_0"),
        # Arm without the repack: llamafile_sgemm takes Q4_0 and Q8_0 (tinyBLAS_Q0_ARM), not
        # Q5_0 (its Q5_0 case is x86 only), so Q5_0 and the K-quants go row by row.
        (ARM_DOTPROD_NO_REPACK, "Q4_0", "tinyblas_q4_0"),
        (ARM_DOTPROD_NO_REPACK, "Q8_0", "tinyblas_q8_0"),
        (ARM_DOTPROD_NO_REPACK, "Q5_0", "vec_dot_Q5_0"),
        (ARM_DOTPROD_NO_REPACK, "Q6_K", "vec_dot_Q6_K"),
        (GENERIC, "Q4_0", "vec_dot_Q4_0"),
    ],
)
def test_matmul_path_follows_ggml_cpu(level, ggml_type, path) -> None:
    assert matmul_path(level, ggml_type) == path


@pytest.fixture(scope="module")
def llama_8b():
    models = load_catalog(overlay=False).models
    return next(m for m in models if m.id == "llama-3-8b-instruct").architecture


def test_kernel_mix_of_q4_k_m_is_mostly_q4_k_with_some_q6_k(llama_8b) -> None:
    mix = dict(kernel_mix(llama_8b, "Q4_K_M"))
    assert sum(mix.values()) == pytest.approx(1.0)
    assert set(mix) == {"Q4_K", "Q6_K"}  # llama-quantize's Q4_K_M recipe
    assert 0.6 < mix["Q4_K"] < 0.9  # ffn_down and attn_v in half the layers, and the output
    assert dict(kernel_mix(llama_8b, "Q8_0")) == {"Q8_0": pytest.approx(1.0)}


def test_unmeasured_levels_keep_the_fitted_family_factors(llama_8b) -> None:
    mix = kernel_mix(llama_8b, "Q4_0")
    for level in (X86_AMX, X86_AVX2, ARM_I8MM, ARM_DOTPROD, GENERIC):
        assert level not in MEASURED_LEVELS
        assert cpu_path_factor(level, mix) is None
        assert cpu_decode_factor(level, mix) is None
    c = load_constants()
    rate = DeviceRate("cpu", "cpu", 100.0, 1.0, 1.0, simd_level=ARM_I8MM)
    assert coefficients(c, rate, "legacy", mix) == coefficients(c, rate, "legacy")


def test_measured_paths_replace_the_family_factors(llama_8b) -> None:
    assert X86_AVX512 in MEASURED_LEVELS
    c = load_constants()
    rate = DeviceRate("cpu", "cpu", 100.0, 1.0, 1.0, simd_level=X86_AVX512)
    f16 = coefficients(c, rate, "f16", kernel_mix(llama_8b, "F16"))
    for quant in ("Q4_0", "Q8_0", "Q4_K_M"):
        cost = token_cost(llama_8b, quant, 5e9)
        k = coefficients(c, rate, cost.quant_class, cost.kernel_mix)
        path = cpu_path_factor(X86_AVX512, cost.kernel_mix)
        assert k.prefill_s_per_flop == pytest.approx(f16.prefill_s_per_flop * path)
        # Decode: the bytes stream at the backend's rate (no family extra beta), and the
        # kernels' compute is the paths' decode factor × the F16 GEMM's seconds per FLOP.
        vector = cpu_decode_factor(X86_AVX512, cost.kernel_mix)
        assert k.decode_s_per_byte == pytest.approx(k.read_s_per_byte)
        assert k.decode_s_per_flop == pytest.approx(f16.prefill_s_per_flop * vector)
        family = coefficients(c, rate, cost.quant_class)
        assert family.decode_s_per_flop == pytest.approx(c.gamma_cpu / 1e12)
    unknown = dataclasses.replace(rate, simd_level="")
    assert coefficients(c, unknown, "legacy", kernel_mix(llama_8b, "Q4_0")) == coefficients(
        c, unknown, "legacy"
    )


def test_every_path_constant_names_its_source() -> None:
    for (level, path), cost in PATH_COSTS.items():
        assert level in MEASURED_LEVELS
        assert cost.prefill > 0
        if level == ARM_DOTPROD_NO_REPACK:
            # counted from the compiled kernels; F16's decode vec_dot is not counted
            assert (cost.decode is None) == (path == "tinyblas_f16"), path
            assert "arm_kernel_issue.py" in cost.source, path
        else:
            assert cost.decode is not None and cost.decode >= 0
            assert "cpu_rows_here.csv" in cost.source, path


def test_arm_without_repack_prices_q4_0_below_q5_0_in_prefill_and_decode(llama_8b) -> None:
    """tinyBLAS_Q0_ARM blocks 3 rows by 3 columns; Q5_0's vec_dot re-unpacks its fifth bits
    for every (row, column) pair: Q4_0's prefill costs about half Q5_0's per FLOP (the M2 Max
    rows: 1.6x faster per FLOP). Decode (one column) runs both through their row-by-row
    vec_dot (llamafile_sgemm declines n < 2): Q4_0's costs 0.8 of Q5_0's per FLOP, counted
    (the M2 Max rows at 4 threads: Q4_0 1.23x faster per weight). The decode constants replace
    the fitted gamma_cpu and the family's beta, as x86's measured ones do."""
    q4, q5 = kernel_mix(llama_8b, "Q4_0"), kernel_mix(llama_8b, "Q5_0")
    ratio = cpu_path_factor(ARM_DOTPROD_NO_REPACK, q5) / cpu_path_factor(ARM_DOTPROD_NO_REPACK, q4)
    assert 1.6 < ratio < 2.0
    decode = cpu_decode_factor(ARM_DOTPROD_NO_REPACK, q4) / cpu_decode_factor(
        ARM_DOTPROD_NO_REPACK, q5
    )
    assert 0.75 < decode < 0.9
    c = load_constants()
    rate = DeviceRate("cpu", "cpu", 100.0, 1.0, 1.0, simd_level=ARM_DOTPROD_NO_REPACK)
    family = coefficients(c, rate, "legacy")
    path = coefficients(c, rate, "legacy", q4)
    f16 = coefficients(c, rate, "f16", kernel_mix(llama_8b, "F16"))
    exact = {"rel": 1e-9, "abs": 0}  # these are ~1e-12 s: pytest's default abs would pass all
    assert path.prefill_s_per_flop == pytest.approx(
        f16.prefill_s_per_flop * cpu_path_factor(ARM_DOTPROD_NO_REPACK, q4), **exact
    )
    assert path.decode_s_per_byte == pytest.approx(path.read_s_per_byte, **exact)  # no beta
    assert path.decode_s_per_flop == pytest.approx(
        f16.prefill_s_per_flop * cpu_decode_factor(ARM_DOTPROD_NO_REPACK, q4), **exact
    )
    assert path.decode_s_per_flop != pytest.approx(family.decode_s_per_flop, **exact)
    # the counted kernel's time hides the weight stream; the family's fitted terms add to it
    assert path.decode_hides_stream and not family.decode_hides_stream
    # F16's own decode vec_dot is not counted: an F16 file keeps the fitted factors
    assert cpu_decode_factor(ARM_DOTPROD_NO_REPACK, kernel_mix(llama_8b, "F16")) is None


@pytest.mark.parametrize("tflops", [0.2, 0.9, 50.0])
def test_a_counted_kernel_hides_the_weight_stream(llama_8b, tflops) -> None:
    """The Arm constants count a vec_dot's whole issue time, its loads included, so a token's
    weights take the longer of that and the stream (the prefetchers overlap them), not the sum
    the x86 constants, measured as the time beyond the stream, are added as. Compute-bound at
    2-8 M2 Max cores, stream-bound on a core fast enough to outrun the memory."""
    c = load_constants()
    cost = token_cost(llama_8b, "Q4_0", 4.5e9)
    rate = DeviceRate("cpu", "cpu", 400.0, tflops, 1.0, simd_level=ARM_DOTPROD_NO_REPACK)
    k = coefficients(c, rate, cost.quant_class, cost.kernel_mix)
    base, _ = decode_parts(cost, rate, c)
    stream = cost.weight_bytes_read * k.decode_s_per_byte
    compute = cost.flops * k.decode_s_per_flop
    layers = cost.n_layers * k.decode_s_per_layer
    assert base == pytest.approx(max(stream, compute) + layers, rel=1e-9, abs=0)
    assert base < stream + compute + layers
