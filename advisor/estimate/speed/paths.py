"""Which llama.cpp kernel path runs a prompt's matrix products on a device, from device facts.

Prefill is matrix-matrix work, and llama.cpp picks a different kernel for it by backend,
GPU architecture and weight type. Each path gets its own fitted efficiency (kappa) in
speed_constants.json; this module decides the path, from what the probe or the spec table
knows of the device (vendor, NVIDIA compute capability, AMD gfx target, Apple generation), and
says what a backend's kernels do beside it (unpacks_tiles, streams_activations,
expert_tile_passes).
Read from llama.cpp's source as vendored in llama-cpp-python 0.3.36:

- CUDA (ggml-cuda/mmq.cu `ggml_cuda_should_use_mmq`, ggml-cuda.cu `ggml_cuda_mul_mat`):
  quantized weights go through MMQ (int8 tensor-core MMA) on Turing and later at every batch
  size; on Volta (FP16 MMA, no int8 MMA) MMQ only below 64 columns, so a 512-token batch is
  dequantized to F16 for cuBLAS; before Volta MMQ runs on dp4a. F16/BF16 weights always go
  through cuBLAS GEMM (tensor cores from Volta; BF16 fast from Ampere, `fast_bf16_hardware_
  available`). MMQ does a good part of its work (unpacking, scales) on the CUDA cores, so its
  speed follows the FP32 rate as well as the tensor rate: `shader_ratio` below.
- Vulkan (ggml-vulkan.cpp): NVIDIA's VK_NV_cooperative_matrix2 (coopmat2) where the driver has
  it, else VK_KHR_cooperative_matrix (coopmat), which `ggml_vk_khr_cooperative_matrix_support`
  allows on AMD RDNA3/RDNA4 and Intel Xe2 (and any other vendor's driver that offers it); without
  either, the scalar mul_mm shaders. Pre-Turing NVIDIA has no matrix cores to expose.
- ROCm/HIP (same CUDA sources): RDNA3/RDNA4 have WMMA (`amd_wmma_available`), CDNA has MFMA;
  RDNA1/2 and GCN have neither and run MMQ on dp4a.
- Metal: one set of simdgroup-matrix kernels on every Apple GPU (Apple7 and later), so the path
  is the GPU generation: M1 is Apple7, M2 Apple8, M3 and M4 Apple9 (Apple's Metal feature set
  tables), M5 adds the GPU neural accelerators llama.cpp uses since PR #16634.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from advisor.estimate.speed.hardware import apple_generation

if TYPE_CHECKING:
    from advisor.estimate.speed.load import TokenCost

# NVIDIA architecture by compute capability (NVIDIA, "CUDA GPUs - Compute Capability",
# developer.nvidia.com/cuda-gpus).
_NVIDIA_CC = (
    (6.0, "pascal_hp"), (6.1, "pascal"), (7.0, "volta"), (7.5, "turing"), (8.0, "ampere_dc"),
    (8.6, "ampere"), (8.9, "ada"), (9.0, "hopper"), (10.0, "blackwell_dc"), (12.0, "blackwell"),
)  # fmt: skip
# The same facts by product name, for profiles and calibration rows that give no capability
# (same NVIDIA page: GeForce 10 / P-series Pascal, V100 Volta, 20-series/T4/GTX 16 Turing,
# A100/A30 GA100, 30-series/A-series GA10x, 40-series/L4/L40/Ada Ampere+1, H100/H200 Hopper,
# B200 Blackwell datacenter, 50-series/RTX PRO Blackwell/GB10 Blackwell).
_NVIDIA_NAMES = (
    (r"\b(?:A100|A800|A30X?)\b", "ampere_dc"),
    (r"\b(?:H100|H200|H800|GH200)\b", "hopper"),
    (r"\b(?:B100|B200|GB200|B300)\b", "blackwell_dc"),
    (r"\b(?:RTX (?:PRO )?50\d\d|RTX PRO \d000|GB10|DGX Spark|Blackwell)\b", "blackwell"),
    (r"\b(?:RTX 40\d\d|L4|L40S?|L40G|L20|Ada)\b", "ada"),
    (r"\b(?:RTX 30\d\d|RTX A\d{3,4}|A10G?|A10M|A16|A2|A40|A6000)\b", "ampere"),
    (r"\b(?:RTX 20\d\d|GTX 16\d\d|T4G?|TITAN RTX|Quadro RTX)\b", "turing"),
    (r"\b(?:V100S?|TITAN V)\b", "volta"),
    (r"\bP100\b", "pascal_hp"),
    (r"\b(?:GTX 10\d\d|P40|P4|P6000|TITAN Xp?)\b", "pascal"),
)
# The spec table's fp16 column is TechPowerUp's non-tensor half-float figure: on GA100 and
# Hopper that is 4× the FP32 rate, on Volta and Turing 2×, on GA10x, Ada and consumer
# Blackwell 1×, on GP100 2× and on the other Pascal chips 1/64 (TechPowerUp GPU database,
# per-card "Theoretical Performance"). MMQ's work on the CUDA cores runs at the FP32 rate, so
# these chips get less of their fp16 figure; Pascal has no tensor cores and runs at FP32.
FP16_PER_FP32 = {"pascal": 1 / 64, "pascal_hp": 2.0, "volta": 2.0, "turing": 2.0,
                 "ampere_dc": 4.0, "hopper": 4.0}  # fmt: skip
# AMD architecture by gfx target (LLVM AMDGPU processor table, llvm.org/docs/AMDGPUUsage.html).
_AMD_GFX = (
    (r"^gfx12", "rdna4"), (r"^gfx115", "rdna3"), (r"^gfx11", "rdna3"), (r"^gfx103", "rdna2"),
    (r"^gfx101", "rdna1"), (r"^gfx94|^gfx90a|^gfx908", "cdna"), (r"^gfx[89]", "gcn"),
)  # fmt: skip
# RDNA4's WMMA does 1024 FP16 FLOPs a cycle per CU, twice RDNA3's 512, which is also the
# non-tensor figure (AMD RX 9070 XT specifications: 97.3 TFLOPS FP16, 194.6 FP16 matrix dense;
# RDNA3 ISA guide, WMMA). Matrix paths on RDNA4 are rated against twice the fp16 column.
MATRIX_PER_FP16 = {"rdna4": 2.0}
# The same column on AMD counts packed FP16 (two per lane) and, on RDNA3 and RDNA4, dual-issued
# VOPD pairs as well: fp16 / (CUs × 64 lanes × 2 FLOPs × boost clock) is 2 on RDNA1/2 (RX 5700
# XT: 19.51 TFLOPS, 40 CUs, 1.905 GHz; RX 6800 XT: 41.47, 72, 2.25) and 4 on RDNA3/RDNA4 (RX
# 7900 XTX: 122.8, 96, 2.5; Radeon 8060S: 59.4, 40, 2.9; Radeon AI PRO R9700: 95.68, 64, 2.92):
# fp16 and CUs from the spec table, boost clocks from TechPowerUp. A lane's integer work (the
# mat-vec kernels' unpacking and int8 dot products) issues once a clock: VOPD pairs FP32 ops
# only (AMD RDNA3 ISA reference, "VOPD").
AMD_FP16_PER_LANE_RATE = {"rdna1": 2.0, "rdna2": 2.0, "rdna3": 4.0, "rdna4": 4.0}
_APPLE_FAMILY = {"M1": "apple7", "M2": "apple8", "M3": "apple9", "M4": "apple9", "M5": "apple10"}

PATHS = (
    "cpu", "sycl",
    "cuda.mmq", "cuda.cublas", "cuda.no_tensor",
    "rocm.wmma", "rocm.mfma", "rocm.no_matrix",
    "vulkan.coopmat2", "vulkan.coopmat", "vulkan.no_matrix",
    "metal.apple7", "metal.apple8", "metal.apple9", "metal.apple10",
)  # fmt: skip
# The matrix hardware a path runs on: paths on the same hardware share a fitted part, so a
# path seen on few devices (Vulkan coopmat2 on NVIDIA) leans on the others (CUDA's).
ENGINE = {
    "cuda.mmq": "nv_tensor", "cuda.cublas": "nv_tensor", "vulkan.coopmat2": "nv_tensor",
    "rocm.wmma": "amd_matrix", "rocm.mfma": "amd_matrix", "vulkan.coopmat": "amd_matrix",
    "cuda.no_tensor": "no_matrix", "rocm.no_matrix": "no_matrix", "vulkan.no_matrix": "no_matrix",
    "metal.apple7": "apple", "metal.apple8": "apple", "metal.apple9": "apple",
    "metal.apple10": "apple", "cpu": "cpu", "sycl": "sycl",
}  # fmt: skip


def nvidia_arch(name: str, compute_capability: str | None = None) -> str | None:
    """'ada', 'hopper', ... from the capability ("8.9") when known, else from the name."""
    if compute_capability:
        try:
            cc = float(compute_capability)
        except ValueError:
            cc = None
        if cc is not None:
            return [arch for floor, arch in _NVIDIA_CC if cc >= floor][-1] if cc >= 6.0 else None
    for pattern, arch in _NVIDIA_NAMES:
        if re.search(pattern, name, re.IGNORECASE):
            return arch
    return None


def amd_arch(gfx_target: str | None) -> str | None:
    for pattern, arch in _AMD_GFX:
        if gfx_target and re.search(pattern, gfx_target):
            return arch
    return None


@lru_cache(maxsize=512)
def device_arch(vendor: str | None, name: str, compute_capability: str | None = None) -> str:
    """'nvidia.ada', 'amd.rdna4', 'apple.apple9', 'intel', or '' when nothing is known.

    A vendor or AMD gfx target the caller does not give comes from the probe's spec table.
    """
    spec = _spec(name)
    vendor = (vendor or (spec.vendor if spec else "") or "").lower()
    if vendor == "nvidia" or (not vendor and nvidia_arch(name)):
        arch = nvidia_arch(name, compute_capability)
        return f"nvidia.{arch}" if arch else "nvidia"
    if vendor == "apple" or apple_generation(name):
        family = _APPLE_FAMILY.get(apple_generation(name) or "")
        return f"apple.{family}" if family else "apple"
    if vendor == "amd":
        gfx = compute_capability if (compute_capability or "").startswith("gfx") else None
        arch = amd_arch(gfx or (spec.gfx_target if spec else None))
        return f"amd.{arch}" if arch else "amd"
    return vendor


def _spec(name: str):
    """The spec-table row of the name, or of one of its parts ("CPU / GPU (alias)")."""
    from advisor.probe.specs.table import match_spec

    for part in (name, *re.split(r"\s*/\s*|\s*[()]\s*", name)):
        found = match_spec(part) if part.strip() else None
        if found is not None and not found.ambiguous_with:
            return found.spec
    return None


def prefill_path(backend: str, arch: str, family: str) -> str:
    """The named kernel path of a prompt's matrix products (see the module docstring)."""
    vendor, _, gen = arch.partition(".")
    if backend == "cuda":
        if gen.startswith("pascal"):
            return "cuda.no_tensor"
        if family == "f16" or gen == "volta":
            return "cuda.cublas"
        return "cuda.mmq"
    if backend == "rocm":
        if gen in ("rdna3", "rdna4"):
            return "rocm.wmma"
        return "rocm.mfma" if gen == "cdna" else "rocm.no_matrix"
    if backend == "vulkan":
        if vendor == "nvidia" and not gen.startswith("pascal"):
            return "vulkan.coopmat2"
        if gen in ("rdna3", "rdna4") or vendor == "intel" and gen == "xe2":
            return "vulkan.coopmat"
        return "vulkan.no_matrix"
    if backend == "metal":
        return f"metal.{gen}" if gen else "metal.apple9"
    return backend if backend in ENGINE else "cpu"


