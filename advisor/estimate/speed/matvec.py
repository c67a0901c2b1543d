"""How much shader work a GPU's int8 decode mat-vec kernels do per weight, by ggml weight type.

Decoding one token multiplies every weight in use by one vector, on the shader ALUs
(docs/speed.md, "Shader work in decode"). Where that runs as int8 dot products (paths.matvec_int8:
CUDA, ROCm and SYCL's `mul_mat_vec_q`, Vulkan's `mul_mat_vecq` on AMD) the model charges
`FLOPs × gamma_gpu × ops ratio / shader rate`. `gamma_gpu` is fitted; the ratio is counted here:
the instructions one thread of llama.cpp's kernel issues per weight of each type, over Q4_0's
(the type the prior on `gamma_gpu` was counted on). Before 2026-12-07 every type counted as
Q4_0, so a Q4_K_M file, whose super-blocks' 6-bit scales and mins are unpacked beside the
weights and whose Q6_K tensors join two bit planes, was charged half the shader work its
kernels do. The float kernels (Metal's `kernel_mul_mv_*`, Vulkan's dequantizing shaders,
`mul_mat_vec_f` for F16/BF16: `gamma_float`) are not counted per type here and cost the same
per weight whatever the type.

Counted in llama-cpp-python 0.3.36's vendored ggml-cuda, one call of the type's `vec_dot_*_q8_1`
(vecdotq.cuh, run by `mul_mat_vec_q` in mmvq.cu with the type's MMVQ VDR) or one iteration of
`mul_mat_vec_f` (mmvf.cu) for float weights. One instruction per load, integer ALU operation
(shift, mask, or, byte permute, the emulated `__vsub4` taken as 4), `dp4a`, conversion
(half or E8M0 to float) and float multiply or FMA; the arithmetic that depends only on the
thread's position in the block (`iqs`) is left out, as nvcc hoists it out of the row loop, and
every call pays 6 for the loop and its block addresses (the same 6 for each type). ROCm runs the
same source (HIP); Vulkan's int8 shaders unpack the same blocks, and their counts are taken as
CUDA's, as the shared `gamma_gpu` takes CUDA's Q4_0 count for them. The float types' entries
(F16, BF16, F32) count `mul_mat_vec_f`: they enter an int8 device's ratio only for a quantized
file's few float tensors (norms are not multiplied; an MoE router is).
"""

from __future__ import annotations

from functools import lru_cache

from advisor.catalog.tensors.quant_rules import DEFAULT_TYPE

