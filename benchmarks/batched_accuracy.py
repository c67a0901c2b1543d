"""How well the batched estimate predicts llama-batched-bench on devices it was not fitted on.

    python benchmarks/batched_accuracy.py [--csv PATH] [--specs PATH] [--rows]

Leave-one-device-out: for each device, the batched constants are refitted without its rows
and its rows predicted (a held-out device whose backend no other device shares uses the
constants fitted on all the others). Prints, for B >= 2, the median absolute error of the
aggregate decode rate S_TG and of the scaling ratio S_TG(B)/S_TG(1), per device, per B and per
model, against the issue's targets (20% and 15%); the prefill rate S_PP over every row; the
same figures with the shipped constants (fitted on every device: in-sample); and the
concurrency model advisor used before, aggregate = min(B x single-stream decode, pp512).
--rows adds every held-out prediction. The rows are llama.cpp's own published sweeps
(benchmarks/data/batched_bench.csv names each row's file and build) and this machine's
llama-batched-bench runs (benchmarks/data/batched_bench_here.csv, --here), which are
predicted and printed but never fitted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor.bench.kernels.synthetic import synthetic_architecture  # noqa: E402
from advisor.estimate.speed.batched_physics import load_batch_constants, prefill_s  # noqa: E402
from advisor.estimate.speed.model import load_constants  # noqa: E402
from scripts.fitting.batched_fit import (  # noqa: E402
    BatchRow,
    Prediction,
    leave_one_device_out,
    load_rows,
    median_abs,
    predict,
    predicted_decode,
    predicted_prefill,
)
from scripts.fitting.speed_rows import load_spec_table, repository_catalog  # noqa: E402

DEFAULT_CSV = ROOT / "benchmarks" / "data" / "batched_bench.csv"
DEFAULT_HERE = ROOT / "benchmarks" / "data" / "batched_bench_here.csv"
HERE_NOT_FITTED = (
    "measured on this project's shared machine (a generated model, one thread): validation only"
)
DEFAULT_SPECS = ROOT / "benchmarks" / "data" / "hardware_specs.csv"
TARGET_DECODE = 0.20
TARGET_SCALING = 0.15


def _pct(value: float) -> str:
    return "   n/a" if value != value else f"{100 * value:5.1f}%"


def _line(label: str, preds: list[Prediction]) -> str:
    multi = [p for p in preds if p.row.b > 1]
    decode = median_abs([p.decode_error for p in multi])
    scaling = median_abs([p.scaling_error for p in multi if p.scaling_error is not None])
    return f"  {label:34} decode {_pct(decode)}   scaling {_pct(scaling)}   rows {len(multi):3d}"


def _verdict(value: float, target: float) -> str:
    return "meets" if value <= target else "misses"


def _summary(title: str, preds: list[Prediction], by_model: bool = False) -> None:
    print(title)
    print(_line("all devices", preds))
    for device in sorted({p.row.device for p in preds}):
        mine = [p for p in preds if p.row.device == device]
        print(_line(device, mine))
        if by_model:
            for model in sorted({p.row.model for p in mine}):
                print(_line(f"  {model}", [p for p in mine if p.row.model == model]))
    for b in sorted({p.row.b for p in preds if p.row.b > 1}):
        print(_line(f"B = {b}", [p for p in preds if p.row.b == b]))


def _targets(preds: list[Prediction]) -> None:
    multi = [p for p in preds if p.row.b > 1]
    decode = median_abs([p.decode_error for p in multi])
    scaling = median_abs([p.scaling_error for p in multi if p.scaling_error is not None])
    print(f"  target: aggregate decode <= 20% for B >= 2: {_pct(decode)} "
          f"({_verdict(decode, TARGET_DECODE)})")  # fmt: skip
    print(f"  target: scaling ratio <= 15%:              {_pct(scaling)} "
          f"({_verdict(scaling, TARGET_SCALING)})")  # fmt: skip
    for device in sorted({p.row.device for p in multi}):
        mine = [p for p in multi if p.row.device == device]
        d = median_abs([p.decode_error for p in mine])
        s = median_abs([p.scaling_error for p in mine if p.scaling_error is not None])
        print(f"    {device:34} decode {_verdict(d, TARGET_DECODE):6}  "
              f"scaling {_verdict(s, TARGET_SCALING)}")  # fmt: skip


def _prefill(rows: list[BatchRow]) -> None:
    errors = [predicted_prefill(r) / r.s_pp - 1.0 for r in rows]
    print(f"Prefill S_PP (the single-stream prefill model, B*P tokens, weights read once a "
          f"ubatch): median |error| {_pct(median_abs(errors))} over {len(rows)} rows")  # fmt: skip
    for device in sorted({r.device for r in rows}):
        mine = [e for r, e in zip(rows, errors, strict=True) if r.device == device]
        print(f"  {device:34} {_pct(median_abs(mine))}")


def _old_model(rows: list[BatchRow]) -> None:
    """min(B x single-stream decode, pp512): the concurrency model advisor used before."""
    c = load_constants()
    bc = load_batch_constants()
    singles = {}
    decode_errors, scaling_errors = [], []
    for r in rows:
        if r.b == 1:
            singles[(r.device, r.model, r.pp, r.tg)] = r.s_tg
    for r in rows:
        if r.b == 1:
            continue
        one = predicted_decode(r, c, bc, 1)
        pp512 = 512 / prefill_s(r.step, 1, 512)
        aggregate = min(r.b * one, pp512)
        decode_errors.append(aggregate / r.s_tg - 1.0)
        measured_one = singles.get((r.device, r.model, r.pp, r.tg))
        if measured_one:
            scaling_errors.append((aggregate / one) / (r.s_tg / measured_one) - 1.0)
    print("Before: aggregate = min(B x single-stream decode, pp512), the same rows, B >= 2")
    print(f"  decode {_pct(median_abs(decode_errors))}   scaling "
          f"{_pct(median_abs(scaling_errors))}   rows {len(decode_errors)}")  # fmt: skip


def _print_rows(preds: list[Prediction]) -> None:
    print("Held-out predictions (S_TG measured, predicted, error; scaling measured, predicted)")
    for p in sorted(preds, key=lambda p: (p.row.device, p.row.model, p.row.pp, p.row.b)):
        r = p.row
        ms = f"{p.measured_scaling:5.2f}" if p.measured_scaling else "  n/a"
        print(f"  {r.device[:16]:16} {r.model[:26]:26} P={r.pp:5d} B={r.b:2d} "
              f"{r.s_tg:8.1f} {p.decode:8.1f} {100 * p.decode_error:+6.1f}%   "
              f"x{ms} x{p.scaling:5.2f}")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--here", type=Path, default=DEFAULT_HERE,
                        help="this machine's batched rows (validation only)")  # fmt: skip
    parser.add_argument("--specs", type=Path, default=DEFAULT_SPECS)
    parser.add_argument("--rows", action="store_true", help="print every held-out prediction")
    args = parser.parse_args(argv)
    specs, catalog = load_spec_table(args.specs), repository_catalog()
    rows = load_rows(args.csv, specs, catalog, synthetic_architecture)
    if args.here.exists():
        rows += load_rows(args.here, specs, catalog, synthetic_architecture, HERE_NOT_FITTED)
    fitted = [r for r in rows if r.skip_fit is None]
    skipped = sorted({r.skip_fit for r in rows if r.skip_fit})
    devices = sorted({r.device for r in rows})
    print(f"{len(rows)} llama-batched-bench rows, {len(devices)} devices "
          f"({', '.join(devices)}); {len(fitted)} used by the fit")  # fmt: skip
    for reason in skipped:
        print(f"  left out of the fit (still predicted below): {reason}")
    held_out = leave_one_device_out(rows)
    usable = [p for p in held_out if p.row.skip_fit is None]
    print()
    _summary("Leave one device out (constants fitted without the device), B >= 2:", usable, True)
    _targets(usable)
    left = [p for p in held_out if p.row.skip_fit is not None]
    if left:
        print("Rows left out of the fit, predicted by constants fitted on the other devices:")
        for reason in sorted({p.row.skip_fit or "" for p in left}):
            print(f"  ({reason})")
            for device in sorted({p.row.device for p in left if p.row.skip_fit == reason}):
                mine = [p for p in left if p.row.device == device and p.row.skip_fit == reason]
                print(_line(device[:34], mine))
                for b in sorted({p.row.b for p in mine if p.row.b > 1}):
                    print(_line(f"  B = {b}", [p for p in mine if p.row.b == b]))
    print()
    shipped = [p for p in predict(rows, load_batch_constants()) if p.row.skip_fit is None]
    _summary("In-sample (the shipped constants, fitted on every device), B >= 2:", shipped)
    print()
    _prefill(rows)
    print()
    _old_model(rows)
    if args.rows:
        print()
        _print_rows(held_out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
