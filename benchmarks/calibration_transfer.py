"""Does the throughput test's calibration carry across quant types? Probes against files.

    python benchmarks/calibration_transfer.py [--reps 3] [--budget 150] [--threads N]
        [--record FILE | --replay FILE]

Writes, in a temporary folder, the kernel-path probes `advisor bench` runs on a CPU
(advisor.bench.kernels.probes: one 93 M-parameter shape in F16, Q8_0, Q4_0 and Q4_K_M) and three
test files in another shape (file_spec(): 1536 wide, 4 layers, 101 M parameters, quantized by
llama.cpp to Q4_0, Q8_0 and Q4_K_M: 57 to 107 MB, like the probes past the CPU's cache).
Runs advisor's throughput test (pp512 and tg128, on every physical core unless --threads)
on each and asks the estimator for each on this machine (probed). Every run uses the same
thread count, so what differs between files is their kernel path and size.

Then, for each of the three files left out, its estimate's error against its measurement:
  - with no calibration;
  - calibrated by the other two files and the probes (the rule, advisor.estimate.calibration);
  - calibrated by the other two files alone (the rule: another kernel path says nothing);
  - with one global factor from the other two files (the rule before kernel paths).
The rule must never move a file further from its measurement. --record writes the runs as
JSON, the form tests/bench/data/calibration_transfer_*.json keeps (tests pin the rule on it).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FILE_QUANTS = ("Q4_0", "Q8_0", "Q4_K_M")


def file_spec():
    """The test files' shape: other widths and depth than the probes'."""
    from advisor.bench.kernels.synthetic import SyntheticSpec

    return SyntheticSpec(n_vocab=384, n_embd=1536, n_layer=4, n_head=12, n_head_kv=4,
                         n_ff=4096, seed=11, name="calibration-transfer-file")  # fmt: skip


BANDWIDTH = "memory.bandwidth_measured_gbs"


def measure(reps: int, budget: float, folder: Path, threads: int | None) -> dict:
    """Write and run every probe and test file; the runs as plain data."""
    from advisor.bench.calibrate.estimates import predict
    from advisor.bench.kernels.probes import PROBE_SPEC, quantize, write_probes
    from advisor.bench.kernels.synthetic import write_synthetic_gguf
    from advisor.bench.model_file.identity import describe_file
    from advisor.bench.plan import BenchPlan, default_threads
    from advisor.bench.run.native import import_llama_cpp
    from advisor.bench.run.runner import run_bench
    from advisor.probe import machine_fingerprint, probe_machine

    llama_cpp = import_llama_cpp()
    machine = probe_machine()
    fingerprint = machine_fingerprint(machine)
    threads = threads or default_threads()
    probes = write_probes(llama_cpp, folder / "probes", threads)
    f16 = write_synthetic_gguf(folder / "files" / "file-F16.gguf", "F16", file_spec())
    files = {q: quantize(llama_cpp, f16, folder / "files" / f"file-{q}.gguf", q, threads)
             for q in FILE_QUANTS}  # fmt: skip
    runs = []
    for role, quant, path in [("probe", q, p) for q, p in probes.items()] + [
        ("file", q, p) for q, p in files.items()
    ]:
        model_file = describe_file(path)
        guess = predict(machine, model_file, context_tokens=640, gpu_layers=0)
        plan = BenchPlan(path=path, n_gpu_layers=0, budget_s=budget, max_runs=reps,
                         n_threads=threads)  # fmt: skip
        m = run_bench(plan, model_file, fingerprint)
        runs.append({
            "role": role,
            "quant": quant,
            "file_identity": model_file.identity,
            "file_bytes": model_file.size_bytes,
            "probe_shape": PROBE_SPEC.name if role == "probe" else None,
            "decode_samples": list(m.decode.samples_tokens_per_s) if m.decode else [],
            "prefill_samples": list(m.prefill.samples_tokens_per_s) if m.prefill else [],
            "estimated_decode": guess.decode_tokens_per_s,
            "estimated_prefill": guess.prefill_tokens_per_s,
        })  # fmt: skip
        last = runs[-1]
        print(f"measured {role} {quant}: pp512 {_mean(last['prefill_samples']):.1f}, "
              f"tg128 {_mean(last['decode_samples']):.1f} tokens/s", file=sys.stderr)  # fmt: skip
    return {
        "machine": f"{machine.cpu.name}, {machine.cpu.physical_cores} cores, RAM "
        f"{machine.memory.bandwidth_gbs} GB/s ({machine.sources.get(BANDWIDTH)})",
        "fingerprint": fingerprint,
        "llama_cpp": llama_cpp.__version__,
        "threads": threads,
        "runs": runs,
    }


def _mean(samples: list[float]) -> float:
    return statistics.fmean(samples) if samples else float("nan")


def calibration_runs(record: dict):
    """The recorded runs as the calibration reads them (advisor.estimate.calibration)."""
    from advisor.estimate.calibration.values import CalibrationRun, ratio
    from advisor.estimate.speed.load import quant_class

    found = []
    for r in record["runs"]:
        d, p = r["decode_samples"], r["prefill_samples"]
        found.append(CalibrationRun(
            r["file_identity"], "cpu", "cpu", quant_class(r["quant"]), r["file_bytes"],
            ratio(_mean(d) if d else None, r["estimated_decode"]),
            ratio(_mean(p) if p else None, r["estimated_prefill"]),
            _spread(d), _spread(p), r["probe_shape"],
        ))  # fmt: skip
    return found


def _spread(samples: list[float]) -> float:
    if len(samples) < 2:
        return 0.0
    return statistics.stdev(samples) / statistics.fmean(samples)


def left_out_errors(record: dict) -> list[dict]:
    """Each file left out, each test: the error with no calibration, the rule with and
    without the probes, and one global factor from the other two files."""
    from advisor.estimate.calibration.apply import scaling_for
    from advisor.estimate.calibration.build import build_calibration, shrink
    from advisor.estimate.calibration.values import Target

    runs = calibration_runs(record)
    fp = record["fingerprint"]
    rows = []
    for left, raw in zip(runs, record["runs"], strict=True):
        if raw["role"] != "file":
            continue
        others = [r for r, x in zip(runs, record["runs"], strict=True)
                  if x["role"] == "file" and r is not left]  # fmt: skip
        probes = [r for r, x in zip(runs, record["runs"], strict=True) if x["role"] == "probe"]
        target = Target(fp, "cpu", "cpu", None, raw["quant"], weights_bytes=raw["file_bytes"])
        with_probes = scaling_for(build_calibration(fp, others + probes), target)
        alone = scaling_for(build_calibration(fp, others), target)
        for test in ("decode", "prefill"):
            measured = _mean(raw[f"{test}_samples"])
            estimated = raw[f"estimated_{test}"]
            ratios = [getattr(o, f"{test}_ratio") for o in others]
            global_factor = shrink(statistics.median(ratios), len(ratios))
            rows.append({
                "file": raw["quant"], "test": "tg128" if test == "decode" else "pp512",
                "measured": measured, "estimated": estimated,
                "none": estimated / measured - 1,
                "rule": _factor(with_probes, test) * estimated / measured - 1,
                "rule_no_probes": _factor(alone, test) * estimated / measured - 1,
                "global": global_factor * estimated / measured - 1,
            })  # fmt: skip
    return rows


def _factor(scaling, test: str) -> float:
    factor = getattr(scaling, test) if scaling is not None else None
    return factor.value if factor is not None else 1.0


def print_table(record: dict) -> None:
    print(f"machine: {record['machine']}; llama-cpp-python {record['llama_cpp']}, "
          f"{record['threads']} threads")  # fmt: skip
    print("\n== runs (tokens/s: measured mean ± spread, the estimate) ==")
    for r in record["runs"]:
        for test, key in (("pp512", "prefill"), ("tg128", "decode")):
            s = r[f"{key}_samples"]
            print(f"{r['role']:<6} {r['quant']:<7} {r['file_bytes'] / 1e6:>6.0f} MB {test:<6} "
                  f"{_mean(s):>9.1f} ±{_spread(s):>4.0%} (n={len(s)})  "
                  f"estimate {r[f'estimated_{key}']:>9.1f}")  # fmt: skip
    rows = left_out_errors(record)
    print("\n== each file left out: estimate error against its measurement ==")
    print(
        f"{'file':<7} {'test':<6} {'none':>8} {'rule':>8} {'no probes':>10} {'global':>8}"
        "  rule closer?"
    )
    for row in rows:
        closer = abs(math.log1p(row["rule"])) <= abs(math.log1p(row["none"])) + 1e-12
        print(f"{row['file']:<7} {row['test']:<6} {row['none']:>+8.1%} {row['rule']:>+8.1%} "
              f"{row['rule_no_probes']:>+10.1%} {row['global']:>+8.1%}  "
              f"{'yes' if closer else 'NO'}")  # fmt: skip
    for key in ("none", "rule", "rule_no_probes", "global"):
        errors = [abs(r[key]) for r in rows]
        print(f"median |error| {key:<15} {statistics.median(errors):>6.1%}   "
              f"largest {max(errors):>6.1%}")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=3, help="repetitions of each test")
    parser.add_argument("--budget", type=float, default=150.0, help="seconds per file")
    parser.add_argument(
        "--threads",
        type=int,
        help="threads (default: physical cores; on a "
        "crowded machine 1 thread avoids OpenMP's lock-step stalls)",
    )
    parser.add_argument("--record", type=Path, help="write the runs to this JSON file")
    parser.add_argument("--replay", type=Path, help="print the table of a recorded JSON file")
    args = parser.parse_args(argv)
    if args.replay:
        record = json.loads(args.replay.read_text())
    else:
        with tempfile.TemporaryDirectory(prefix="advisor-transfer-") as tmp:
            record = measure(args.reps, args.budget, Path(tmp), args.threads)
    if args.record:
        args.record.write_text(json.dumps(record, indent=1) + "\n")
    print_table(record)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
