"""The speed model: seconds per token from bytes over bandwidth and FLOPs over compute.

Decode, per device holding a share of the layers:
    share × [(weights read + KV read at depth) × (alpha[backend] + beta[backend, quant]
                                                  + multi_die if the memory spans two dies)
             / bandwidth + layers × tau[backend] + MoE layers × tau_moe]
    (+ on a CPU: share × FLOPs × gamma_cpu / CPU FLOP/s: its cores run out before its memory;
     on a GPU: share × FLOPs × gamma[kernel kind] × ops ratio / shader rate, the ratio the
     weight types' counted int8 instructions over Q4_0's, TokenCost.matvec_ops, 1 on float ones)
Prefill, per device:
    share × [kappa[path] × ((prompt FLOPs + attention at depth) × rho[engine, quant]
                               + routed-expert FLOPs × (mu_moe + mu_tile × tile passes))
                              / compute
             + weights a batch reads × (alpha[backend] + multi_die) / (ubatch × bandwidth)
             + activation bytes × activation / bandwidth (GPUs)]
(prompt FLOPs: the output head and the last layer's FFN once per batch, TokenCost.prefill_flops;
weights a batch reads: all but an untied token embedding, TokenCost.prefill_bytes; activation
bytes: what
the non-matrix kernels move, TokenCost.activation_bytes)
Devices run one after another (llama.cpp's layer split), so their times add.

On a CPU whose SIMD level has measured kernel-path constants (cpu_paths.PATH_COSTS), the file's
paths replace the family's fitted factors: rho becomes the paths' prefill cost relative to the
F16 GEMM, and in decode beta drops out and gamma_cpu / CPU FLOP/s becomes the paths' decode
compute per FLOP × the F16 GEMM's seconds per FLOP (kappa × rho[f16] / CPU FLOP/s). Where
those constants are counted, not measured (cpu_paths.COUNTED_LEVELS: a kernel's whole time, its
loads included), the weights' stream and that compute overlap: the token's weights take the
longer of the two, not the sum.

alpha is the inverse of the bandwidth efficiency, kappa the inverse of the compute efficiency
(against the spec table's FP16 figure: tensor cores make it < 1 on CUDA); beta (added) and rho
(a factor) are the extra cost of a quant family's kernels (rho per matrix engine of the
kernel path, quant_group; beta per backend); multi_die the extra cost per byte
when the GPU reads across two dies (Apple's Ultra chips; speed_hardware.memory_dies); mu_moe the
extra cost of the small, scattered matmuls of routed experts, and mu_tile that of unpacking
an expert's weights for the few tokens a batch sends it (expert_tile_passes); activation
the cost per byte of the activations a GPU's norms, RoPE, adds and SwiGLU stream (against
alpha's: both are bytes through the same memory). They are fitted
on published llama-bench results by scripts/fit_speed.py and live in speed_constants.json.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from advisor.estimate.speed.cpu_paths import (
    COUNTED_LEVELS,
    KernelMix,
    cpu_decode_factor,
    cpu_path_factor,
)
from advisor.estimate.speed.load import UBATCH_TOKENS, TokenCost, swa_cells
from advisor.estimate.speed.paths import (
    ENGINE,
    expert_tile_passes,
    matvec_int8,
    prefill_path,
    rated_compute,
    shader_ratio,
    streams_activations,
    unpacks_tiles,
)

CONSTANTS_FILE = "speed_constants.json"
# Seconds × GB/s per byte a weight stream takes on memory whose bandwidth the copy test measured
# (advisor.probe.bandwidth: buffers far past the last-level cache copied by libc's memmove,
# read + write bytes counted, STREAM's "copy" convention). glibc copies buffers that large
# with non-temporal stores (above its non-temporal threshold, a share of the last-level cache),
# so the counted bytes are the bytes the memory moved, half of them writes (with ordinary
# stores, write-allocate reads would make the traffic 1.5× the count). A read-only stream, as
# decode is, has no read-write turnarounds and no write-allocate reads, so it moves at least as
# many bytes a second: 1 is that bound, no fitted efficiency on top of a measured figure.
COPY_TEST_READ_ALPHA = 1.0


@dataclass(frozen=True)
class DeviceRate:
    """What one device brings to the run: its backend, bandwidth, compute and share of layers."""

    device: str  # "gpu0", "cpu", ...
    backend: str  # cuda | metal | rocm | vulkan | sycl | cpu
    bandwidth_gbs: float
    compute_tflops: float  # matrix throughput the efficiency is fitted against
    share: float  # fraction of the model's layers (and weights) this device holds
    dies: int = 1  # memory dies the GPU reads across (2 for Apple's UltraFusion chips)
    arch: str = ""  # "nvidia.ada", "amd.rdna4", "apple.apple9": picks the kernel path (speed.paths)
    simd_level: str = ""  # a CPU's (advisor.estimate.speed.cpu_paths.simd_level); "" not known
    # (low, high) of compute_tflops as ratios of it: a CPU clock taken from its family's table
    compute_range: tuple[float, float] = (1.0, 1.0)
    # bandwidth_gbs is this machine's copy test, not a spec figure (see SpeedConstants.per_byte)
    bandwidth_measured: bool = False


@dataclass(frozen=True, eq=False)  # hashed by identity: one instance per constants file
class SpeedConstants:
    """The fitted constants; see the module docstring for where each one enters."""

    alpha: dict[str, float]
    beta: dict[str, float]
    tau_layer_s: dict[str, float]
    tau_moe_layer_s: float
    gamma_cpu: float
    kappa: dict[str, float]  # per kernel path (speed.paths.PATHS), "*" for any other
    rho: dict[str, float]
    mu_moe: float
    shader_mmq: float  # CUDA MMQ's extra cost per unit of (fp16/FP32 rate ratio - 1)
    multi_die: float  # extra cost per byte read across two memory dies (added to alpha)
    decode_spread: dict[str, tuple[float, float]]  # backend -> (low, high) ratio observed/predicted
    prefill_spread: dict[str, tuple[float, float]]
    source: str
    # MMQ-equivalent FLOPs of unpacking one routed-expert weight once more per batch than a full
    # tile of columns would (see expert_tile_passes)
    mu_tile: float = 0.0
    # Seconds × GB/s per byte of activations a GPU's prefill moves outside the matrix products
    # (TokenCost.activation_bytes; 0 on a CPU, whose caches hold a batch's activations)
    activation: float = 0.0
    # Seconds × shader FLOP/s per FLOP of a GPU's decode: the mat-vec kernels' work on the shader
    # ALUs (gamma_gpu; see coefficients), as gamma_cpu is a CPU's. gamma_gpu is the int8
    # dot-product kernels' (CUDA/ROCm mmvq, Vulkan's mul_mat_vecq), gamma_float the float-FMA
    # kernels' (Metal's mul_mv, Vulkan's dequantizing shaders, F16/BF16's mmvf):
    # paths.matvec_int8 says which a device runs
    gamma_gpu: float = 0.0
    gamma_float: float = 0.0

    def get(self, table: dict[str, float], key: str) -> float:
        """A per-backend or per-quant value, falling back to the shared one fitted for all."""
        return table.get(key, table["*"])

    def quant_extra(self, backend: str, family: str) -> float:
        """Decode cost per byte of the quant family's kernels on this backend, beyond F16's."""
        return self.beta.get(f"{backend}.{family}", self.beta.get(family, self.beta["*"]))

    def quant_factor(self, group: str, family: str) -> float:
        """Prefill cost of the quant family's kernels on this matrix engine (quant_group: the
        kernel path's, "cpu" on a CPU), relative to F16."""
        return self.rho.get(f"{group}.{family}", self.rho.get(family, self.rho["*"]))

    def per_byte(self, dev: DeviceRate) -> float:
        """Seconds × GB/s per byte moved on this device, before the quant family's share.

        alpha is fitted against spec bandwidths (what the memory is rated for); a bandwidth
        measured by the copy test is already what the memory delivers, and a read stream gets
        at least that (COPY_TEST_READ_ALPHA), so alpha does not apply to it.
        """
        extra = self.multi_die if dev.dies > 1 else 0.0
        if dev.bandwidth_measured:
            return COPY_TEST_READ_ALPHA + extra
        return self.get(self.alpha, dev.backend) + extra

    def spread(self, kind: str, backend: str, path: str = "") -> tuple[float, float]:
        """The quoted range's (low, high) ratio: the path's own, else the backend's, else all."""
        table = self.decode_spread if kind == "decode" else self.prefill_spread
        return table[self.spread_group(kind, backend, path)]

    def spread_group(self, kind: str, backend: str, path: str = "") -> str:
        """Which band `spread` quotes: the kernel path, the backend, or "*" (every row's)."""
        table = self.decode_spread if kind == "decode" else self.prefill_spread
        return next((key for key in (path, backend) if key in table), "*")

    def gamma(self, dev: DeviceRate, family: str) -> float:
        """A GPU's shader instructions per weight in decode: its mat-vec kernel's kind."""
        return self.gamma_gpu if matvec_int8(dev.backend, dev.arch, family) else self.gamma_float

    def prefill_kappa(self, dev: DeviceRate, family: str) -> tuple[float, float]:
        """(kappa of the device's kernel path for this family, compute it is rated against)."""
        path, compute, excess = rated_compute(dev.backend, dev.arch, dev.compute_tflops, family)
        return self.kappa.get(path, self.kappa["*"]) + self.shader_mmq * excess, compute


