"""`advisor bench --parallel` against llama.cpp's own llama-batched-bench, on this machine.

    python benchmarks/batched_vs_llama_batched_bench.py --llama-batched-bench PATH
        [--models DIR] [--quant Q8_0] [--parallel 1,2,4,8] [--prompt-tokens 128]
        [--gen-tokens 32] [--rounds 5] [--threads 1] [--max-load 1.5] [--csv-out FILE]

Needs llama-batched-bench built from the same llama.cpp as the llama-cpp-python wheel:
`TARGETS=llama-batched-bench scripts/build_llama_bench.sh SRC_DIR BUILD_DIR`. Writes a
synthetic llama model of about 58 M parameters (advisor.bench.kernels.synthetic, BENCH_60M below)
into --models if it is not there.

Made for a busy, shared machine. The two tools are interleaved B by B: for each round and
each B, llama-batched-bench (-npp P -ntg TG -npl B,B: the B is run twice in one process and
the second, warm line counts, as advisor's own untimed warm-up prompt and step make its
measured B warm) and `advisor bench FILE --parallel B --json` (a fresh process) run right
after each other, the order alternating from one pair to the next, each on --threads threads
(default 1, so that the two cores of a small machine are not both claimed). Other work on the
machine only ever slows a run down, so the figure compared is each tool's best of the rounds
(the highest S_PP and S_TG); the median over rounds of the paired ratios (runs seconds apart,
so slow drift cancels) and their spread are printed beside it. The 1-, 5- and 15-minute load
averages are printed at the start and the end, and the 1-minute one before every run
(stderr). --max-load waits (at most 10 minutes a round) for a quieter machine first.
--csv-out writes llama-batched-bench's best rows in benchmarks/data/batched_bench.csv's
columns: benchmarks/data/batched_bench_here.csv keeps them, to validate the batched estimate
on this CPU (benchmarks/batched_accuracy.py; not fitted: see benchmarks/data/README.md).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor.bench.kernels.synthetic import BENCH_60M, write_synthetic_gguf  # noqa: E402

DEFAULT_MODELS = Path("/work/bench-models")
TARGET = 0.10


@dataclass
class Rates:
    """S_PP and S_TG by B from one run of one tool, with the load around it."""

    pp: dict[int, float]
    tg: dict[int, float]
    load_before: float
    load_after: float


def load1() -> float:
    return os.getloadavg()[0]


def wait_for_quiet(max_load: float, patience_s: float = 600) -> None:
    deadline = time.monotonic() + patience_s
    while load1() >= max_load and time.monotonic() < deadline:
        time.sleep(10)


def run_llama(exe: Path, model: Path, b: int, args) -> Rates:
    """One llama-batched-bench process for one B: -npl B,B, the second (warm) line counts."""
    before = load1()
    n_ctx = b * (args.prompt_tokens + args.gen_tokens)
    argv = [str(exe), "-m", str(model), "-c", str(n_ctx), "-b", "2048", "-ub", "512",
            "-npp", str(args.prompt_tokens), "-ntg", str(args.gen_tokens),
            "-npl", f"{b},{b}", "-t", str(args.threads), "--output-format", "jsonl"]  # fmt: skip
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    last = rows[-1]
    return Rates({b: last["speed_pp"]}, {b: last["speed_tg"]}, before, load1())


def run_advisor(model: Path, b: int, args, home: Path) -> Rates:
    """One `advisor bench --parallel B` process (its own warm-up is untimed)."""
    before = load1()
    argv = [sys.executable, "-m", "advisor", "bench", str(model), "--json", "--no-probes",
            "--parallel", str(b), "--threads", str(args.threads),
            "--prompt-tokens", str(args.prompt_tokens), "--gen-tokens", str(args.gen_tokens),
            "--budget", str(args.budget)]  # fmt: skip
    env = dict(os.environ, ADVISOR_HOME=str(home))
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"advisor bench failed ({done.returncode}):\n{done.stderr}")
    points = json.loads(done.stdout)["points"]
    return Rates({p["sequences"]: p["prefill_tokens_per_s"] for p in points},
                 {p["sequences"]: p["decode_tokens_per_s"] for p in points},
                 before, load1())  # fmt: skip


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _best(runs: list[Rates], key: str, b: int) -> float:
    values = [getattr(r, key)[b] for r in runs if b in getattr(r, key)]
    return max(values) if values else float("nan")


def loads() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def report(llama: dict[int, list[Rates]], advisor: dict[int, list[Rates]],
           parallel: tuple[int, ...]) -> None:  # fmt: skip
    print("\nB   test  llama-batched-bench  advisor   best/best  within 10%   "
          "paired ratios: median [min, max]")  # fmt: skip
    for b in parallel:
        for key in ("pp", "tg"):
            theirs, ours = _best(llama[b], key, b), _best(advisor[b], key, b)
            ratio = ours / theirs
            pairs = [getattr(a, key)[b] / getattr(t, key)[b]
                     for a, t in zip(advisor[b], llama[b], strict=True)]  # fmt: skip
            ok = "yes" if abs(ratio - 1) <= TARGET else "NO"
            label = "S_PP" if key == "pp" else "S_TG"
            print(f"{b:<3} {label}  {theirs:>18.2f}  {ours:>7.2f}   {ratio:>8.3f}  {ok:>10}   "
                  f"{_median(pairs):.3f} [{min(pairs):.3f}, {max(pairs):.3f}]")  # fmt: skip


def llama_version(exe: Path) -> str:
    """llama-batched-bench's own "version: N (commit)" line."""
    done = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=False)
    text = (done.stdout + done.stderr).strip().splitlines()
    line = next((t for t in text if t.startswith("version")), "version unknown")
    return line.replace("version: ", "llama.cpp ")


