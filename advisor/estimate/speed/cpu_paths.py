"""llama.cpp's CPU matrix kernels: which path each weight type takes on a CPU, and its cost.

On the CPU, llama.cpp (ggml-cpu, in the llama-cpp-python sdist's vendor/llama.cpp) multiplies
a weight matrix by one of three kinds of kernel, chosen per tensor when the model loads:

* a repacked GEMM (ggml-cpu/repack.cpp, ggml_repack_get_optimal_repack_type): the weights are
  interleaved into 8x8 (x86) or 4x8 / 4x4 / 8x4 (Arm) blocks at load time and multiplied by
  int8 dot products, several rows and columns per instruction;
* llamafile's tinyBLAS (ggml-cpu/llamafile/sgemm.cpp, llamafile_sgemm): register-blocked
  GEMM for F32/F16/BF16 (FP32 FMA on converted values) and Q8_0/Q4_0/Q5_0/IQ4_NL (int8 dot
  products: VNNI `vpdpbusd` where the CPU has it, else `vpmaddubsw` + `vpmaddwd`);
* the generic row-by-row dot product (ggml_vec_dot_<type>_q8, ggml-cpu/arch/*/quants.c) for
  every other type: no blocking across columns, so prefill gains little from the batch.

Which one a type takes depends on the SIMD level (x86: AVX2 is enough for the 8x8 repacks,
AVX-512 adds Q2_K's, AMX tiles take Q4_0/Q4_1/Q8_0/Q4_K/Q5_K/Q6_K/IQ4_XS first (ggml-cpu/amx);
Arm: i8mm picks the 4x8 / 8x8 repacks, dotprod the 4x4 / 8x4 ones). The level comes from the
probe's SIMD flags (/proc/cpuinfo or sysctl, advisor.probe.live.cpu).

Each path's cost per FLOP, relative to the F16 GEMM (tinyBLAS F16: F16 weights converted to
FP32 and multiplied by FP32 FMAs) on the same CPU, is a named constant in PATH_COSTS, for
prefill (the path's GEMM) and for decode (its matrix-vector work beyond streaming the weights).
x86 AVX-512's are measured (benchmarks/data/cpu_rows_here.csv); Arm's without runtime repacking
are counted from the compiled kernels (benchmarks/arm_kernel_issue.py), decode as the vec_dot's
whole time, which hides the weight stream (COUNTED_LEVELS). A SIMD
level or a kind without constants uses the fitted quant-family factors of speed_constants.json
(the speed model's rho, beta and gamma_cpu for "cpu"): the Arm levels of today's builds (their
repacked kernels are not counted yet) and x86 AVX2 (no scored published row: the Intel N100
rows give no thread count and are skipped).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from advisor.catalog.model import Architecture
from advisor.catalog.tensors.flops import KernelMix as KernelMix  # the layout's FLOP mix
from advisor.catalog.tensors.flops import flop_mix

# SIMD levels, from the probe's flags (advisor.probe.machine.SIMD_FLAGS).
X86_AMX, X86_AVX512, X86_AVX2, ARM_I8MM, ARM_DOTPROD, GENERIC = (
    "x86_amx", "x86_avx512", "x86_avx2", "arm_i8mm", "arm_dotprod", "generic",
)  # fmt: skip
# Not a level the probe reports: NEON with dotprod under a llama.cpp built without the runtime
# repack (GGML_CPU_REPACK=OFF, or any build before llama.cpp's online repacking of late 2024,
# as the published Apple M2 Max CPU rows are: scripts/fitting/speed_rows.CPU_KERNEL_LEVELS).
ARM_DOTPROD_NO_REPACK = "arm_dotprod_no_repack"
# ggml-cpu/amx/common.h qtype_has_amx_kernels: the types the AMX buffer type takes (it comes
# first in ggml-cpu.cpp's extra buffer types when built with AMX-INT8 and AVX512-VNNI).
_AMX_TYPES = frozenset({"Q4_0", "Q4_1", "Q8_0", "Q4_K", "Q5_K", "Q6_K", "IQ4_XS"})


def simd_level(flags: tuple[str, ...] | frozenset[str]) -> str:
    """The SIMD level llama.cpp's CPU kernels are chosen by, from the probe's flags."""
    found = set(flags)
    if "amx" in found and "avx512" in found:
        return X86_AMX
    if "avx512" in found:
        return X86_AVX512
    if "avx2" in found:
        return X86_AVX2
    if "neon" in found and "i8mm" in found:
        return ARM_I8MM
    if "neon" in found and "dotprod" in found:
        return ARM_DOTPROD
    return GENERIC


# ggml weight type -> path on x86 with AVX2 or better (repack.cpp lines "cur->type == ...":
# Q4_0, Q4_K, IQ4_NL, MXFP4 repack to 8x8 with AVX2; Q2_K with AVX-512; sgemm.cpp's
# llamafile_sgemm switch: F16, BF16, F32, Q8_0, Q5_0 and IQ4_NL through tinyBLAS).
_X86_PATHS = {
    "F16": "tinyblas_f16", "BF16": "tinyblas_bf16", "F32": "tinyblas_f32",
    "Q8_0": "tinyblas_q8_0", "Q5_0": "tinyblas_q5_0",
    "Q4_0": "repack_q4_0_8x8", "Q4_K": "repack_q4_K_8x8", "IQ4_NL": "repack_iq4_nl_8x8",
    "MXFP4": "repack_mxfp4_8x8",
}  # fmt: skip
# Arm with i8mm (repack.cpp: Q4_0 and Q8_0 4x8, the K-quants Q4/Q5/Q6 8x8) and with dotprod
# only (Q4_0, Q8_0, IQ4_NL, MXFP4 4x4; Q4_K, Q5_K, Q6_K 8x4).
_ARM_I8MM_PATHS = {
    "F16": "tinyblas_f16", "F32": "tinyblas_f32", "Q4_0": "repack_q4_0_4x8",
    "Q8_0": "repack_q8_0_4x8", "Q4_K": "repack_q4_K_8x8", "Q5_K": "repack_q5_K_8x8",
    "Q6_K": "repack_q6_K_8x8", "IQ4_NL": "repack_iq4_nl_4x4", "MXFP4": "repack_mxfp4_4x4",
}  # fmt: skip
_ARM_DOTPROD_PATHS = {
    "F16": "tinyblas_f16", "F32": "tinyblas_f32", "Q4_0": "repack_q4_0_4x4",
    "Q8_0": "repack_q8_0_4x4", "Q4_K": "repack_q4_K_8x4", "Q5_K": "repack_q5_K_8x4",
    "Q6_K": "repack_q6_K_8x4", "IQ4_NL": "repack_iq4_nl_4x4", "MXFP4": "repack_mxfp4_4x4",
}  # fmt: skip


# Without the repack, ggml-cpu's mul_mat offers each weight to llamafile_sgemm first: on Arm
# with dotprod it takes Q4_0 and Q8_0 (tinyBLAS_Q0_ARM, 3x3 tiles of sdot) and F16 (sgemm.cpp's
# GGML_TYPE_* cases); every other type goes row by row through ggml_vec_dot_<type>_q8.
_ARM_NO_REPACK_PATHS = {"F16": "tinyblas_f16", "F32": "tinyblas_f32", "Q4_0": "tinyblas_q4_0",
                        "Q8_0": "tinyblas_q8_0"}  # fmt: skip


def matmul_path(level: str, ggml_type: str) -> str:
    """The kernel llama.cpp multiplies a `ggml_type` weight with on this SIMD level."""
    t = ggml_type.upper()
    if level == X86_AMX and t in _AMX_TYPES:
        return f"amx_{t}"
    if level in (X86_AMX, X86_AVX512, X86_AVX2):
        if t == "Q2_K" and level != X86_AVX2:
            return "repack_q2_K_8x8"
        return _X86_PATHS.get(t, f"vec_dot_{t}")
    if level == ARM_I8MM:
        return _ARM_I8MM_PATHS.get(t, f"vec_dot_{t}")
    if level == ARM_DOTPROD:
        return _ARM_DOTPROD_PATHS.get(t, f"vec_dot_{t}")
    if level == ARM_DOTPROD_NO_REPACK:
        return _ARM_NO_REPACK_PATHS.get(t, f"vec_dot_{t}")
    return f"vec_dot_{t}"


@dataclass(frozen=True)
class PathCost:
    """One kernel path's cost per FLOP on a CPU, relative to the F16 GEMM (tinyBLAS F16, pp512)
    on the same CPU: its own pp512, and its decode (tg128) work once the bytes are read."""

    prefill: float  # pp512: the batched GEMM, seconds per FLOP over F16's
    decode: float | None  # tg128: the mat-vec kernel's compute beyond the memory stream; None:
    source: str  # not known (the fitted gamma_cpu and family beta stand in decode)


# Measured on this project's 2-core AMD EPYC (family 25 model 17: Zen 4, AVX-512 with VNNI),
# llama-cpp-python 0.3.36's llama.cpp, llama-bench on one thread (benchmarks/cpu_rows_here.py,
# rows in benchmarks/data/cpu_rows_here.csv; `--derive` prints these figures).
# prefill: generated 93 M-parameter llama files of one shape (bench.kernels.probes.PROBE_SPEC):
#   the F16 file's fastest pp512 over each file's. Ratios on one machine, so its clock (unknown
#   in this VM) cancels; the absolute rate comes from the fitted kappa["cpu"] and the core's
#   FMA width (cpu_cores).
# decode: TinyLlama-1.1B-shaped files (on the 93 M shape a token's fixed costs hide the
#   kernels): the F16 file streams its weights (its tg128 is the memory rate), and what each
#   file's tg128 takes beyond its bytes at that rate and the per-layer cost is the kernel's
#   compute, per FLOP, over the F16 file's pp512 seconds per FLOP (the prompt's FLOPs counted as
#   the model counts them: the output head once per batch, TokenCost.prefill_flops).
_PROBE = "cpu_rows_here.csv, probe shape, Zen 4 EPYC, 1 thread, 2026-12-07"
_TINY = "cpu_rows_here.csv, TinyLlama-1.1B shape, Zen 4 EPYC, 1 thread, 2026-12-07"
_BOTH = f"prefill {_PROBE}; decode {_TINY}"
PATH_COSTS: dict[tuple[str, str], PathCost] = {
    (X86_AVX512, "tinyblas_f16"): PathCost(1.0, 0.0, f"the reference ({_BOTH})"),
    (X86_AVX512, "tinyblas_q8_0"): PathCost(0.856, 1.207, _BOTH),
    (X86_AVX512, "repack_q4_0_8x8"): PathCost(0.667, 0.382, _BOTH),
    # From the Q4_K_M file: what is left once its Q6_K share is counted at Q6_K's cost.
    (X86_AVX512, "repack_q4_K_8x8"): PathCost(0.645, 0.226, _BOTH),
    (X86_AVX512, "vec_dot_Q6_K"): PathCost(0.662, 0.0, _BOTH),
}
# Counted, not measured: Apple's P-core (M1/M2: Firestorm, Avalanche) issues up to 8
# instructions a cycle to 4 NEON pipes and 3 load ports (Dougall Johnson's Firestorm
# measurements, as recalled: not re-fetched from this offline machine; the 4 pipes are
# cpu_cores' Apple width). Each kernel's inner loop, compiled from the vendored source for
# apple-m1 with clang (zig cc), takes the most cycles any of the three limits gives; its cycles
# per multiply-add over those of the F16 GEMM (tinyBLAS F16 x F32, its 4x6 tile: 28 NEON
# instructions, fcvtl and fmla, for 24 FMAs) is the cost. `python benchmarks/arm_kernel_issue.py`
# prints every figure below.
# Decode is one token, a matrix-vector product: llamafile_sgemm declines it (sgemm.cpp: "only
# enable sgemm for prompt processing", `if (n < 2) return false`), so every type runs its
# row-by-row ggml_vec_dot_<type>_q8 there, the tinyBLAS types included (Q4_0's vec_dot: 1.286 of
# the F16 GEMM's cycles per multiply-add, against 0.857 for its tinyBLAS tile), and the decode
# constant is that vec_dot's count. Unlike x86's (measured beyond the stream), it is the
# kernel's whole time, loads included, so a token takes the longer of it and the weights'
# stream (COUNTED_LEVELS below); F16's vec_dot (ggml_vec_dot_f16) is not counted (None: no
# published F16 CPU row).
_ARM = "benchmarks/arm_kernel_issue.py: clang -mcpu=apple-m1 -O3 inner loops, Apple P-core issue"
PATH_COSTS.update({
    (ARM_DOTPROD_NO_REPACK, "tinyblas_f16"): PathCost(1.0, None, f"the reference ({_ARM})"),
    (ARM_DOTPROD_NO_REPACK, "tinyblas_q4_0"): PathCost(0.857, 1.286, _ARM),
    (ARM_DOTPROD_NO_REPACK, "tinyblas_q8_0"): PathCost(0.714, 0.857, _ARM),
    (ARM_DOTPROD_NO_REPACK, "vec_dot_Q4_K"): PathCost(0.951, 0.951, _ARM),
    (ARM_DOTPROD_NO_REPACK, "vec_dot_Q5_0"): PathCost(1.607, 1.607, _ARM),
    (ARM_DOTPROD_NO_REPACK, "vec_dot_Q6_K"): PathCost(1.554, 1.554, _ARM),
})  # fmt: skip
MEASURED_LEVELS: frozenset[str] = frozenset(level for level, _ in PATH_COSTS)
# Levels whose decode constants are a kernel's whole issue time, its loads of the weights
# included (counted; the x86 ones are measured as the time beyond streaming the weights). The
# hardware prefetchers bring a row's weights in while the previous rows are multiplied, so such a
# decode takes the longer of the counted compute and the weight stream, not their sum
# (model.decode_terms).
COUNTED_LEVELS: frozenset[str] = frozenset({ARM_DOTPROD_NO_REPACK})


def path_cost(level: str, ggml_type: str) -> PathCost | None:
    """The measured cost of the path `ggml_type` takes on `level`, if it was measured."""
    return PATH_COSTS.get((level, matmul_path(level, ggml_type)))


@lru_cache(maxsize=4096)  # flop_mix's own memo keeps 1,024: fewer than the catalog's files
def kernel_mix(arch: Architecture, quant: str) -> KernelMix:
    """The ggml types a `quant` file of `arch` multiplies by, with each one's FLOP share
    (from the tensor layout llama-quantize writes: Q4_K_M is mostly Q4_K, some Q6_K)."""
    return flop_mix(arch, quant)


def path_names(level: str, mix: KernelMix) -> str:
    """The file's paths on `level`, joined: "repack_q4_K_8x8+vec_dot_Q6_K"."""
    return "+".join(dict.fromkeys(matmul_path(level, t) for t, _ in mix))


