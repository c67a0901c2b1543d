"""`advisor bench --parallel` against llama.cpp's own llama-batched-bench, on this machine.

    python benchmarks/batched_vs_llama_batched_bench.py --llama-batched-bench PATH
        [--models DIR] [--quant Q8_0] [--parallel 1,2,4,8] [--prompt-tokens 128]
        [--gen-tokens 32] [--rounds 3] [--threads N] [--max-load 1.5] [--csv-out FILE]

Needs llama-batched-bench built from the same llama.cpp as the llama-cpp-python wheel:
`TARGETS=llama-batched-bench scripts/build_llama_bench.sh SRC_DIR BUILD_DIR`. Writes a
synthetic llama model of about 58 M parameters (advisor.bench.synthetic, BENCH_60M below) into
--models if it is not there.

Each round runs llama-batched-bench (-npp P -ntg TG -npl B,... -c maxB*(P+TG), JSONL out) and
`advisor bench FILE --parallel B,... --json` (a fresh process) right after each other,
alternating which goes first, once the 1-minute load average is below --max-load (the
machine is shared: the load is printed beside every round). Both run one pass per B, as
llama-batched-bench does. Printed per B: the medians over rounds of S_PP and S_TG for each
tool, and the median over rounds of advisor / llama-batched-bench from runs side by side
(slow load drift cancels), against the 10% target. --csv-out writes llama-batched-bench's
rows in benchmarks/data/batched_bench.csv's columns, to add this machine to the data.
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

from advisor.bench.synthetic import BENCH_60M, write_synthetic_gguf  # noqa: E402

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


def run_llama(exe: Path, model: Path, args) -> Rates:
    before = load1()
    n_ctx = max(args.parallel) * (args.prompt_tokens + args.gen_tokens)
    argv = [str(exe), "-m", str(model), "-c", str(n_ctx), "-b", "2048", "-ub", "512",
            "-npp", str(args.prompt_tokens), "-ntg", str(args.gen_tokens),
            "-npl", ",".join(map(str, args.parallel)), "-t", str(args.threads),
            "--output-format", "jsonl"]  # fmt: skip
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return Rates({r["pl"]: r["speed_pp"] for r in rows}, {r["pl"]: r["speed_tg"] for r in rows},
                 before, load1())  # fmt: skip


def run_advisor(model: Path, args, home: Path) -> Rates:
    before = load1()
    argv = [sys.executable, "-m", "advisor", "bench", str(model), "--json",
            "--parallel", ",".join(map(str, args.parallel)), "--threads", str(args.threads),
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


def report(llama: list[Rates], advisor: list[Rates], parallel: tuple[int, ...]) -> None:
    print("\nB   test  llama-batched-bench   advisor   advisor/llama (median of rounds) "
          "[min, max]  within 10%")  # fmt: skip
    for b in parallel:
        for key in ("pp", "tg"):
            ours = [getattr(r, key).get(b) for r in advisor]
            theirs = [getattr(r, key).get(b) for r in llama]
            ratios = [a / t for a, t in zip(ours, theirs, strict=True) if a and t]
            ratio = _median(ratios)
            ok = "yes" if abs(ratio - 1) <= TARGET else "NO"
            span = f"[{min(ratios):.3f}, {max(ratios):.3f}]" if ratios else ""
            label = "S_PP" if key == "pp" else "S_TG"
            them, us = _median([t for t in theirs if t]), _median([a for a in ours if a])
            print(f"{b:<3} {label}  {them:>14.2f}   {us:>9.2f}   {ratio:>8.3f} {span:>18}  {ok}")


def write_rows(path: Path, llama: list[Rates], args, model: Path) -> None:
    """This machine's llama-batched-bench medians in batched_bench.csv's columns."""
    import platform

    from advisor.estimate.speed.devices import machine_rate
    from advisor.probe import probe_machine

    machine = probe_machine()
    rate = machine_rate(machine, "cpu")
    cpu = f"{machine.cpu.name or platform.processor() or 'CPU'} ({args.threads} threads, here)"
    size_gib = model.stat().st_size / 1024**3
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for b in args.parallel:
            pp = _median([r.pp[b] for r in llama if b in r.pp])
            tg = _median([r.tg[b] for r in llama if b in r.tg])
            writer.writerow([
                f"measured here with llama-batched-bench (llama-cpp-python 0.3.36 vendored "
                f"source, {time.strftime('%Y-%m-%d')}), median of {len(llama)} rounds",
                cpu, "cpu", "synthetic:BENCH_60M", args.quant, f"{size_gib:.4f}", 2048, 512, -1,
                args.prompt_tokens, args.gen_tokens, b,
                f"{b * args.prompt_tokens / pp:.3f}", f"{pp:.2f}",
                f"{b * args.gen_tokens / tg:.3f}", f"{tg:.2f}",
                f"{args.threads} threads; 1-min load {llama[0].load_before:.2f} at the start; "
                "bandwidth and compute as advisor's probe reads them",
                rate.bandwidth_gbs, rate.compute_tflops])  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llama-batched-bench", type=Path, required=True)
    parser.add_argument("--models", type=Path, default=DEFAULT_MODELS)
    parser.add_argument("--quant", default="Q8_0", choices=("F16", "Q8_0", "Q4_0"))
    parser.add_argument("--parallel", default="1,2,4,8")
    parser.add_argument("--prompt-tokens", type=int, default=128)
    parser.add_argument("--gen-tokens", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
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
    llama: list[Rates] = []
    advisor: list[Rates] = []
    with tempfile.TemporaryDirectory() as home:
        for round_ in range(args.rounds):
            wait_for_quiet(args.max_load)
            order = ("llama", "advisor") if round_ % 2 == 0 else ("advisor", "llama")
            for tool in order:
                if tool == "llama":
                    llama.append(run_llama(args.llama_batched_bench, model, args))
                else:
                    advisor.append(run_advisor(model, args, Path(home)))
            print(f"round {round_ + 1}: load llama {llama[-1].load_before:.2f}-"
                  f"{llama[-1].load_after:.2f}, advisor {advisor[-1].load_before:.2f}-"
                  f"{advisor[-1].load_after:.2f}", file=sys.stderr)  # fmt: skip
    print(f"model {model.name} ({model.stat().st_size / 1e6:.0f} MB), -npp {args.prompt_tokens} "
          f"-ntg {args.gen_tokens} -npl {','.join(map(str, args.parallel))}, "
          f"{args.threads} threads, {args.rounds} rounds")  # fmt: skip
    report(llama, advisor, args.parallel)
    if args.csv_out:
        write_rows(args.csv_out, llama, args, model)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
