"""Published llama-bench results turned into what the speed model needs: one row per test.

Reads any CSV with the columns of `throughput_calibration.csv` (source, hardware, backend,
mem_bandwidth_gbs, memory_gb, model, params_b, quant, test, tokens_per_s, threads, notes).
Each row gets the device's bandwidth and compute, the model's per-token work and a weight.

Rules, applied to every row alike (none of them looks at how well the model predicts it):
- only llama-bench tests with a token count are used (ppN, tgN, "other: ppN", "other: tgN");
  Ollama "eval rate" and ./main timings include sampling and other overheads and are skipped;
- a row needs the device's bandwidth (the CSV column, else the spec table, else the explicit
  device facts below) and, for prefill, its compute; otherwise it is skipped;
- rows the source flags as anomalous are skipped;
- weight 1, halved for `secondary_single_copy` rows and quartered for `low confidence` ones.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from advisor.catalog.model import Architecture, Mla, Moe
from advisor.estimate.speed_load import TokenCost, nominal_bits_per_weight, token_cost
from advisor.estimate.speed_model import DeviceRate

GIB = 1024**3
BACKEND_NAMES = {"cuda": "cuda", "metal": "metal", "rocm": "rocm", "vulkan": "vulkan",
                 "sycl": "sycl", "cpu": "cpu"}  # fmt: skip


@dataclass(frozen=True)
class DeviceSpec:
    """A device's figures as the benchmark sees them, each with where it came from."""

    bandwidth_gbs: float | None
    compute_tflops: float | None
    compute_source: str
    backend_override: str | None = None


@dataclass(frozen=True)
class CalibrationRow:
    line: int  # 1-based line in the CSV (header is line 1)
    device: str
    backend: str
    kind: str  # "decode" or "prefill"
    n_tokens: int
    tokens_per_s: float
    weight: float
    model: str
    quant: str
    cost: TokenCost
    rate: DeviceRate
    active_params_b: float  # for the llmfit baseline
    total_params_b: float


@dataclass(frozen=True)
class SkippedRow:
    line: int
    reason: str


# Facts about calibration devices that neither the CSV nor the spec table gives.
EXPLICIT_DEVICES: dict[str, DeviceSpec] = {
    # Intel ARK, Intel Processor N100: 4 cores, 3.4 GHz max turbo, AVX2, single-channel
    # DDR5-4800, "Max Memory Bandwidth 38.4 GB/s". 4 cores × 3.4 GHz × 16 FLOP/cycle (AVX2 FMA).
    "Intel N100 (iGPU host; CPU backend)": DeviceSpec(38.4, 4 * 3.4 * 16 / 1000, "Intel ARK"),
}
# Apple M2 Max performance cores: 3.49 GHz (Apple M2 Max spec, as Wikipedia lists it), and
# four 128-bit NEON FMA pipes a core: 32 FP32 FLOPs a cycle (Apple Firestorm/Avalanche).
APPLE_M2_MAX_CPU_GHZ = 3.49
APPLE_P_CORE_FLOPS_PER_CYCLE = 32
# Apple GPUs: 128 FP32 ALUs a core, 2 FLOPs a cycle; Apple's M2 figure (3.6 TFLOPS for 10 cores)
# gives 0.36 TFLOPS a core. Used where the spec table has no compute figure for an Apple GPU.
APPLE_TFLOPS_PER_GPU_CORE = 0.36

_CALIBRATION_SOURCE = "architectures.csv (shared research data; HF config.json copies)"


def _arch(**kw) -> Architecture:
    moe = kw.pop("moe", None)
    mla = kw.pop("mla", None)
    return Architecture(
        source=(kw.pop("src", _CALIBRATION_SOURCE),),
        moe=Moe(**moe) if moe else None,
        mla=Mla(**mla) if mla else None,
        **kw,
    )