def constants_from_dict(data: dict) -> SpeedConstants:
    decode, prefill, spread = data["decode"], data["prefill"], data["spread"]
    return SpeedConstants(
        alpha=dict(decode["alpha"]),
        beta=dict(decode["beta"]),
        tau_layer_s=dict(decode["tau_layer_s"]),
        tau_moe_layer_s=float(decode["tau_moe_layer_s"]),
        gamma_cpu=float(decode["gamma_cpu"]),
        multi_die=float(decode["multi_die"]),
        kappa=dict(prefill["kappa"]),
        rho=dict(prefill["rho"]),
        mu_moe=float(prefill["mu_moe"]),
        shader_mmq=float(prefill.get("shader_mmq", 0.0)),
        decode_spread={k: (v[0], v[1]) for k, v in spread["decode"].items()},
        prefill_spread={k: (v[0], v[1]) for k, v in spread["prefill"].items()},
        source=str(data.get("source", "")),
        mu_tile=float(prefill.get("mu_tile", 0.0)),
        activation=float(prefill.get("activation", 0.0)),
        gamma_gpu=float(decode.get("gamma_gpu", 0.0)),
        gamma_float=float(decode.get("gamma_float", decode.get("gamma_gpu", 0.0))),
    )


@lru_cache(maxsize=1)
def load_constants() -> SpeedConstants:
    """The constants shipped with the package (read once per process)."""
    # Beside this module, as the catalog's file sums are (importlib.resources: ~8 ms of
    # imports on a first report, 2026-12-07)
    text = Path(__file__).with_name(CONSTANTS_FILE).read_text("utf-8")
    return constants_from_dict(json.loads(text))


