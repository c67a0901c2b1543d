"""Measure this machine's CPU kernel paths: pp512 and tg128 of generated models, saved as rows.

    python benchmarks/cpu_rows_here.py [--shapes probe,300m,tinyllama] [--quants F16,Q8_0,...]
        [--reps 3] [--threads N] [--models DIR] [--llama-bench PATH] [--out CSV]

Writes random-weight llama models in each shape (advisor.bench.kernels.synthetic: the 93 M-parameter
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
import resource
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
    from advisor.bench.kernels.probes import PROBE_SPEC
    from advisor.bench.kernels.synthetic import SPECS

    return PROBE_SPEC if shape == "probe" else SPECS[SHAPES[shape]]


def model_file(folder: Path, shape: str, quant: str, threads: int) -> Path:
    """The shape's file in `quant`, written (F16 first) if it is not there yet."""
    from advisor.bench.kernels.probes import quantize
    from advisor.bench.kernels.synthetic import write_synthetic_gguf
    from advisor.bench.run.native import import_llama_cpp

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


def run_llama_bench_cpu_time(exe: Path, path: Path, reps: int,
                             threads: int) -> dict[str, list[float]]:  # fmt: skip
    """Tokens per CPU-second (user + system) of each test: llama-bench run with 1 and with
    1 + `reps` repetitions, the difference over `reps` × the test's tokens, so loading and the
    warm-up cancel. On a shared machine a thread that waits for a core spends no CPU time
    while it waits, so this rate is what the machine gives when it is not shared (a thread
    that shares a cache or memory with others still runs slower)."""
    found: dict[str, list[float]] = {}
    for test, argv in (("pp512", ["-p", "512", "-n", "0"]), ("tg128", ["-p", "0", "-n", "128"])):
        spent = []
        for r in (1, 1 + reps):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run([str(exe), "-m", str(path), *argv, "-r", str(r), "-t", str(threads),
                            "-o", "json"], capture_output=True, check=True)  # fmt: skip
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            spent.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        tokens = 512 if test == "pp512" else 128
        found[test] = [reps * tokens / (spent[1] - spent[0])]
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


def _fastest(rows_csv: Path, threads: int) -> dict[tuple[str, str, str], float]:
    """(shape, quant, test) -> the fastest repetition over every run on `threads` threads
    (contention only slows a run: the fastest is the least disturbed)."""
    best: dict[tuple[str, str, str], float] = {}
    with rows_csv.open(newline="", encoding="utf-8") as handle:
        for r in csv.DictReader(handle):
            if int(r["threads"]) != threads:
                continue
            key = (r["shape"], r["quant"], r["test"])
            best[key] = max(best.get(key, 0.0), float(r["best_tokens_per_s"]))
    return best


def derive(rows_csv: Path, threads: int) -> None:
    """The path constants of speed.cpu_paths.PATH_COSTS from the rows, on every shape (prefill
    is taken from the probe shape, decode from TinyLlama's; the others show how far they carry:
    the 300m rows have F16, Q8_0 and Q4_0 only).

    prefill: the F16 file's fastest pp512 over each file's. A Q4_K_M file is Q4_K and Q6_K
    (its kernel mix): Q4_K's cost is what is left of the file's once its Q6_K share is counted
    at the Q6_K file's cost.
    decode: the F16 file's tg128, less the fitted per-layer cost, over the bytes it reads is
    the memory rate; each file's tg128 beyond its bytes at that rate and the per-layer cost is
    its kernels' compute, per FLOP, over the F16 pp512's seconds per FLOP.
    """
    best = _fastest(rows_csv, threads)
    shapes = ("probe", "300m", "tinyllama")
    tables = {(kind, shape): (_prefill_factors if kind == "prefill" else _decode_factors)(
        best, shape) for kind in ("prefill", "decode") for shape in shapes}  # fmt: skip
    print(f"{'file':<7}" + "".join(f" {kind + ' ' + shape:>18}" for kind, shape in tables))
    for quant in QUANTS_DERIVED:
        cells = [f"{t[quant]:.3f}" if quant in t else "-" for t in tables.values()]
        print(f"{quant:<7}" + "".join(f" {c:>18}" for c in cells))
    for (kind, shape), table in tables.items():
        q4k = _q4_k_share(shape, table)
        if q4k is not None:
            print(f"Q4_K    {kind} {shape}: {q4k[0]:.3f}  (Q4_K_M's mix: Q4_K {q4k[1]:.3f}, "
                  f"Q6_K {q4k[2]:.3f}; Q6_K taken at {max(table['Q6_K'], 0.0):.3f})")  # fmt: skip