# ggml type -> (instructions per call, weights per call); see the module docstring.
COUNTED_OPS: dict[str, tuple[int, int]] = {
    # two 16-bit halves per int (get_int_b2: 2 loads, shift, or) ×2, 4 activation ints, the
    # half scale and the q8_1 half2 (loads + 3 conversions): 17; two nibble planes: 6; 4 dp4a;
    # sumi × d8 - 8 × s8, × d4: 4; loop 6. 16 weights.
    "Q4_0": (37, 16),
    # as Q4_0 with a half2 scale-and-min (one more conversion) and the min term's multiply
    "Q4_1": (38, 16),
    # as Q4_0 plus the fifth bit of each weight from qh: 4 × (shift, mask, or) per 4-weight
    # int, 2 ints a plane: 54 for the planes, the qh loads 6
    "Q5_0": (91, 16),
    "Q5_1": (92, 16),
    # 8 weights a call (VDR 2, 4 weights an int): int loads 8, activations 2, two half
    # scales 4; 2 dp4a; d8_0 × d8_1 × sumi: 3; loop 6
    "Q8_0": (25, 8),
    # 16 weights: weights 2, 3 packed 6-bit scale words, 2 activation scales (+2 conversions),
    # 4 activation ints, dm half2 (+2): 16; pointers 4; 6-bit scale and min unpacking (the
    # branchless aux[] masks, shifts and ors, 4 byte extractions): 20; nibble planes 6; 8 dp4a
    # (4 for the weights, 4 for the activation sums the mins multiply); 2 × (scale multiply,
    # int-to-float, FMA) a plane: 12; final 2; loop 6
    "Q4_K": (74, 16),
    # Q4_K plus the high bit plane (2 loads, 3 ops + or per int and plane): +18
    "Q5_K": (92, 16),
    # 8 weights: low and high bits (get_int_b2 twice, shift), 2 scales, d, 2 activation ints
    # and scales: 19; pointers 4; per plane shift/mask 2, high bits 3, or, __vsub4 (-32) 4,
    # dp4a, scale multiply, int-to-float, FMA: 25 for two; final 1; loop 6
    "Q6_K": (55, 8),
    # 16 weights: 4 two-bit planes, each a scale byte, 2 ops to unpack, a dp4a and 3 for the
    # scale; the min term's dp4a and 4; loads 14; loop 6
    "Q2_K": (77, 16),
    # 16 weights: 4 planes of two low bits and a high bit from hmask (5 ops), __vsub4 (4),
    # dp4a, the 6-bit scale extraction (6) and 3 for the scale; loads 16; loop 6
    "Q3_K": (90, 16),
    # 16 weights: the four bytes of each weight int (get_int_b1: 4 loads, 3 shifts, 3 ors) ×2,
    # 4 activation ints, E8M0 and half scales: 27; get_int_from_table_16 (3 for the index bits,
    # 6 __byte_perm and 2 shifts, the table words held in registers): 14 per int, 28; 4 dp4a;
    # E8M0 to float, × 0.5 × d8, int-to-float, multiply: 7; loop 6
    "MXFP4": (72, 16),
    # as MXFP4 with a half scale (the same table lookup, kvalues_iq4nl)
    "IQ4_NL": (72, 16),
    # mul_mat_vec_f with half weights and llama.cpp's default (half) accumulation on GPUs
    # with fast FP16: per half2 a load, a float2 activation load, the float2-to-half2
    # conversion and one HFMA2, 2 for the loop
    "F16": (6, 2),
    # bf16 pairs: one 32-bit load, 2 conversions to float, the activation load, 2 FMAs, loop 2
    "BF16": (8, 2),
    # float pairs: 2 loads, 2 FMAs, loop 2
    "F32": (6, 2),
}
REFERENCE_TYPE = "Q4_0"  # gamma_gpu's prior was counted on vec_dot_q4_0_q8_1
# Not counted: the i-quants on grids (IQ1-IQ3: a grid table load and sign masks per 8 weights)
# are taken as the dearest counted K-quant (Q6_K), IQ4_XS (IQ4_NL's lookup with K-quant
# scales) as Q4_K, and a type this table does not know as Q4_0.
ASSUMED_AS: dict[str, str] = {
    "IQ1_S": "Q6_K", "IQ1_M": "Q6_K", "IQ2_XXS": "Q6_K", "IQ2_XS": "Q6_K", "IQ2_S": "Q6_K",
    "IQ3_XXS": "Q6_K", "IQ3_S": "Q6_K", "IQ4_XS": "Q4_K",
}  # fmt: skip


def ops_per_weight(ggml_type: str) -> float:
    """Shader instructions per weight of `ggml_type`'s mat-vec kernel (counted or assumed)."""
    ops, weights = COUNTED_OPS.get(ASSUMED_AS.get(ggml_type, ggml_type), COUNTED_OPS["Q4_0"])
    return ops / weights


@lru_cache(maxsize=4096)
def matvec_ops_ratio(mix: tuple[tuple[str, float], ...], quant: str) -> float:
    """The file's FLOP-weighted mat-vec instructions per weight, over Q4_0's.

    `mix` is the file's weight types with their FLOP shares (load.TokenCost.kernel_mix); a file
    whose layout is not known (an Unsloth "UD" mix) is taken as its file type's main type.
    """
    reference = ops_per_weight(REFERENCE_TYPE)
    if not mix:
        main = DEFAULT_TYPE.get(quant.upper(), quant.upper())
        return ops_per_weight(main) / reference
    total = sum(share for _, share in mix)
    return sum(share * ops_per_weight(t) for t, share in mix) / (total * reference)
