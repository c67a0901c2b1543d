"""Measure this machine's CPU kernel paths: pp512 and tg128 of generated models, saved as rows.

    python benchmarks/cpu_rows_here.py [--shapes probe,300m,tinyllama] [--quants F16,Q8_0,...]
        [--reps 3] [--threads N] [--models DIR] [--llama-bench PATH] [--out CSV]

Writes random-weight llama models in each shape (advisor.bench.synthetic: the 93 M-parameter
probe shape, 270 M, and TinyLlama-1.1B's shape), F16 by gguf and every other quant by llama.cpp's
own quantizer (as llama-quantize would: the output matrix in Q6_K and so on), then runs each on
the CPU: with llama-bench (-p 512 -n 128 -r REPS -t THREADS) when --llama-bench names one
(scripts/build_llama_bench.sh), else with `advisor bench` (the same llama.cpp, through
llama-cpp-python; a fresh process with a temporary ADVISOR_HOME, probes off). Every row keeps
its source: tool, machine, date, llama.cpp version, threads, the 1-minute load average before
and after, the mean and the fastest repetition (contention only slows a run: the fastest is the
least disturbed).

The rows are for understanding the CPU kernels (docs/speed.md, "CPU kernel paths"); they are
not published llama-bench results and never enter throughput_calibration.csv, so the
leave-one-device-out scores of benchmarks/speed_accuracy.py do not rest on them.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_OUT = ROOT / "benchmarks" / "data" / "cpu_rows_here.csv"
SHAPES = {"probe": "PROBE", "300m": "BENCH_300M", "tinyllama": "BENCH_1B1"}
# File names; the TinyLlama files are the ones bench_vs_llama_bench.py --shape tinyllama writes.
STEMS = {"probe": "probe-93m", "300m": "quantized-300m", "tinyllama": "tinyllama-1.1b"}
COLUMNS = ("source", "date", "tool", "llama_cpp", "cpu", "cores", "threads", "shape",
           "params", "quant", "file_bytes", "test", "tokens_per_s", "best_tokens_per_s",
           "reps", "load1_before", "load1_after", "batch")  # fmt: skip


def spec_for(shape: str):
    from advisor.bench.probes import PROBE_SPEC
    from advisor.bench.synthetic import SPECS

    return PROBE_SPEC if shape == "probe" else SPECS[SHAPES[shape]]


def model_file(folder: Path, shape: str, quant: str, threads: int) -> Path:
    """The shape's file in `quant`, written (F16 first) if it is not there yet."""
    from advisor.bench.native import import_llama_cpp
    from advisor.bench.probes import quantize
    from advisor.bench.synthetic import write_synthetic_gguf

    f16 = folder / f"{STEMS[shape]}-F16.gguf"
    if not f16.exists():
        print(f"writing {f16} ...", file=sys.stderr)
        write_synthetic_gguf(f16, "F16", spec_for(shape))
    path = folder / f"{STEMS[shape]}-{quant}.gguf"
    if quant != "F16" and not path.exists():
        print(f"quantizing {path} ...", file=sys.stderr)
        quantize(import_llama_cpp(), f16, path, quant, threads)
    return path


def run_llama_bench(exe: Path, path: Path, reps: int, threads: int) -> dict[str, list[float]]:
    argv = [str(exe), "-m", str(path), "-p", "512", "-n", "128", "-r", str(reps),
            "-t", str(threads), "-o", "json"]  # fmt: skip
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    found = {}
    for r in json.loads(out):
        test = "pp512" if r["n_prompt"] == 512 else "tg128"
        found[test] = list(r["samples_ts"])
    return found


def run_advisor(path: Path, reps: int, threads: int, budget: float) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory(prefix="advisor-cpu-rows-") as home:
        argv = [sys.executable, "-m", "advisor", "bench", str(path), "--json", "--no-probes",
                "--runs", str(reps), "--threads", str(threads),
                "--budget", str(budget)]  # fmt: skip
        env = dict(os.environ, ADVISOR_HOME=home)
        done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"advisor bench failed ({done.returncode}):\n{done.stderr}")
    data = json.loads(done.stdout)
    return {"pp512": list(data["prefill"]["samples_tokens_per_s"]),
            "tg128": list(data["decode"]["samples_tokens_per_s"])}  # fmt: skip


