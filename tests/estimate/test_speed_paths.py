"""Kernel paths picked from device facts, as llama.cpp's source picks them (speed/paths.py)."""

from __future__ import annotations

import pytest

from advisor.estimate.speed.model import DeviceRate, coefficients, load_constants, quant_group
from advisor.estimate.speed.paths import (
    ENGINE,
    PATHS,
    device_arch,
    matvec_int8,
    prefill_path,
    rated_compute,
    shader_ratio,
)


@pytest.mark.parametrize(
    ("vendor", "name", "capability", "arch"),
    [
        ("nvidia", "NVIDIA GeForce RTX 4090", "8.9", "nvidia.ada"),
        ("nvidia", "NVIDIA A100-SXM4-80GB", "8.0", "nvidia.ampere_dc"),
        ("nvidia", "NVIDIA H100 PCIe", "9.0", "nvidia.hopper"),
        ("nvidia", "Tesla P40", "6.1", "nvidia.pascal"),
        ("nvidia", "NVIDIA GB10", "12.1", "nvidia.blackwell"),
        (None, "L40S", None, "nvidia.ada"),
        (None, "RTX 2070 Max-Q", None, "nvidia.turing"),
        (None, "RTX PRO 6000 Blackwell", None, "nvidia.blackwell"),
        (None, "Tesla V100 PCIe 16 GB", None, "nvidia.volta"),
        ("amd", "AMD Radeon Graphics", "gfx1151", "amd.rdna3"),
        (None, "RX 9070", None, "amd.rdna4"),
        (None, "RX 6800 XT", None, "amd.rdna2"),
        (None, "RX 580", None, "amd.gcn"),
        (None, "AMD Ryzen AI Max+ 395 / Radeon 8060S (Strix Halo)", None, "amd.rdna3"),
        ("apple", "Apple M1 Max", None, "apple.apple7"),
        ("apple", "Apple M4 Pro", None, "apple.apple9"),
        ("apple", "Apple M5 Max (40-core GPU)", None, "apple.apple10"),
    ],
)
def test_device_facts_give_the_architecture(vendor, name, capability, arch):
    assert device_arch(vendor, name, capability) == arch


@pytest.mark.parametrize(
    ("backend", "arch", "family", "path"),
    [
        # ggml_cuda_should_use_mmq: int8 MMA from Turing on, at any batch size.
        ("cuda", "nvidia.ada", "kquant", "cuda.mmq"),
        ("cuda", "nvidia.turing", "legacy", "cuda.mmq"),
        # Volta has FP16 MMA but no int8 MMA: a 512-token batch goes to cuBLAS.
        ("cuda", "nvidia.volta", "legacy", "cuda.cublas"),
        # F16/BF16 weights: cuBLAS GEMM on the tensor cores.
        ("cuda", "nvidia.hopper", "f16", "cuda.cublas"),
        ("cuda", "nvidia.pascal", "legacy", "cuda.no_tensor"),
        ("rocm", "amd.rdna3", "kquant", "rocm.wmma"),
        ("rocm", "amd.cdna", "q8_0", "rocm.mfma"),
        ("rocm", "amd.rdna2", "kquant", "rocm.no_matrix"),
        # ggml_vk_khr_cooperative_matrix_support: AMD only on RDNA3/RDNA4.
        ("vulkan", "nvidia.ampere", "legacy", "vulkan.coopmat2"),
        ("vulkan", "amd.rdna4", "legacy", "vulkan.coopmat"),
        ("vulkan", "amd.rdna3", "f16", "vulkan.coopmat"),
        ("vulkan", "amd.rdna1", "legacy", "vulkan.no_matrix"),
        ("vulkan", "nvidia.pascal", "legacy", "vulkan.no_matrix"),
        ("metal", "apple.apple7", "legacy", "metal.apple7"),
        ("metal", "apple.apple10", "kquant", "metal.apple10"),
        ("cpu", "", "kquant", "cpu"),
    ],
)
def test_the_kernel_path_follows_llama_cpp(backend, arch, family, path):
    assert prefill_path(backend, arch, family) == path
    assert path in PATHS and path in ENGINE


def test_paths_on_the_same_matrix_hardware_share_an_engine():
    assert ENGINE["vulkan.coopmat2"] == ENGINE["cuda.mmq"] == ENGINE["cuda.cublas"]
    assert ENGINE["vulkan.coopmat"] == ENGINE["rocm.wmma"]
    assert ENGINE["vulkan.no_matrix"] == ENGINE["rocm.no_matrix"]