@dataclass(frozen=True)
class Coefficients:
    """What the constants make of one byte, layer and FLOP on a device, for a quant family."""

    decode_s_per_byte: float  # (alpha + multi_die + beta) / bandwidth
    decode_s_per_layer: float  # tau
    decode_s_per_flop: float  # gamma_cpu / compute on a CPU; 0 on a GPU (memory-bound)
    prefill_s_per_flop: float  # kappa × rho / compute
    prefill_s_per_expert_flop: float  # kappa × mu_moe / compute
    read_s_per_byte: float  # (alpha + multi_die) / bandwidth: prefill's weight reads
    path: str = ""  # the prefill kernel path these rest on (speed.paths.prefill_path)
    prefill_s_per_expert_pass: float = 0.0  # kappa × mu_tile / compute
    prefill_s_per_activation_byte: float = 0.0  # activation / bandwidth (0 on a CPU)
    # a mat-vec column's multiply-adds on the shader ALUs: 1 / the FP32 rate on a GPU (the
    # prefill rate on a CPU); what each extra sequence of a small batch costs (batched_physics)
    vector_s_per_flop: float = 0.0
    compute_range: tuple[float, float] = (1.0, 1.0)  # the device's DeviceRate.compute_range
    # decode_s_per_flop is a counted kernel's whole time, its loads included (cpu_paths.
    # COUNTED_LEVELS): a token's weights take the longer of it and the stream, not the sum
    decode_hides_stream: bool = False
    # decode_s_per_flop is a GPU's int8 mat-vec kernels' shader work (gamma_gpu), counted for
    # Q4_0 weights: a file's other types scale it by their instructions per weight
    # (TokenCost.matvec_ops); the float kernels' (gamma_float) are not counted per type
    decode_matvec: bool = False