_L2_7B = dict(
    arch="llama",
    total_params_b=6.74,
    active_params_b=6.74,
    n_layers=32,
    hidden_size=4096,
    intermediate_size=11008,
    n_heads=32,
    n_kv_heads=32,
    head_dim=128,
    vocab_size=32000,
    max_context=4096,
    tie_word_embeddings=False,
)
_L3_8B = dict(
    arch="llama",
    total_params_b=8.03,
    active_params_b=8.03,
    n_layers=32,
    hidden_size=4096,
    intermediate_size=14336,
    n_heads=32,
    n_kv_heads=8,
    head_dim=128,
    vocab_size=128256,
    max_context=8192,
    tie_word_embeddings=False,
)
_GPT_OSS = dict(
    arch="gpt-oss",
    n_heads=64,
    n_kv_heads=8,
    head_dim=64,
    hidden_size=2880,
    vocab_size=201088,
    max_context=131072,
    tie_word_embeddings=False,
    sliding_window=128,
)

# CSV model name (prefix, case-insensitive) -> (catalog id, fallback architecture).
# The fallback is used until the catalog carries the model; numbers from architectures.csv.
MODEL_MAP: tuple[tuple[str, str, dict], ...] = (
    ("llama 2 7b", "llama-2-7b-chat", _L2_7B),
    ("llama-2-7b", "llama-2-7b-chat", _L2_7B),
    ("llama 7b", "llama-2-7b-chat", _L2_7B),  # LLaMA 1 7B has Llama 2 7B's shapes
    # LLaMA 1 13B: Touvron et al. 2023 (arXiv 2302.13971) Table 2; 13.02B params as benched.
    ("llama 13b", "llama-13b", dict(arch="llama", total_params_b=13.02, active_params_b=13.02,
     n_layers=40, hidden_size=5120, intermediate_size=13824, n_heads=40, n_kv_heads=40,
     head_dim=128, vocab_size=32000, max_context=2048, tie_word_embeddings=False,
     src="LLaMA paper arXiv 2302.13971 Table 2")),
    ("meta-llama-3 8b", "llama-3-8b-instruct", _L3_8B),
    ("llama-3.1-8b", "llama-3.1-8b-instruct", _L3_8B),
    ("meta-llama-3 70b", "llama-3-70b-instruct", dict(arch="llama", total_params_b=70.55,
     active_params_b=70.55, n_layers=80, hidden_size=8192, intermediate_size=28672,
     n_heads=64, n_kv_heads=8, head_dim=128, vocab_size=128256, max_context=8192,
     tie_word_embeddings=False)),
    ("llama-3.2-3b", "llama-3.2-3b-instruct", dict(arch="llama", total_params_b=3.21,
     active_params_b=3.21, n_layers=28, hidden_size=3072, intermediate_size=8192, n_heads=24,
     n_kv_heads=8, head_dim=128, vocab_size=128256, max_context=131072,
     tie_word_embeddings=True)),
    ("gpt-oss-20b", "gpt-oss-20b", dict(_GPT_OSS, total_params_b=21.0, active_params_b=3.6,
     n_layers=24, n_full_attention_layers=12, moe=dict(n_experts=32, n_experts_used=4,
     expert_intermediate_size=2880))),
    ("gpt-oss-120b", "gpt-oss-120b", dict(_GPT_OSS, total_params_b=117.0, active_params_b=5.1,
     n_layers=36, n_full_attention_layers=18, moe=dict(n_experts=128, n_experts_used=4,
     expert_intermediate_size=2880))),
    ("qwen3-coder-30b-a3b", "qwen3-coder-30b-a3b-instruct", dict(arch="qwen3moe",
     total_params_b=30.5, active_params_b=3.3, n_layers=48, hidden_size=2048, n_heads=32,
     n_kv_heads=4, head_dim=128, vocab_size=151936, max_context=262144,
     moe=dict(n_experts=128, n_experts_used=8, expert_intermediate_size=768))),
    ("qwen2.5-coder-7b", "qwen2.5-coder-7b-instruct", dict(arch="qwen2", total_params_b=7.62,
     active_params_b=7.62, n_layers=28, hidden_size=3584, intermediate_size=18944,
     n_heads=28, n_kv_heads=4, head_dim=128, vocab_size=152064, max_context=32768)),
    ("gemma-3-4b", "gemma-3-4b-it", dict(arch="gemma3", total_params_b=4.3,
     active_params_b=4.3, n_layers=34, hidden_size=2560, intermediate_size=10240, n_heads=8,
     n_kv_heads=4, head_dim=256, vocab_size=262144, max_context=131072,
     tie_word_embeddings=True, sliding_window=1024, n_full_attention_layers=5)),
    ("glm-4.7-flash", "glm-4.7-flash", dict(arch="deepseek2", total_params_b=31.2,
     active_params_b=3.0, n_layers=47, hidden_size=2048, intermediate_size=10240, n_heads=20,
     n_kv_heads=20, head_dim=None, vocab_size=154880, max_context=202752,
     tie_word_embeddings=False, mla=dict(kv_lora_rank=512, rope_dim=64),
     moe=dict(n_experts=64, n_experts_used=4, n_shared_experts=1,
              expert_intermediate_size=1536, first_k_dense_layers=1))),
    ("minimax-m2", "minimax-m2", dict(arch="minimax-m2", total_params_b=230.0,
     active_params_b=10.0, n_layers=62, hidden_size=3072, n_heads=48, n_kv_heads=8,
     head_dim=128, vocab_size=200064, max_context=196608, tie_word_embeddings=False,
     moe=dict(n_experts=256, n_experts_used=8, expert_intermediate_size=1536))),
    ("ministral-3-14b", "ministral-3-14b-instruct-2512", dict(arch="mistral3",
     total_params_b=13.9, active_params_b=13.9, n_layers=40, hidden_size=5120, n_heads=32,
     n_kv_heads=8, head_dim=None, vocab_size=None, max_context=262144)),
    ("nvidia-nemotron-3-super-120b", "nemotron-3-super-120b-a12b", dict(arch="nemotron_h_moe",
     total_params_b=120.6, active_params_b=12.7, n_layers=88, hidden_size=4096, n_heads=32,
     n_kv_heads=2, head_dim=128, vocab_size=131072, max_context=262144,
     n_full_attention_layers=8, n_linear_attention_layers=40,
     moe=dict(n_experts=512, n_experts_used=22, n_shared_experts=1,
              expert_intermediate_size=2688))),
    ("qwen3.5-122b-a10b", "qwen3.5-122b-a10b", dict(arch="qwen35moe", total_params_b=125.0,
     active_params_b=10.0, n_layers=48, hidden_size=3072, n_heads=32, n_kv_heads=2,
     head_dim=256, vocab_size=248320, max_context=262144, n_full_attention_layers=12,
     n_linear_attention_layers=36, moe=dict(n_experts=256, n_experts_used=8,
     n_shared_experts=1, expert_intermediate_size=1024))),
    ("qwen3.6-27b", "qwen3.6-27b", dict(arch="qwen35", total_params_b=27.8,
     active_params_b=27.8, n_layers=64, hidden_size=5120, intermediate_size=17408,
     n_heads=24, n_kv_heads=4, head_dim=256, vocab_size=248320, max_context=262144,
     n_full_attention_layers=16, n_linear_attention_layers=48)),
    ("qwen3.6-35b-a3b", "qwen3.6-35b-a3b", dict(arch="qwen35moe", total_params_b=36.0,
     active_params_b=3.0, n_layers=40, hidden_size=2048, n_heads=16, n_kv_heads=2,
     head_dim=256, vocab_size=248320, max_context=262144, n_full_attention_layers=10,
     n_linear_attention_layers=30, moe=dict(n_experts=256, n_experts_used=8,
     n_shared_experts=1, expert_intermediate_size=512))),
    ("gemma-4-26b-a4b", "gemma-4-26b-a4b-it", dict(arch="gemma4", total_params_b=25.2,
     active_params_b=3.8, n_layers=30, hidden_size=2816, intermediate_size=2112, n_heads=16,
     n_kv_heads=8, head_dim=256, vocab_size=262144, max_context=262144,
     tie_word_embeddings=True, sliding_window=1024, n_full_attention_layers=5,
     global_head_dim=512, global_n_kv_heads=2, moe=dict(n_experts=128, n_experts_used=8,
     n_shared_experts=1, expert_intermediate_size=704))),
    ("gemma-4-31b", "gemma-4-31b-it", dict(arch="gemma4", total_params_b=30.7,
     active_params_b=30.7, n_layers=60, hidden_size=5376, intermediate_size=21504,
     n_heads=32, n_kv_heads=16, head_dim=256, vocab_size=262144, max_context=262144,
     tie_word_embeddings=True, sliding_window=1024, n_full_attention_layers=10,
     global_head_dim=512, global_n_kv_heads=4)),
)  # fmt: skip