def matvec_int8(backend: str, arch: str, family: str) -> bool:
    """Whether a one-token mat-vec on this device multiplies int8 dot products (else float FMAs).

    Which kernel decodes a token's weights, read in llama.cpp's source (llama-cpp-python 0.3.36's
    vendored tree); the two kinds cost different shader work per weight (model.coefficients:
    gamma_gpu for the int8 kernels, gamma_float for the float ones):

    - CUDA, ROCm/HIP and SYCL run quantized weights through `mul_mat_vec_q` (ggml-cuda/mmvq.cu,
      ggml_cuda_should_use_mmvq; SYCL's can_use_mul_mat_vec_q): the activations quantized to
      q8_1 and `dp4a` (int8 dot products) on the packed weights. F16/BF16 weights go through
      `mul_mat_vec_f` (mmvf.cu): each weight converted to float and multiplied by an FMA.
    - Metal's `kernel_mul_mv_*` (ggml-metal/kernels/mul_mv.metal) multiply float activations by
      masked weights (`block_q_n_dot_y`: a mask, a conversion and an FMA a weight): float.
    - Vulkan (ggml-vulkan.cpp ggml_vk_should_use_mmvq, for one column): the int8 `mul_mat_vecq`
      shaders only on a device with accelerated 4×8-bit dot products (`integer_dot_product`),
      and there on AMD for rows of 2048 or more weights, not for Q8_0 (but on GCN) or Q6_K; on
      NVIDIA only past 4096 weights a row (most of a 7-8B model's rows are 4096: counted float;
      Q2_K/Q3_K/IQ1 at any width, Q8_0/MXFP4 only before Turing). On Intel the source takes it
      for rows of 2048 or more weights but Q4_0, Q5_1 and IQ4_XS (tuned on an A770 under Linux),
      and never under the Windows driver (but Q2_K/Q3_K/Q6_K on Xe2): counted float here, as
      this model does not know the driver (the one Intel Vulkan row, a Tiger Lake iGPU's Q4_0,
      is float either way). Elsewhere the `mul_mat_vec_<type>` shaders
      dequantize to float. RDNA1 (gfx1010, the RX 5700 XT) has no 4×8-bit dot instruction
      (ggml-cuda/common.cuh `ggml_cuda_dp4a` builds it from four 24-bit multiplies there), so
      its driver offers none accelerated: float.
    A file's family stands for its main type (a Q4_K_M file's Q6_K rows are counted as Q4_K's).
    """
    vendor, _, gen = arch.partition(".")
    if family == "f16" or backend in ("metal", "cpu"):
        return False
    if backend == "vulkan":
        if vendor != "amd" or gen in ("", "rdna1"):
            return False
        return family != "q8_0" or gen == "gcn"
    return True