# An audit meets ~75 distinct (device rate, family, kernel mix) keys a machine, 22,750 on 300
# configurations and their upgrades: at 1,024 the cache evicted what the next upgrade of the
# same machine asked for again (32,173 misses against 22,750 distinct keys).
@lru_cache(maxsize=65536)
def coefficients(c: SpeedConstants, dev: DeviceRate, family: str,
                 mix: KernelMix = ()) -> Coefficients:  # fmt: skip
    """The per-unit costs of `dev` (its share aside) for files of this quant family.

    On a CPU whose SIMD level has measured kernel-path constants (advisor.estimate.speed.cpu_paths),
    `mix` (the file's weight types and their FLOP shares) picks them in place of the family's
    fitted factors: the prefill factor rho, and in decode the shared gamma_cpu and the family's
    extra per byte beta (the path's compute per FLOP, relative to the F16 GEMM's, replaces both).
    """
    bandwidth = dev.bandwidth_gbs * 1e9
    compute = dev.compute_tflops * 1e12
    per_byte = c.per_byte(dev)
    kappa, matrix = c.prefill_kappa(dev, family)
    rho = c.quant_factor(quant_group(dev.backend, dev.arch, family), family)
    extra = c.quant_extra(dev.backend, family)
    shader = shader_ratio(dev.arch) / compute  # a GPU's shader ALUs: its FP32 rate
    decode_flop = c.gamma_cpu / compute if dev.backend == "cpu" else c.gamma(dev, family) * shader
    activation = c.activation / bandwidth if streams_activations(dev.backend) else 0.0
    hides_stream = False
    if dev.backend == "cpu" and mix:
        path = cpu_path_factor(dev.simd_level, mix)
        vector = cpu_decode_factor(dev.simd_level, mix)
        if path is not None:
            rho = c.quant_factor("cpu", "f16") * path
        if path is not None and vector is not None:
            f16_flop = kappa * c.quant_factor("cpu", "f16") / matrix  # the F16 GEMM's s/FLOP
            extra, decode_flop = 0.0, f16_flop * vector
            hides_stream = dev.simd_level in COUNTED_LEVELS
    return Coefficients(
        decode_s_per_byte=(per_byte + extra) / bandwidth,
        decode_s_per_layer=c.get(c.tau_layer_s, dev.backend),
        decode_s_per_flop=decode_flop,
        prefill_s_per_flop=kappa * rho / matrix,
        prefill_s_per_expert_flop=kappa * c.mu_moe / matrix,
        read_s_per_byte=per_byte / bandwidth,
        path=prefill_path(dev.backend, dev.arch, family),
        prefill_s_per_expert_pass=kappa * c.mu_tile / matrix if unpacks_tiles(dev.backend) else 0.0,
        prefill_s_per_activation_byte=activation,
        vector_s_per_flop=(decode_flop or kappa * rho / matrix if dev.backend == "cpu" else shader),
        compute_range=dev.compute_range,
        decode_hides_stream=hides_stream,
        decode_matvec=dev.backend != "cpu" and matvec_int8(dev.backend, dev.arch, family),
    )


def quant_group(backend: str, arch: str, family: str) -> str:
    """Whose quant factors (rho) a device's prefill takes: its kernel path's matrix engine.

    What a quant family costs over F16 is the cost of the kernel that unpacks it, and that
    follows the hardware the kernel runs on, not the API: on int8 matrix units (CUDA's MMQ on
    tensor cores, ROCm's MMQ on RDNA3/4 WMMA, Vulkan's integer cooperative-matrix shaders) a
    block's scales and unpacking ride beside a fast int8 product; on chips without matrix
    units (Pascal, RDNA1/2, GCN: MMQ on dp4a, Vulkan's scalar shaders) the same unpacking
    competes with the products on the same ALUs. Keyed by backend, ROCm's K-quant factor came
    from an RDNA2 dp4a row and was applied to RDNA3.5 WMMA (Strix Halo K-quant rows 43-83%
    too fast held out); keyed by engine (speed.paths.ENGINE) it comes from the RDNA4 Vulkan
    rows on the same kind of matrix units. CPU and Metal keep one engine each ("cpu", "apple").
    """
    return ENGINE[prefill_path(backend, arch, family)]


def cpu_mix(backend: str, cost: TokenCost) -> KernelMix:
    """The file's kernel mix where it picks kernel paths (a CPU), else () (one cache entry per
    quant family on a GPU)."""
    return cost.kernel_mix if backend == "cpu" else ()


def decode_parts(cost: TokenCost, dev: DeviceRate, c: SpeedConstants) -> tuple[float, float]:
    """(seconds at an empty context, extra seconds per token of context) of one decoded token.

    Time is linear in depth: the KV cache read grows by one token's keys and values per token
    already there (and, on a CPU, so do the attention FLOPs).
    """
    k = coefficients(c, unshared(dev), cost.quant_class, cpu_mix(dev.backend, cost))
    return decode_terms(cost, dev.share, k, c)