_ARCH_CACHE: dict[str, Architecture] = {}


def architecture_for(model_name: str, catalog=None) -> Architecture | None:
    """The architecture behind a CSV model name: the catalog's if it has it, else ours."""
    key = model_name.strip().lower()
    for prefix, catalog_id, fallback in MODEL_MAP:
        if key.startswith(prefix):
            found = catalog.find(catalog_id) if catalog is not None else None
            if found is not None:
                return found.architecture
            if catalog_id not in _ARCH_CACHE:
                _ARCH_CACHE[catalog_id] = _arch(**fallback)
            return _ARCH_CACHE[catalog_id]
    return None


_TEST = re.compile(r"^(?:other:\s*)?(pp|tg)(\d+)\b", re.IGNORECASE)
_SIZE = re.compile(r"llama-bench size ([\d.]+) GiB")
_CORES = re.compile(r"\((\d+)-core GPU\)")


def parse_test(test: str) -> tuple[str, int] | None:
    match = _TEST.match(test.strip())
    if match is None:
        return None
    return ("prefill" if match.group(1).lower() == "pp" else "decode"), int(match.group(2))


def base_quant(quant: str) -> str:
    """'Q4_K_M (UD-Q4_K_XL file)' -> 'Q4_K_M'."""
    return quant.split("(")[0].strip().upper()