def _prefill_factors(best: dict[tuple[str, str, str], float], shape: str) -> dict[str, float]:
    f16 = best.get((shape, "F16", "pp512"))
    return {q: f16 / best[(shape, q, "pp512")] for q in QUANTS_DERIVED
            if f16 and (shape, q, "pp512") in best}  # fmt: skip


QUANTS_DERIVED = ("F16", "Q8_0", "Q4_0", "Q4_K_M", "Q6_K")


def _architecture(shape: str):
    from advisor.bench.kernels.synthetic import spec_architecture

    return spec_architecture(spec_for(shape))


def _q4_k_share(shape: str, table: dict[str, float]) -> tuple[float, float, float] | None:
    """(Q4_K's figure, Q4_K's FLOP share, Q6_K's) from the Q4_K_M and Q6_K files' figures; a
    negative Q6_K figure (inside the noise of the F16 reference) counts as 0."""
    from advisor.estimate.speed.cpu_paths import kernel_mix

    mix = dict(kernel_mix(_architecture(shape), "Q4_K_M"))
    if "Q4_K_M" not in table or "Q6_K" not in table or not mix.get("Q4_K"):
        return None
    q6 = mix.get("Q6_K", 0.0)
    value = (table["Q4_K_M"] - q6 * max(table["Q6_K"], 0.0)) / mix["Q4_K"]
    return value, mix["Q4_K"], q6


def _decode_factors(best: dict[tuple[str, str, str], float], shape: str) -> dict[str, float]:
    from advisor.estimate.speed.load import token_cost
    from advisor.estimate.speed.model import UBATCH_TOKENS, load_constants
    from advisor.estimate.speed.predict import PP_DEPTH, TG_DEPTH

    if (shape, "F16", "tg128") not in best or (shape, "F16", "pp512") not in best:
        return {}
    arch = _architecture(shape)
    tau = load_constants().get(load_constants().tau_layer_s, "cpu")

    def cost(quant: str):
        return token_cost(arch, quant, _file_bytes(arch, quant))

    f16 = cost("F16")
    read = f16.weight_bytes_read + f16.kv_bytes_per_depth * TG_DEPTH
    s_per_byte = (1 / best[(shape, "F16", "tg128")] - f16.n_layers * tau) / read
    pp_s = 1 / best[(shape, "F16", "pp512")]
    pp_s -= f16.prefill_bytes * s_per_byte / UBATCH_TOKENS  # the weights a batch reads
    # the prompt's FLOPs as the model counts them: the output head once per batch
    f16_s_per_flop = pp_s / (f16.prefill_flops(UBATCH_TOKENS) + f16.attn_flops_per_depth * PP_DEPTH)
    found = {}
    for quant in QUANTS_DERIVED:
        if (shape, quant, "tg128") not in best:
            continue
        c = cost(quant)
        t = 1 / best[(shape, quant, "tg128")] - c.n_layers * tau
        t -= (c.weight_bytes_read + c.kv_bytes_per_depth * TG_DEPTH) * s_per_byte
        found[quant] = t / ((c.flops + c.attn_flops_per_depth * TG_DEPTH) * f16_s_per_flop)
    return found


def _file_bytes(arch, quant: str) -> int:
    """The tensor bytes of a `quant` file of `arch` as llama-quantize writes it."""
    from advisor.catalog.tensors.layout import quant_tensor_bytes

    return quant_tensor_bytes(arch, quant).total_bytes


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
    parser.add_argument("--cpu-time", action="store_true",
                        help="with --llama-bench: tokens per CPU-second")  # fmt: skip
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
    if args.llama_bench and args.cpu_time:
        tool = "llama-bench, per CPU-second"
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
                if args.llama_bench and args.cpu_time:
                    samples = run_llama_bench_cpu_time(args.llama_bench, path, args.reps, threads)
                elif args.llama_bench:
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