def write_rows(path: Path, llama: dict[int, list[Rates]], args, model: Path,
               start_loads: str) -> None:  # fmt: skip
    """This machine's llama-batched-bench rows (best of the rounds, per B) in
    batched_bench.csv's columns (benchmarks/data/batched_bench_here.csv holds them)."""
    import platform

    from advisor.estimate.speed.devices import machine_rate
    from advisor.probe import probe_machine

    machine = probe_machine()
    rate = machine_rate(machine, "cpu")
    cores = machine.cpu.physical_cores or os.cpu_count() or 1
    compute = rate.compute_tflops * min(args.threads, cores) / cores  # the threads it ran on
    name = machine.cpu.name or platform.processor() or "CPU"
    cpu = f"{name} ({args.threads} thread{'s' if args.threads > 1 else ''}, this project's machine)"
    size_gib = model.stat().st_size / 1024**3
    build = llama_version(args.llama_batched_bench)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for b in args.parallel:
            pp, tg = _best(llama[b], "pp", b), _best(llama[b], "tg", b)
            writer.writerow([
                f"measured on this project's machine with llama-batched-bench built from the "
                f"llama.cpp vendored in llama-cpp-python 0.3.36 ({build}), "
                f"{time.strftime('%Y-%m-%d', time.gmtime())}, best of {len(llama[b])} rounds",
                cpu, "cpu", "synthetic:BENCH_60M", args.quant, f"{size_gib:.4f}", 2048, 512, -1,
                args.prompt_tokens, args.gen_tokens, b,
                f"{b * args.prompt_tokens / pp:.3f}", f"{pp:.2f}",
                f"{b * args.gen_tokens / tg:.3f}", f"{tg:.2f}",
                f"{args.threads} thread(s) of {cores} cores; load average (1/5/15 min) "
                f"{start_loads} at the start; generated model (random weights); bandwidth and "
                "compute as advisor's probe reads them, compute for the threads used",
                rate.bandwidth_gbs, round(compute, 4)])  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llama-batched-bench", type=Path, required=True)
    parser.add_argument("--models", type=Path, default=DEFAULT_MODELS)
    parser.add_argument("--quant", default="Q8_0", choices=("F16", "Q8_0", "Q4_0"))
    parser.add_argument("--parallel", default="1,2,4,8")
    parser.add_argument("--prompt-tokens", type=int, default=128)
    parser.add_argument("--gen-tokens", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--budget", type=float, default=600.0)
    parser.add_argument("--max-load", type=float, default=1.5)
    parser.add_argument("--csv-out", type=Path)
    args = parser.parse_args(argv)
    args.parallel = tuple(int(b) for b in args.parallel.split(","))
    args.models.mkdir(parents=True, exist_ok=True)
    model = args.models / f"synthetic-60m-{args.quant}.gguf"
    if not model.exists():
        print(f"writing {model} ...", file=sys.stderr)
        write_synthetic_gguf(model, args.quant, BENCH_60M)
    llama: dict[int, list[Rates]] = {b: [] for b in args.parallel}
    advisor: dict[int, list[Rates]] = {b: [] for b in args.parallel}
    start_loads = loads()
    pair = 0
    with tempfile.TemporaryDirectory() as home:
        for round_ in range(args.rounds):
            wait_for_quiet(args.max_load)
            for b in args.parallel:
                order = ("llama", "advisor") if pair % 2 == 0 else ("advisor", "llama")
                pair += 1
                for tool in order:
                    if tool == "llama":
                        llama[b].append(run_llama(args.llama_batched_bench, model, b, args))
                    else:
                        advisor[b].append(run_advisor(model, b, args, Path(home)))
                print(f"round {round_ + 1} B={b}: load llama {llama[b][-1].load_before:.2f}, "
                      f"advisor {advisor[b][-1].load_before:.2f}; S_TG llama "
                      f"{llama[b][-1].tg[b]:.1f} advisor {advisor[b][-1].tg[b]:.1f}",
                      file=sys.stderr)  # fmt: skip
    print(f"model {model.name} ({model.stat().st_size / 1e6:.0f} MB), -npp {args.prompt_tokens} "
          f"-ntg {args.gen_tokens}, B = {','.join(map(str, args.parallel))}, "
          f"{args.threads} thread(s), {args.rounds} rounds interleaved B by B; "
          f"{os.cpu_count()} CPUs; load average (1/5/15 min) {start_loads} at the start, "
          f"{loads()} at the end")  # fmt: skip
    report(llama, advisor, args.parallel)
    if args.csv_out:
        write_rows(args.csv_out, llama, args, model, start_loads)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