def matrix_factor(arch: str) -> float:
    """The path's matrix throughput over the spec table's fp16 figure (2 on RDNA4)."""
    return MATRIX_PER_FP16.get(arch.partition(".")[2], 1.0)


def shader_ratio(arch: str) -> float:
    """The spec fp16 figure over the shader ALUs' rate (one instruction per lane a clock, an
    FMA counted as 2 FLOPs): NVIDIA's FP32 rate, AMD's single-issue lane rate (1 where the
    spec figure is that rate, as on Apple GPUs)."""
    vendor, _, gen = arch.partition(".")
    if vendor == "nvidia":
        return FP16_PER_FP32.get(gen, 1.0)
    return AMD_FP16_PER_LANE_RATE.get(gen, 1.0) if vendor == "amd" else 1.0


def rated_compute(backend: str, arch: str, compute_tflops: float,
                  family: str) -> tuple[str, float, float]:  # fmt: skip
    """(path, FLOP/s its efficiency is fitted against, MMQ's FP32 excess) of a device's prefill.

    The FLOP/s are the spec table's fp16 figure × the path's matrix factor (the FP32 rate on
    Pascal, which has no tensor cores); the excess is fp16/FP32 - 1 on CUDA's MMQ path, where
    the CUDA-core share of the work runs at the FP32 rate (0 elsewhere).
    """
    path = prefill_path(backend, arch, family)
    flops = compute_tflops * 1e12 * matrix_factor(arch)
    ratio = shader_ratio(arch)
    if path == "cuda.no_tensor":
        flops /= ratio
    return path, flops, (ratio - 1.0) if path == "cuda.mmq" else 0.0


