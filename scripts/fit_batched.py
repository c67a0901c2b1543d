"""Fit the batched constants on llama-batched-bench rows and write batched_constants.json.

    python -m scripts.fit_batched [--csv benchmarks/data/batched_bench.csv]
                                  [--specs benchmarks/data/hardware_specs.csv] [--out FILE]

scripts/fitting/batched_fit.py says how; the range the estimate quotes for B >= 2 is the
10th-90th percentile of measured/predicted scaling on devices the fit had not seen
(leave one device out).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from advisor.bench.kernels.synthetic import synthetic_architecture
from advisor.paths import atomic_write_text
from scripts.fitting.batched_fit import (
    constants_to_dict,
    fit,
    leave_one_device_out,
    load_rows,
    spreads,
)
from scripts.fitting.speed_rows import load_spec_table, repository_catalog

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CSV = ROOT / "benchmarks" / "data" / "batched_bench.csv"
DEFAULT_SPECS = ROOT / "benchmarks" / "data" / "hardware_specs.csv"
DEFAULT_OUT = ROOT / "advisor" / "estimate" / "speed" / "batched_constants.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV, help="llama-batched-bench rows")
    parser.add_argument("--specs", type=Path, default=DEFAULT_SPECS, help="GPU spec table")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="constants file to write")
    args = parser.parse_args(argv)
    rows = load_rows(
        args.csv, load_spec_table(args.specs), repository_catalog(), synthetic_architecture
    )
    used = [r for r in rows if r.skip_fit is None]
    digest = hashlib.sha256(args.csv.read_bytes()).hexdigest()[:12]
    devices = len({r.device for r in used})
    skipped = len(rows) - len(used)
    source = (f"fit by scripts/fit_batched.py on {args.csv.name} (sha256 {digest}): "
              f"{len(used)} rows of {devices} devices used, {skipped} skipped")  # fmt: skip
    data = constants_to_dict(fit(rows), spreads(leave_one_device_out(rows)), source)
    atomic_write_text(args.out, json.dumps(data, indent=2) + "\n")
    print(f"wrote {args.out}: {source}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