def test_compute_is_rated_for_the_path():
    # RDNA4's WMMA: twice the spec table's fp16 figure.
    assert rated_compute("vulkan", "amd.rdna4", 97.3, "legacy")[1] == pytest.approx(194.6e12)
    assert rated_compute("vulkan", "amd.rdna3", 59.4, "legacy")[1] == pytest.approx(59.4e12)
    # Pascal has no tensor cores: its FP32 rate, 64 times the fp16 column (TechPowerUp).
    assert rated_compute("cuda", "nvidia.pascal", 0.18, "legacy")[1] == pytest.approx(11.52e12)
    # MMQ on a chip whose fp16 figure is 4x its FP32 rate carries the CUDA-core excess.
    assert rated_compute("cuda", "nvidia.ampere_dc", 78.0, "kquant")[2] == 3.0
    assert rated_compute("cuda", "nvidia.ada", 82.6, "kquant")[2] == 0.0
    assert rated_compute("cuda", "nvidia.ampere_dc", 78.0, "f16")[2] == 0.0


def test_the_shipped_constants_price_each_path():
    c = load_constants()
    assert set(PATHS) <= set(c.kappa)
    a100 = DeviceRate("gpu0", "cuda", 2039.0, 77.97, 1.0, arch="nvidia.ampere_dc")
    ada = DeviceRate("gpu0", "cuda", 2039.0, 77.97, 1.0, arch="nvidia.ada")
    # Same spec figures: the A100's MMQ runs its CUDA-core share at a quarter of the fp16 rate.
    assert c.shader_mmq > 0
    slower = coefficients(c, a100, "kquant").prefill_s_per_flop
    assert slower > coefficients(c, ada, "kquant").prefill_s_per_flop
    assert coefficients(c, a100, "kquant").path == "cuda.mmq"
    assert coefficients(c, a100, "f16").path == "cuda.cublas"


@pytest.mark.parametrize(
    ("arch", "ratio"),
    [("nvidia.ampere_dc", 4.0), ("nvidia.turing", 2.0), ("nvidia.ada", 1.0),
     ("amd.rdna1", 2.0), ("amd.rdna2", 2.0), ("amd.rdna3", 4.0), ("amd.rdna4", 4.0),
     ("apple.apple9", 1.0)],
)  # fmt: skip
def test_the_shader_rate_is_the_fp16_figure_over_its_lane_multiple(arch, ratio):
    # AMD's fp16 column counts packed halves, and on RDNA3/4 dual issue too: the Radeon 8060S's
    # 59.4 TFLOPS is 40 CUs × 64 lanes × 2 FLOPs × 2.9 GHz × 4.
    assert shader_ratio(arch) == ratio


def test_decode_pays_for_the_mat_vec_work_on_the_shader_alus():
    """Two GPUs with the same memory and the same fp16 figure: GA100's shader ALUs run at a
    quarter of it (an RTX 4090's at all of it), so its mat-vec kernels' unpacking and dot
    products take 4x as long beside the same weight stream, and it decodes slower. An A100
    reaches 31-51% of its bandwidth in the published rows; the fitted cost per weight is near
    the ~2 instructions counted in mmvq's Q4_0 dot product."""
    c = load_constants()
    assert 1.0 < c.gamma_gpu < 4.0
    a100 = DeviceRate("gpu0", "cuda", 2039.0, 77.97, 1.0, arch="nvidia.ampere_dc")
    same_alus = DeviceRate("gpu0", "cuda", 2039.0, 77.97, 1.0, arch="nvidia.ada")
    slow, fast = coefficients(c, a100, "kquant"), coefficients(c, same_alus, "kquant")
    assert slow.decode_s_per_byte == fast.decode_s_per_byte
    assert slow.decode_s_per_flop > fast.decode_s_per_flop > 0
    assert slow.decode_s_per_flop == pytest.approx(4 * fast.decode_s_per_flop, rel=1e-6, abs=0)
    assert fast.decode_s_per_flop == pytest.approx(c.gamma_gpu / 77.97e12, rel=1e-6, abs=0)
    strix = DeviceRate("gpu0", "rocm", 256.0, 59.4, 1.0, arch="amd.rdna3")
    assert coefficients(c, strix, "f16").decode_s_per_flop == pytest.approx(
        c.gamma_float * 4 / 59.4e12, rel=1e-6, abs=0
    )


