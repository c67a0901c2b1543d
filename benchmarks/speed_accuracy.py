"""How well the speed model predicts llama-bench on devices it was not fitted on.

    python benchmarks/speed_accuracy.py [--csv PATH] [--specs PATH] [--residuals]

Leave-one-device-out: for each device, refit every constant without its rows and predict them.
Prints the median and 90th-percentile absolute % error for decode (tgN) and prefill (ppN),
overall, per backend and per prefill kernel path (advisor/estimate/speed/paths.py), the share
of rows within 20%, the share inside the range the estimator quotes (that range taken from the
other devices only) with its median half-width, each of issue 15's targets marked met or
missed, and llmfit's decode formula on the same rows (bandwidth / (active params × bytes per
param) × 0.55; × 0.3 more on CPU-only rows, its run-mode factor). --residuals adds every row's
prediction. Works on any CSV with throughput_calibration.csv's columns.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the fitting code lives in scripts/

from scripts.fitting.speed_fit import (  # noqa: E402
    Prediction,
    RangeCheck,
    leave_one_device_out,
    range_checks,
    row_path,
)
from scripts.fitting.speed_rows import (  # noqa: E402
    CalibrationRow,
    load_rows,
    load_spec_table,
    repository_catalog,
)

DEFAULT_CSV = ROOT / "benchmarks" / "data" / "throughput_calibration.csv"
DEFAULT_SPECS = ROOT / "benchmarks" / "data" / "hardware_specs.csv"
WITHIN = 0.20
# llmfit-core/src/fit.rs quant_bytes_per_param (speed table), per /work/shared/research
# anchors.md §2.2; types it does not list take their GGML bits per weight / 8.
LLMFIT_BYTES_PER_PARAM = {"F16": 2.0, "BF16": 2.0, "Q8_0": 1.0, "Q6_K": 0.75, "Q5_K_M": 0.625,
                          "Q5_0": 0.625, "Q4_K_M": 0.5, "Q4_0": 0.5, "Q3_K_S": 0.4375,
                          "MXFP4": 0.53125}  # fmt: skip
LLMFIT_EFFICIENCY = 0.55
LLMFIT_CPU_ONLY_FACTOR = 0.3


def llmfit_decode(row: CalibrationRow) -> float:
    per_param = LLMFIT_BYTES_PER_PARAM.get(row.quant, 0.5)
    tps = row.rate.bandwidth_gbs / (row.active_params_b * per_param) * LLMFIT_EFFICIENCY
    return tps * (LLMFIT_CPU_ONLY_FACTOR if row.backend == "cpu" else 1.0)


def summary(errors: list[float]) -> str:
    if not errors:
        return "no rows"
    absolute = [abs(e) for e in errors]
    within = sum(a <= WITHIN for a in absolute) / len(absolute)
    return (
        f"median |error| {100 * statistics.median(absolute):5.1f}%   "
        f"p90 {100 * p90(absolute):5.1f}%   "
        f"within 20%: {100 * within:5.1f}%   rows {len(absolute):3d}"
    )


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def report(title: str, predictions: list[tuple[CalibrationRow, float]], by_path=False) -> None:
    print(title)
    errors = [(row, predicted / row.tokens_per_s - 1.0) for row, predicted in predictions]
    print(f"  {'all':20} {summary([e for _, e in errors])}")
    for backend in sorted({row.backend for row, _ in errors}):
        mine = [e for row, e in errors if row.backend == backend]
        print(f"  {backend:20} {summary(mine)}")
    if by_path:
        for path in sorted({row_path(row) for row, _ in errors}):
            mine = [e for row, e in errors if row_path(row) == path]
            print(f"  {'path ' + path:20} {summary(mine)}")


def range_report(checks: list[RangeCheck]) -> dict[str, tuple[float, float]]:
    """Per kind and overall: (coverage, median half-width) of the quoted range; printed."""
    print("\nmeasured inside the quoted range (range from the other devices only):")
    figures = {}
    for kind in ("decode", "prefill", "all"):
        mine = [c for c in checks if kind in ("all", c.prediction.row.kind)]
        if not mine:
            continue
        cover = sum(c.inside for c in mine) / len(mine)
        width = statistics.median(c.half_width for c in mine)
        figures[kind] = (cover, width)
        print(f"  {kind:8} inside {100 * cover:5.1f}%   median half-width {100 * width:5.1f}%   "
              f"rows {len(mine):3d}")  # fmt: skip
    for kind in ("decode", "prefill"):
        for backend in sorted({c.prediction.row.backend for c in checks}):
            mine = [c for c in checks if (c.prediction.row.kind, c.prediction.row.backend)
                    == (kind, backend)]  # fmt: skip
            if mine:
                cover = sum(c.inside for c in mine) / len(mine)
                width = statistics.median(c.half_width for c in mine)
                print(f"    {kind} {backend:8} inside {100 * cover:5.1f}%   "
                      f"median half-width {100 * width:5.1f}%   rows {len(mine):3d}")  # fmt: skip
    return figures


# Issue 15's targets on held-out devices: (label, kind, measure, limit, at most?)
TARGETS = (
    ("decode median |error| <= 8%", "decode", "median", 0.08, True),
    ("decode rows within 20% >= 85%", "decode", "within", 0.85, False),
    ("prefill median |error| <= 15%", "prefill", "median", 0.15, True),
    ("prefill rows within 20% >= 65%", "prefill", "within", 0.65, False),
    ("no backend's prefill median > 30%", "prefill", "worst_backend", 0.30, True),
    ("range covers >= 80% of rows", "all", "coverage", 0.80, False),
    ("range median half-width <= 30%", "all", "half_width", 0.30, True),
)


def measure(name: str, kind: str, predictions: list[Prediction], ranges: dict) -> float:
    if name in ("coverage", "half_width"):
        return ranges[kind][0 if name == "coverage" else 1]
    chosen = [p for p in predictions if p.row.kind == kind]
    absolute = [abs(p.error) for p in chosen]
    if name == "median":
        return statistics.median(absolute)
    if name == "within":
        return sum(a <= WITHIN for a in absolute) / len(absolute)
    backends = {p.row.backend for p in chosen}
    return max(statistics.median(abs(p.error) for p in chosen if p.row.backend == b)
               for b in backends)  # fmt: skip


def targets_report(predictions: list[Prediction], ranges: dict) -> int:
    """Each target, met or missed; returns how many were missed."""
    print("\nissue 15 targets (held-out devices):")
    missed = 0
    for label, kind, name, limit, at_most in TARGETS:
        if kind != "all" and not any(p.row.kind == kind for p in predictions):
            continue
        value = measure(name, kind, predictions, ranges)
        met = value <= limit if at_most else value >= limit
        missed += not met
        print(f"  {'met   ' if met else 'MISSED'} {label:36} now {100 * value:5.1f}%")
    return missed


def print_rows(predictions: list[Prediction]) -> None:
    for p in sorted(predictions, key=lambda p: (p.row.kind, p.row.backend, p.row.device)):
        r = p.row
        test = f"{'pp' if r.kind == 'prefill' else 'tg'}{r.n_tokens}"
        print(
            f"  {r.line:4d} {r.kind:7} {row_path(r):16} {r.device[:30]:30} {r.model[:26]:26} "
            f"{r.quant:7} {test:7} {r.tokens_per_s:9.1f} {p.predicted_tokens_per_s:9.1f} "
            f"{100 * p.error:+6.1f}%{'' if abs(p.error) <= WITHIN else '  *'}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Leave-one-device-out accuracy of the speed model")
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV, help="calibration CSV")
    parser.add_argument("--specs", type=Path, default=DEFAULT_SPECS, help="GPU spec table CSV")
    parser.add_argument(
        "--residuals", "--rows", action="store_true", dest="residuals",
        help="also print every row's held-out prediction and error (* beyond 20%%)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    rows, skipped = load_rows(args.csv, load_spec_table(args.specs), repository_catalog())
    devices = len({r.device for r in rows})
    print(f"{args.csv.name}: {len(rows)} rows used on {devices} devices, {len(skipped)} skipped")
    for reason, count in Counter(s.reason.split(":")[0] for s in skipped).most_common():
        print(f"  skipped {count:3d}: {reason}")
    predictions = leave_one_device_out(rows)
    for kind, test in (("decode", "tgN"), ("prefill", "ppN")):
        chosen = [(p.row, p.predicted_tokens_per_s) for p in predictions if p.row.kind == kind]
        report(f"\n{kind} ({test}), leave-one-device-out:", chosen, by_path=kind == "prefill")
    ranges = range_report(range_checks(predictions))
    targets_report(predictions, ranges)
    decode_rows = [p.row for p in predictions if p.row.kind == "decode"]
    report(
        "\ndecode, llmfit's formula on the same rows (no fit):",
        [(row, llmfit_decode(row)) for row in decode_rows],
    )
    if args.residuals:
        print("\nrows (csv line, kind, kernel path, device, model, quant, test, measured, "
              "predicted, error):")  # fmt: skip
        print_rows(predictions)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