def row_weight(notes: str) -> float:
    weight = 1.0
    if "secondary_single_copy" in notes:
        weight *= 0.5
    if "low confidence" in notes:
        weight *= 0.25
    return weight


def weights_bytes_for(arch: Architecture, quant: str, notes: str) -> float:
    """llama-bench's reported tensor size when the row gives it; else params × bits/weight."""
    size = _SIZE.search(notes)
    if size:
        return float(size.group(1)) * GIB
    return estimated_weights_bytes(arch, quant)


def estimated_weights_bytes(arch: Architecture, quant: str) -> float:
    """Params at the file type's main bits per weight; embedding and output at Q6_K-ish.

    llama.cpp keeps the output layer at Q6_K (Q8_0 for Q8_0 files) in quantized files; the
    token embedding follows the main type. Good to a few percent for dense models.
    """
    bpw = nominal_bits_per_weight(quant)
    total = arch.total_params_b * 1e9
    embed = float(arch.vocab_size or 0) * arch.hidden_size
    out_bpw = max(bpw, 6.5625) if bpw < 16 else bpw
    output = 0.0 if arch.tie_word_embeddings else embed
    return ((total - output) * bpw + output * out_bpw) / 8.0


def load_spec_table(path: Path) -> dict[str, DeviceSpec]:
    """hardware_specs.csv: name -> bandwidth and FP16 TFLOPS (Apple: from GPU core count)."""
    table: dict[str, DeviceSpec] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for rec in csv.DictReader(handle):
            name = rec["hardware"].strip()
            bw = float(rec["mem_bandwidth_gbs"]) if rec["mem_bandwidth_gbs"] else None
            tflops = float(rec["fp16_tflops"]) if rec["fp16_tflops"] else None
            table[name] = DeviceSpec(bw, tflops, "spec-table" if tflops else "")
    return table


def _probe_spec(name: str) -> DeviceSpec | None:
    """The probe's spec table, when it tells this device apart from its variants."""
    try:
        from advisor.probe.specs import match_spec
    except ImportError:  # the probe's table is optional here: the CSV copy stands in
        return None
    found = match_spec(name)
    if found is None or found.ambiguous_with:
        return None
    spec = found.spec
    tflops = spec.fp16_tflops
    return DeviceSpec(spec.memory_bandwidth_gbs, tflops, "spec-table" if tflops else "")