def decode_terms(cost: TokenCost, share: float, k: Coefficients, c: SpeedConstants):
    """decode_parts with the device's coefficients at hand (a caller that keeps them)."""
    stream = cost.weight_bytes_read * k.decode_s_per_byte
    compute = cost.flops * k.decode_s_per_flop * (cost.matvec_ops if k.decode_matvec else 1.0)
    work = max(stream, compute) if k.decode_hides_stream else stream + compute
    base = (
        work
        + cost.state_bytes * k.decode_s_per_byte
        + cost.n_layers * k.decode_s_per_layer
        + cost.n_moe_layers * c.tau_moe_layer_s
    )
    slope = cost.kv_bytes_per_depth * k.decode_s_per_byte
    slope += cost.attn_flops_per_depth * k.decode_s_per_flop
    return share * base, share * slope


def window_s_per_cell(cost: TokenCost, share: float, k: Coefficients) -> float:
    """Seconds a decoded token's sliding-window layers (Gemma 2/3/4, gpt-oss) spend per cell
    of their cache, keys and values and attention FLOPs costed as the full layers' slope is;
    unlike that slope, they stop growing at the cache's size (load.swa_cells)."""
    return share * (cost.swa_kv_bytes_per_cell * k.decode_s_per_byte
                    + cost.swa_attn_flops_per_cell * k.decode_s_per_flop)  # fmt: skip


def decode_seconds(cost: TokenCost, dev: DeviceRate, c: SpeedConstants, depth: float) -> float:
    """Seconds one decoded token spends on `dev` with `depth` tokens already in context."""
    k = coefficients(c, unshared(dev), cost.quant_class, cpu_mix(dev.backend, cost))
    base, slope = decode_terms(cost, dev.share, k, c)
    window = window_s_per_cell(cost, dev.share, k) * swa_cells(cost, depth)
    return base + slope * depth + window


def prefill_parts(
    cost: TokenCost, dev: DeviceRate, c: SpeedConstants, ubatch_tokens: int = UBATCH_TOKENS
) -> tuple[float, float]:
    """(seconds at depth 0, extra seconds per token before it) of one prompt token on `dev`.

    The weights are read once per batch of `ubatch_tokens`; attention grows with depth.
    """
    k = coefficients(c, unshared(dev), cost.quant_class, cpu_mix(dev.backend, cost))
    return prefill_terms(cost, dev.share, k, ubatch_tokens)


def prefill_terms(cost: TokenCost, share: float, k: Coefficients,
                  ubatch_tokens: int = UBATCH_TOKENS) -> tuple[float, float]:  # fmt: skip
    """prefill_parts with the device's coefficients at hand."""
    base = (
        cost.prefill_flops(ubatch_tokens) * k.prefill_s_per_flop
        + cost.expert_flops * k.prefill_s_per_expert_flop
        + cost.prefill_bytes * k.read_s_per_byte / ubatch_tokens
        + cost.expert_flops * expert_tile_passes(cost, ubatch_tokens) * k.prefill_s_per_expert_pass
        + cost.activation_bytes * k.prefill_s_per_activation_byte
    )
    slope = cost.attn_flops_per_depth * k.prefill_s_per_flop
    return share * base, share * slope


def unshared(dev: DeviceRate) -> DeviceRate:
    """The device with its share set aside: the coefficients' cache key."""
    if dev.share == 1.0:
        return dev
    return dataclasses.replace(dev, share=1.0)


def prefill_seconds(
    cost: TokenCost,
    dev: DeviceRate,
    c: SpeedConstants,
    depth: float,
    ubatch_tokens: int = UBATCH_TOKENS,
) -> float:
    """Seconds one prompt token spends on `dev` at `depth` (mean depth of its batch)."""
    base, slope = prefill_parts(cost, dev, c, ubatch_tokens)
    return base + slope * depth


def run_decode_tokens_per_s(
    cost: TokenCost, devices: tuple[DeviceRate, ...], c: SpeedConstants, n_tokens: int = 128
) -> float:
    """llama-bench tgN: mean rate over N tokens generated from an empty context."""
    depth = (n_tokens - 1) / 2.0
    return 1.0 / sum(decode_seconds(cost, d, c, depth) for d in devices)


def run_prefill_tokens_per_s(
    cost: TokenCost,
    devices: tuple[DeviceRate, ...],
    c: SpeedConstants,
    n_tokens: int = 512,
    ubatch_tokens: int = UBATCH_TOKENS,
) -> float:
    """llama-bench ppN (run with `-ub ubatch_tokens`): rate over one N-token prompt."""
    depth = (n_tokens - 1) / 2.0
    ubatch = min(ubatch_tokens, n_tokens)  # a prompt shorter than the batch reads weights once
    return 1.0 / sum(prefill_seconds(cost, d, c, depth, ubatch) for d in devices)