# Tokens one unpacked weight tile serves: MMQ's widest tile (J = 128 in every
# ggml-cuda/mmq-config-*.cuh); see expert_tile_passes.
MATRIX_TILE_COLUMNS = 128


def unpacks_tiles(backend: str) -> bool:
    """Whether the backend's expert matmuls unpack weight tiles shared by a batch's tokens.

    The GPU backends do (MMQ and the mul_mm_id shaders). The CPU does not: ggml-cpu's
    mul_mat_id (ggml_compute_forward_mul_mat_id_one_chunk) runs vec_dot on each weight row
    for each token in 16 × 16 blocks, unpacking as it goes, so its cost per expert FLOP does
    not depend on how many tokens an expert gets.
    """
    return backend != "cpu"


def streams_activations(backend: str) -> bool:
    """Whether a prompt's activations between kernels go through the device's memory.

    On a GPU each non-matrix kernel (norm, RoPE, residual add, SwiGLU, q8_1 quantization)
    reads its F32 input from memory and writes its output back: a 512-token batch's hidden
    state is 8 MB at 4096 wide. The CPU backend runs those ops on chunks its threads keep in
    cache, and its constants (advisor.estimate.speed.cpu_paths) were measured with them in.
    """
    return backend != "cpu"


def expert_tile_passes(cost: TokenCost, ubatch_tokens: int) -> float:
    """How much more often than a full tile allows each routed-expert weight is unpacked, per
    token of a batch: 1/(tokens per expert) - 1/MATRIX_TILE_COLUMNS, never below 0.

    A batch of `ubatch_tokens` sends ubatch × k / E tokens to each of E experts (k used per
    token). The matrix kernels load and unpack a tile of weights once per MATRIX_TILE_COLUMNS
    tokens (CUDA/ROCm MMQ's largest mmq_x, ggml-cuda/mmq-config-*.cuh), so an expert that gets
    fewer tokens than that unpacks its weights for fewer products: 16 tokens per expert (256
    experts, 8 used, ubatch 512) pay 8x a dense matrix's unpacking per FLOP.
    """
    if cost.expert_flops <= 0 or cost.expert_used_share <= 0:
        return 0.0
    tokens_per_expert = ubatch_tokens * cost.expert_used_share
    return max(1.0 / tokens_per_expert - 1.0 / MATRIX_TILE_COLUMNS, 0.0)
