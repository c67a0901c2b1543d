"""Fit the speed model's constants on a calibration CSV and write speed_constants.json.

    python scripts/fit_speed.py [--csv benchmarks/data/throughput_calibration.csv]
                                [--specs benchmarks/data/hardware_specs.csv] [--out FILE]

The ranges the estimator quotes come from a leave-one-device-out pass over the same rows: per
kernel path or backend, the device-weighted central 75% of measured/predicted on devices the
fit had not seen, widened for the few devices behind it (scripts/fitting/speed_fit.py spreads).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the fitting code lives in scripts/

from advisor.paths import atomic_write_text  # noqa: E402
from scripts.fitting.speed_fit import fit_constants, leave_one_device_out, spreads  # noqa: E402
from scripts.fitting.speed_rows import load_rows, load_spec_table, repository_catalog  # noqa: E402

DEFAULT_CSV = ROOT / "benchmarks" / "data" / "throughput_calibration.csv"
DEFAULT_SPECS = ROOT / "benchmarks" / "data" / "hardware_specs.csv"
DEFAULT_OUT = ROOT / "advisor" / "estimate" / "speed" / "speed_constants.json"


def _rounded(value):
    if isinstance(value, float):
        return float(f"{value:.6g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV, help="calibration rows")
    parser.add_argument("--specs", type=Path, default=DEFAULT_SPECS, help="GPU spec table")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="constants file to write")
    args = parser.parse_args(argv)
    rows, skipped = load_rows(args.csv, load_spec_table(args.specs), repository_catalog())
    constants = fit_constants(rows, spreads(leave_one_device_out(rows)))
    digest = hashlib.sha256(args.csv.read_bytes()).hexdigest()[:12]
    constants["source"] = (
        f"fit by scripts/fit_speed.py on {args.csv.name} (sha256 {digest}): "
        f"{len(rows)} rows used, {len(skipped)} skipped"
    )
    atomic_write_text(args.out, json.dumps(_rounded(constants), indent=2) + "\n")
    print(f"wrote {args.out} from {len(rows)} rows ({len(skipped)} skipped)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
