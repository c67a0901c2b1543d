"""Memory estimate against llama.cpp's own buffers: per row, per buffer, and the % error.

Reads the recorded measurements (tests/estimate/data/llama_cpp_memory.csv: sparse GGUFs of
real architectures loaded on the CPU by llama-cpp-python, see scripts/memory/record.py) and
the published load logs (tests/estimate/data/memory_use_calibration.csv, Llama 3 8B on CUDA
and Metal). With --measure and llama-cpp-python installed it re-records the first file first.

    python benchmarks/memory_accuracy.py [--measure] [--csv FILE]
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
from pathlib import Path

from advisor.units import MIB

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "estimate" / "data"
sys.path.insert(0, str(ROOT))

from advisor.catalog.model import Architecture  # noqa: E402
from advisor.estimate.budget import Budgets, DeviceBudget  # noqa: E402
from advisor.estimate.fit import Planner  # noqa: E402
from advisor.estimate.settings import RunSettings  # noqa: E402
from advisor.files.strict import validate  # noqa: E402

BIG = 1 << 50


def _cpu_share(row: dict[str, str]):
    arch = validate(Architecture, json.loads(row["arch_json"]))
    settings = RunSettings(row["kv_type"], row["flash_attn"] == "1", int(row["n_batch"]),
                           int(row["n_ubatch"]))  # fmt: skip
    budgets = Budgets((), DeviceBudget("cpu", BIG, "unbounded"), False)
    planner = Planner(arch, row["quant"], settings, budgets, backend="cpu", mode="dedicated")
    (share,) = planner.shares(planner.option(int(row["context"]), 0))
    return share


def _err(est: float, meas: float) -> float:
    return 0.0 if meas == est else (est - meas) / meas * 100 if meas else float("inf")


def recorded(path: Path) -> dict[str, list[float]]:
    """Prints each recorded row; returns the absolute % errors per buffer."""
    errors: dict[str, list[float]] = {"weights": [], "kv+state": [], "compute": [], "total": []}
    print(f"{'model':30} {'ctx':>6} {'kv':5} fa {'ub':>4} | {'weights MiB est/meas':>22} "
          f"{'err':>6} | {'KV+state MiB est/meas':>22} {'err':>6} | "
          f"{'compute MiB est/meas':>20} {'err':>6} | {'total err':>9}")  # fmt: skip
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        share = _cpu_share(row)
        cache = float(row["kv_mib"]) + float(row["rs_mib"])
        pairs = {
            "weights": (share.weights_bytes / MIB, float(row["model_mib"])),
            "kv+state": (share.kv_cache_bytes / MIB, cache),
            "compute": (share.compute_bytes / MIB, float(row["compute_mib"])),
        }
        est_total = sum(e for e, _ in pairs.values())
        meas_total = sum(m for _, m in pairs.values())
        pairs["total"] = (est_total, meas_total)
        errs = {k: _err(e, m) for k, (e, m) in pairs.items()}
        for k, e in errs.items():
            errors[k].append(abs(e))
        cells = " | ".join(f"{pairs[k][0]:10.1f} {pairs[k][1]:10.1f} {errs[k]:+6.1f}%"
                           for k in ("weights", "kv+state", "compute"))  # fmt: skip
        print(
            f"{row['model_id'][:30]:30} {row['context']:>6} {row['kv_type']:5} "
            f"{row['flash_attn']:>2} {row['n_ubatch']:>4} | {cells} | {errs['total']:+8.2f}%"
        )
    return errors


def known_cases() -> None:
    """The issue's case and the published 4-GPU and Metal logs (Llama 3 8B Q4_K_M)."""
    sys.path.insert(0, str(ROOT / "tests" / "estimate"))
    from estimate_archs import model
    from estimate_machines import gpu_machine, unified_machine

    from advisor.estimate import estimate

    m = model("llama-3-8b-instruct")
    cases = [
        ("1 CUDA GPU, 8192, fa off", gpu_machine(24), 8192, False,
         {"gpu0": (4403.49, 1024.0, 560.0), "cpu": (281.81, 0.0, 24.01)}),
        ("4 CUDA GPUs, 8192, fa off", gpu_machine(24, 24, 24, 24), 8192, False,
         {"gpu0": (1130.62, 288, 640.01), "gpu1": (982.66, 256, 640.01),
          "gpu2": (982.66, 256, 640.01), "gpu3": (1307.55, 224, 640.02),
          "cpu": (281.81, 0.0, 72.02)}),
        ("Apple M1 8 GB, 512", unified_machine(8, 5.33), 512, True,
         {"gpu0": (4685.31, 64.0, 258.50), "cpu": (0.0, 0.0, 9.01)}),
    ]  # fmt: skip
    print("\nPublished llama.cpp load logs (data/memory_use_calibration.csv), MiB est/meas:")
    for name, machine, ctx, fa, expected in cases:
        est = estimate(machine, m, "Q4_K_M", context_tokens=ctx, flash_attn=fa)
        for s in est.placement.shares:
            w, kv, comp = expected[s.device]
            got = (s.weights_bytes / MIB, s.kv_cache_bytes / MIB, s.compute_bytes / MIB)
            cells = "  ".join(f"{label} {g:8.2f}/{e:8.2f} ({_err(g, e):+5.1f}%)" if e else
                              f"{label} {g:8.2f}/{e:8.2f}"
                              for label, g, e in zip(("weights", "KV", "compute"), got,
                                                     (w, kv, comp), strict=True))  # fmt: skip
            print(f"  {name:28} {s.device:5} {cells}")


def published_sizes() -> None:
    """Tensor bytes of the layout against published GGUF sizes (data/tensor_sizes.csv)."""
    sys.path.insert(0, str(ROOT / "tests" / "estimate"))
    from estimate_archs import arch

    from advisor.catalog.tensors.layout import tensor_layout

    errors = []
    print("\nTensor layout against published sizes (data/tensor_sizes.csv):")
    with open(DATA / "tensor_sizes.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            layout = tensor_layout(arch(row["model_id"]), row["quant"])
            if row["unit"] == "bytes":
                est, meas, unit = layout.file_bytes, float(row["size"]), "file bytes"
            else:
                est, meas, unit = layout.bytes.total_bytes / 1024**3, float(row["size"]), "GiB"
            errors.append(abs(_err(est, meas)))
            print(
                f"  {row['model_id'][:30]:30} {row['quant']:8} {est:16.3f} {meas:16.3f} "
                f"{unit:10} {_err(est, meas):+6.2f}%"
            )
    print(
        f"  median {statistics.median(errors):.2f}%  max {max(errors):.2f}%  "
        f"(published GiB figures are rounded to 0.01)"
    )


def _summary(errors: dict[str, list[float]]) -> None:
    print("\nAbsolute % error over the recorded rows (llama.cpp CPU buffers):")
    for k, errs in errors.items():
        within = sum(e <= 5 for e in errs)
        print(
            f"  {k:9} median {statistics.median(errs):5.2f}%  max {max(errs):6.2f}%  "
            f"within 5%: {within}/{len(errs)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DATA / "llama_cpp_memory.csv")
    parser.add_argument("--measure", action="store_true",
                        help="re-record the CSV with llama-cpp-python first (minutes)")  # fmt: skip
    args = parser.parse_args()
    if args.measure:
        script = ROOT / "scripts" / "memory" / "record.py"
        subprocess.run([sys.executable, str(script), "--out", str(args.csv)], check=True)
    errors = recorded(args.csv)
    _summary(errors)
    known_cases()
    published_sizes()


if __name__ == "__main__":
    main()