@pytest.mark.parametrize(
    ("backend", "arch", "family", "int8"),
    [
        ("cuda", "nvidia.ada", "kquant", True),  # mmvq: dp4a on q8_1 activations
        ("cuda", "nvidia.ada", "f16", False),  # mmvf: convert and FMA
        ("rocm", "amd.rdna3", "q8_0", True),  # Strix Halo's quantized files: mmvq
        ("rocm", "amd.rdna3", "f16", False),  # its BF16 files: mmvf
        ("sycl", "intel", "legacy", True),  # SYCL's mul_mat_vec_q
        ("metal", "apple.apple9", "legacy", False),  # mul_mv: mask, convert, FMA
        ("metal", "apple.apple9", "mxfp4", False),
        ("vulkan", "amd.rdna4", "legacy", True),  # R9700: mul_mat_vecq (integer dot product)
        ("vulkan", "amd.rdna4", "q8_0", False),  # Q8_0 stays on the float shader off GCN
        ("vulkan", "amd.gcn", "q8_0", True),
        ("vulkan", "amd.rdna1", "legacy", False),  # RX 5700 XT: no 4x8-bit dot instruction
        ("vulkan", "nvidia.ampere", "legacy", False),  # RTX 3090: rows of 4096 stay float
        ("vulkan", "intel", "kquant", False),
    ],
)
def test_decode_mat_vec_kernel_kind_follows_the_vendored_dispatch(backend, arch, family, int8):
    assert matvec_int8(backend, arch, family) is int8


def test_float_mat_vec_kernels_cost_more_shader_work_per_weight_than_int8_ones():
    """Fitted on the published rows, the float kernels (Metal's mul_mv, mmvf, Vulkan's
    dequantizing shaders) take more instructions a weight than the int8 dot-product kernels,
    as counted: about 3 (mask, convert, FMA) against about 2 (mmvq's Q4_0 dot product). With one
    shared cost the Strix Halo's BF16 files and an RDNA4 card's Q4_0 got the same cost a weight."""
    c = load_constants()
    assert 1.0 < c.gamma_gpu < c.gamma_float < 5.0
    rdna3 = DeviceRate("gpu0", "rocm", 256.0, 59.4, 1.0, arch="amd.rdna3")
    bf16, q8 = coefficients(c, rdna3, "f16"), coefficients(c, rdna3, "q8_0")
    assert bf16.decode_s_per_flop / q8.decode_s_per_flop == pytest.approx(
        c.gamma_float / c.gamma_gpu, rel=1e-9
    )
    assert bf16.decode_s_per_flop > q8.decode_s_per_flop


@pytest.mark.parametrize(
    ("backend", "arch", "group"),
    [
        ("rocm", "amd.rdna3", "amd_matrix"),  # Strix Halo: MMQ on WMMA
        ("vulkan", "amd.rdna4", "amd_matrix"),  # RX 9070: KHR cooperative matrix
        ("rocm", "amd.rdna2", "no_matrix"),  # RX 6800 XT: MMQ on dp4a
        ("vulkan", "amd.gcn", "no_matrix"),
        ("cuda", "nvidia.ada", "nv_tensor"),
        ("vulkan", "nvidia.ampere", "nv_tensor"),
        ("metal", "apple.apple9", "apple"),
        ("cpu", "", "cpu"),
    ],
)
def test_a_quant_familys_factor_follows_the_matrix_hardware_not_the_api(backend, arch, group):
    """rho is keyed by the kernel path's engine: ROCm on RDNA3 prices a K-quant as Vulkan on
    RDNA4 does (both unpack beside int8/FP16 matrix units), not as ROCm on RDNA2's dp4a."""
    assert quant_group(backend, arch, "kquant") == group
    c = load_constants()
    dev = DeviceRate("gpu0", backend, 256.0, 59.4, 1.0, arch=arch)
    k = coefficients(c, dev, "kquant")
    kappa, matrix = c.prefill_kappa(dev, "kquant")
    assert k.prefill_s_per_flop == pytest.approx(
        kappa * c.quant_factor(group, "kquant") / matrix, rel=1e-6, abs=0
    )
    # Every engine with K-quant rows has its own factor; the CPU has none since its published
    # rows are priced by kernel paths (cpu_paths) and the N100's are skipped: the shared one.
    assert (f"{group}.kquant" in c.rho) == (group != "cpu")


def test_rdna3_rocm_and_rdna2_rocm_take_different_quant_factors():
    c = load_constants()
    assert c.rho["amd_matrix.kquant"] != c.rho["no_matrix.kquant"]
    assert "rocm.kquant" not in c.rho  # no per-API factor left to mix the two