def derive(rows_csv: Path, threads: int) -> None:
    """Each measured path's prefill cost relative to F16 (speed.cpu_paths.PATH_COSTS):
    per batch (files run back to back), the F16 file's fastest pp512 over each file's; the
    median over batches. A Q4_K_M file is Q4_K and Q6_K (its kernel mix): Q4_K's cost is what
    is left of the file's once its Q6_K share is counted at the Q6_K file's cost."""
    import statistics
    from collections import defaultdict

    from advisor.bench.probes import PROBE_SPEC
    from advisor.bench.synthetic import spec_architecture
    from advisor.estimate.speed.cpu_paths import kernel_mix

    with rows_csv.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["shape"] == "probe" and r.get("batch")
                and r["test"] == "pp512" and int(r["threads"]) == threads]  # fmt: skip
    batches: dict[str, dict[str, float]] = defaultdict(dict)
    for r in rows:
        batches[r["batch"]][r["quant"]] = float(r["best_tokens_per_s"])
    ratios: dict[str, list[float]] = defaultdict(list)
    for found in batches.values():
        for quant, rate in found.items():
            if "F16" in found:
                ratios[quant].append(found["F16"] / rate)
    cost = {q: statistics.median(v) for q, v in ratios.items()}
    for quant, values in sorted(ratios.items()):
        print(f"{quant:<7} cost vs F16 {cost[quant]:.3f}  (median of {len(values)} batches: "
              f"{', '.join(f'{v:.3f}' for v in values)})")  # fmt: skip
    mix = dict(kernel_mix(spec_architecture(PROBE_SPEC), "Q4_K_M"))
    if "Q4_K_M" in cost and "Q6_K" in cost and mix.get("Q4_K"):
        q6 = mix.get("Q6_K", 0.0)
        q4k = (cost["Q4_K_M"] - q6 * cost["Q6_K"]) / mix["Q4_K"]
        print(f"Q4_K    cost vs F16 {q4k:.3f}  (Q4_K_M's mix: Q4_K {mix['Q4_K']:.3f}, "
              f"Q6_K {q6:.3f})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shapes", default="probe,300m,tinyllama")
    parser.add_argument("--quants", default="F16,Q8_0,Q4_0,Q4_K_M")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--budget", type=float, default=600.0, help="advisor --budget per file")
    parser.add_argument("--models", type=Path, default=Path("/work/cpupaths-models"))
    parser.add_argument("--llama-bench", type=Path, help="llama-bench to run (else advisor)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--derive", action="store_true",
                        help="print the path constants the probe rows in --out give")  # fmt: skip
    args = parser.parse_args()
    if args.derive:
        derive(args.out, args.threads or 1)
        return

    import llama_cpp

    from advisor.bench.plan import default_threads
    from advisor.probe import probe_machine

    machine = probe_machine()
    threads = args.threads or default_threads()
    tool = "llama-bench" if args.llama_bench else "advisor bench"
    now = datetime.datetime.now(datetime.timezone.utc)
    today = now.date().isoformat()
    batch = f"{now:%Y-%m-%dT%H:%M} t{threads}"  # one invocation: its files ran back to back
    source = f"measured on this project's shared VM ({platform.node() or 'unnamed'}), {today}"
    new = not args.out.exists()
    with args.out.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if new:
            writer.writerow(COLUMNS)
        for shape in args.shapes.split(","):
            for quant in args.quants.split(","):
                path = model_file(args.models, shape, quant, threads)
                before = os.getloadavg()[0]
                if args.llama_bench:
                    samples = run_llama_bench(args.llama_bench, path, args.reps, threads)
                else:
                    samples = run_advisor(path, args.reps, threads, args.budget)
                after = os.getloadavg()[0]
                for test, values in samples.items():
                    mean = sum(values) / len(values)
                    writer.writerow([
                        source, today, tool, f"llama-cpp-python {llama_cpp.__version__}",
                        machine.cpu.name, machine.cpu.physical_cores, threads, shape,
                        spec_for(shape).n_params, quant, path.stat().st_size, test,
                        f"{mean:.3f}", f"{max(values):.3f}", len(values), f"{before:.2f}",
                        f"{after:.2f}", batch,
                    ])  # fmt: skip
                    print(f"{shape:<9} {quant:<7} {test}: mean {mean:8.2f}  best "
                          f"{max(values):8.2f}  load {before:.2f}-{after:.2f}")  # fmt: skip
                handle.flush()


if __name__ == "__main__":
    main()
