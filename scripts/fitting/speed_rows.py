"""Published llama-bench results turned into what the speed model needs: one row per test.

Reads any CSV with the columns of `throughput_calibration.csv` (source, hardware, backend,
mem_bandwidth_gbs, memory_gb, model, params_b, quant, test, tokens_per_s, threads, notes).
Each row gets the device's bandwidth and compute, the model's per-token work and a weight.

Rules, applied to every row alike (none of them looks at how well the model predicts it):
- tests with a token count are used: llama-bench ppN/tgN ("other: ppN", "other: tgN" too), and
  ./main's timings of one run, "prompt eval ~N tok" as ppN and "tgN (main)" as tgN (the same
  work; sampling adds well under 1% a token). Ollama "eval rate" rows give no token count and
  include Ollama's own overheads: skipped;
- a row needs the device's bandwidth (the CSV column, else the spec table, else the explicit
  device facts below) and, for prefill, its compute; otherwise it is skipped; a CPU row's
  compute is its threads × the core's rate, so a CPU row that reports no thread count is
  skipped (the crowd-sourced Intel N100 rows: their source reports neither threads nor build,
  and they ran 2× below what the other CPUs' efficiency gives for 4 cores);
- rows the source flags as anomalous are skipped, and so are rows whose own run-to-run spread
  (llama-bench's "± sd") is above a quarter of the mean: those runs did not settle;
- `-ub N` in the notes is the batch the prefill ran with (llama-bench's default is 512);
- weight 1, halved for `secondary_single_copy` rows and quartered for `low confidence` ones.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from advisor.catalog.model import Architecture
from advisor.estimate.speed.cpu_paths import ARM_DOTPROD_NO_REPACK, X86_AVX2
from advisor.estimate.speed.hardware import apple_gpu_tflops, memory_dies
from advisor.estimate.speed.load import TokenCost, nominal_bits_per_weight, token_cost
from advisor.estimate.speed.model import UBATCH_TOKENS, DeviceRate
from advisor.estimate.speed.paths import device_arch
from advisor.units import GIB
from scripts.fitting.speed_archs import architecture_for

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
    ubatch_tokens: int = UBATCH_TOKENS  # llama-bench -ub: prefill reads the weights once a batch


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
# The CPU kernel level each published CPU device's rows ran at (advisor.estimate.speed.cpu_paths),
# from the build its source names; a device not listed keeps the fitted family factors.
# - Apple M2 Max: llama.cpp PR #8672's "master" column (2024-07-26) predates online repacking
#   (late 2024), so its Q4_0 ran tinyBLAS_Q0_ARM; ik_llama.cpp PR #121 quotes mainline build
#   4234 (2024-12) on Q5_0, which no build repacks on Arm, and neither repacked the Q6_K output
#   head then. Apple's cores have dotprod (every arm64 Mac build targets apple-m1 or later).
# - Intel N100: AVX2 (Intel ARK); no measured x86 AVX2 constants, so the family factors would
#   stand (its rows are skipped for now: no thread count, see the module docstring).
CPU_KERNEL_LEVELS: dict[str, str] = {
    "Apple M2 Max (CPU only)": ARM_DOTPROD_NO_REPACK,
    "Intel N100 (iGPU host; CPU backend)": X86_AVX2,
}
# Apple M2 Max performance cores: 3.49 GHz (Apple M2 Max spec, as Wikipedia lists it), and
# four 128-bit NEON FMA pipes a core: 32 FP32 FLOPs a cycle (Apple Firestorm/Avalanche).
APPLE_M2_MAX_CPU_GHZ = 3.49
APPLE_P_CORE_FLOPS_PER_CYCLE = 32


_TEST = re.compile(r"^(?:other:\s*)?(pp|tg)(\d+)\b", re.IGNORECASE)
# ./main's own timing of one prompt: the same work as llama-bench ppN for that prompt length.
_MAIN_PROMPT = re.compile(r"^other:\s*prompt eval ~?(\d+) tok", re.IGNORECASE)
# llama-bench prints "t/s ± sd" over its repetitions; a transcription keeps it as "+-sd".
_SPREAD = re.compile(r"(?:\+-|±)\s*([\d.]+)")
MAX_RUN_SPREAD = 0.25  # sd above this share of the mean: the runs disagree, the mean means little
_SIZE = re.compile(r"llama-bench size ([\d.]+) GiB")
_UBATCH = re.compile(r"(?:^|\s)-ub (\d+)\b")
_CORES = re.compile(r"\((\d+)-core GPU\)")


def parse_test(test: str) -> tuple[str, int] | None:
    """("prefill" | "decode", token count) of a llama-bench or ./main test, else None."""
    main_prompt = _MAIN_PROMPT.match(test.strip())
    if main_prompt is not None:
        return "prefill", int(main_prompt.group(1))
    match = _TEST.match(test.strip())
    if match is None:
        return None
    return ("prefill" if match.group(1).lower() == "pp" else "decode"), int(match.group(2))


def unstable(tokens_per_s: float, notes: str) -> bool:
    """The source's own run-to-run spread says the mean is not a steady rate."""
    spread = _SPREAD.search(notes)
    return spread is not None and float(spread.group(1)) > MAX_RUN_SPREAD * tokens_per_s


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
        from advisor.probe.specs.table import match_spec
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
        tflops, source = apple_gpu_tflops(name, int(cores.group(1)))
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
    if unstable(float(rec["tokens_per_s"]), notes):
        return SkippedRow(line, "run-to-run spread above 25% of the mean (unstable runs)")
    backend = BACKEND_NAMES.get(rec["backend"].strip().lower())
    if backend is None:
        return SkippedRow(line, f"unknown backend {rec['backend']!r}")
    device = rec["hardware"].strip()
    if backend == "cpu" and not rec.get("threads", "").strip():
        return SkippedRow(line, "CPU row with no thread count, so no compute figure: threads × "
                          "the core's rate is what a CPU prefill or decode runs on")  # fmt: skip
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
        dies=memory_dies(device) if backend != "cpu" else 1,
        arch=device_arch(None, device) if backend != "cpu" else "",
        simd_level=CPU_KERNEL_LEVELS.get(device, "") if backend == "cpu" else "",
    )
    ubatch = _UBATCH.search(notes)
    return CalibrationRow(
        line=line, device=device, backend=backend, kind=test[0], n_tokens=test[1],
        tokens_per_s=float(rec["tokens_per_s"]), weight=row_weight(notes), model=rec["model"],
        quant=quant, cost=cost, rate=rate, active_params_b=arch.active_params_b,
        total_params_b=arch.total_params_b,
        ubatch_tokens=int(ubatch.group(1)) if ubatch else UBATCH_TOKENS,
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
            if isinstance(result, CalibrationRow):
                rows.append(result)
            else:
                skipped.append(result)
    return rows, skipped