def device_spec(name: str, specs: Mapping[str, DeviceSpec]) -> DeviceSpec:
    """Explicit facts first, then the probe's spec table, then the CSV spec table."""
    found = EXPLICIT_DEVICES.get(name) or _probe_spec(name) or specs.get(name)
    bw = found.bandwidth_gbs if found else None
    tflops = found.compute_tflops if found else None
    source = found.compute_source if found else ""
    cores = _CORES.search(name)
    if tflops is None and cores and name.startswith("Apple"):
        tflops = int(cores.group(1)) * APPLE_TFLOPS_PER_GPU_CORE
        source = "estimated from GPU cores"
    return DeviceSpec(bw, tflops, source)


def _cpu_tflops(name: str, threads: str) -> float | None:
    if name.startswith("Apple M2 Max") and threads:
        return int(threads) * APPLE_M2_MAX_CPU_GHZ * APPLE_P_CORE_FLOPS_PER_CYCLE / 1000
    return None


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _to_row(line: int, rec: Mapping[str, str], specs, catalog) -> CalibrationRow | SkippedRow:
    notes = rec.get("notes", "")
    test = parse_test(rec["test"])
    if test is None:
        return SkippedRow(line, f"not a llama-bench ppN/tgN test: {rec['test']!r}")
    if "anomalous" in notes:
        return SkippedRow(line, "flagged anomalous by the source")
    backend = BACKEND_NAMES.get(rec["backend"].strip().lower())
    if backend is None:
        return SkippedRow(line, f"unknown backend {rec['backend']!r}")
    device = rec["hardware"].strip()
    spec = device_spec(device, specs)
    bandwidth = _float(rec.get("mem_bandwidth_gbs", "")) or spec.bandwidth_gbs
    if bandwidth is None:
        return SkippedRow(line, f"no memory bandwidth known for {device!r}")
    compute = _cpu_tflops(device, rec.get("threads", "")) if backend == "cpu" else None
    compute = compute or spec.compute_tflops
    if compute is None:
        return SkippedRow(line, f"no compute figure known for {device!r}")
    arch = architecture_for(rec["model"], catalog)
    if arch is None:
        return SkippedRow(line, f"model {rec['model']!r} is not mapped to an architecture")
    quant = base_quant(rec["quant"])
    # Unsloth's dynamic (UD) files re-mix the tensor types: not llama.cpp's recipe.
    standard = "UD-" not in rec["quant"] and "UD-" not in rec["model"]
    cost = token_cost(arch, quant, weights_bytes_for(arch, quant, notes), standard_mix=standard)
    rate = DeviceRate(
        device="gpu0" if backend != "cpu" else "cpu",
        backend=backend,
        bandwidth_gbs=bandwidth,
        compute_tflops=compute,
        share=1.0,
    )
    return CalibrationRow(
        line=line, device=device, backend=backend, kind=test[0], n_tokens=test[1],
        tokens_per_s=float(rec["tokens_per_s"]), weight=row_weight(notes), model=rec["model"],
        quant=quant, cost=cost, rate=rate, active_params_b=arch.active_params_b,
        total_params_b=arch.total_params_b,
    )  # fmt: skip


def repository_catalog():
    """The catalog the architectures come from, or None (the explicit mapping stands in)."""
    try:
        from advisor.catalog import load_catalog
        from advisor.errors import AdvisorError
    except ImportError:
        return None
    try:
        return load_catalog(overlay=False)
    except AdvisorError:
        return None


def load_rows(
    csv_path: Path, specs: Mapping[str, DeviceSpec], catalog=None
) -> tuple[list[CalibrationRow], list[SkippedRow]]:
    """Every usable row of a calibration CSV, and why the others were skipped."""
    rows: list[CalibrationRow] = []
    skipped: list[SkippedRow] = []
    with csv_path.open(newline="", encoding="utf-8") as handle:
        for line, rec in enumerate(csv.DictReader(handle), start=2):
            result = _to_row(line, rec, specs, catalog)
            (rows if isinstance(result, CalibrationRow) else skipped).append(result)
    return rows, skipped