@lru_cache(maxsize=16384)  # a key per (SIMD level, file's kernel mix): ~1,700 in an audit
def cpu_path_factor(level: str, mix: KernelMix) -> float | None:
    """FLOP-weighted prefill cost of a file's paths on `level`, relative to F16; None when a
    path any of its types takes on this level was not measured (the fitted family factor
    stands)."""
    costs = _mix_costs(level, mix)
    return None if costs is None else sum(share * cost.prefill for share, cost in costs)


@lru_cache(maxsize=16384)  # as cpu_path_factor
def cpu_decode_factor(level: str, mix: KernelMix) -> float | None:
    """FLOP-weighted decode compute of a file's paths on `level`, per FLOP, relative to the F16
    GEMM's prefill cost per FLOP; None where a path's decode was not measured (the fitted
    gamma_cpu and the family's beta stand)."""
    costs = _mix_costs(level, mix)
    if costs is None or any(cost.decode is None for _, cost in costs):
        return None
    return sum(share * (cost.decode or 0.0) for share, cost in costs)


def _mix_costs(level: str, mix: KernelMix) -> list[tuple[float, PathCost]] | None:
    if level not in MEASURED_LEVELS or not mix:
        return None
    found = []
    for ggml_type, share in mix:
        cost = path_cost(level, ggml_type)
        if cost is None:
            return None
        found.append((share, cost))
    return found
