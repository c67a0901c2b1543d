"""How long the first ranking takes in a fresh process, and the tensor layouts inside it.

    python benchmarks/first_rank.py [--profile macbook-pro-m4-max-128gb] [--runs 5]

What `advisor models`, the TUI's first table or `advisor report` without its estimate cache
pay once per process. Every figure comes from a fresh Python process with an empty
ADVISOR_HOME (no user caches); the catalog and the profile are loaded before the clock starts:

- first rank_models: rank the whole catalog for the profile (chat, 8192 tokens); this builds
  the byte totals of every file it looks at (advisor.catalog.tensors.layout.quant_tensor_bytes);
- second rank_models: the same call again in that process (everything cached);
- quant_tensor_bytes, every quant: the byte totals of every model x quant of the catalog,
  from nothing (the part of the first ranking this benchmark is about);
- tensor_layout, every quant: the tensor-by-tensor layouts of the same files (the reference
  the byte totals are checked against; scripts and `advisor estimate` details use it).

The target is a first ranking under 300 ms. Medians over --runs; the load average is printed
before and after (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 300.0

_RANK = """
import json, sys, time
from advisor.catalog import load_catalog
from advisor.probe import load_profile
from advisor.estimate.rank import rank_models
catalog = load_catalog(overlay=False)
machine = load_profile(sys.argv[1])
times = []
for _ in range(2):
    t = time.perf_counter()
    rank_models(machine, catalog, task="chat", context_tokens=8192, min_decode_tokens_per_s=None)
    times.append(time.perf_counter() - t)
print(json.dumps({"first": times[0], "second": times[1], "numpy": "numpy" in sys.modules}))
"""

_LAYOUTS = """
import json, sys, time
from advisor.catalog import load_catalog
catalog = load_catalog(overlay=False)
pairs = [(m.architecture, q.type) for m in catalog.models for q in m.quants]
t = time.perf_counter()
from advisor.catalog.tensors.layout import quant_tensor_bytes, tensor_layout
for arch, quant in pairs:
    quant_tensor_bytes(arch, quant)
t1 = time.perf_counter()
if sys.argv[1] == "full":
    for arch, quant in pairs:
        tensor_layout(arch, quant)
t2 = time.perf_counter()
print(json.dumps({"bytes": t1 - t, "layout": t2 - t1, "pairs": len(pairs)}))
"""


def _child(script: str, arg: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="advisor-bench-home-") as home:
        out = subprocess.run(
            [sys.executable, "-c", script, arg],
            env={**os.environ, "ADVISOR_HOME": home},
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
    return json.loads(out.stdout)


def _row(label: str, seconds: list[float]) -> str:
    ms = [1000 * s for s in seconds]
    return (
        f"  {label:<34} median {statistics.median(ms):7.1f} ms   "
        f"min {min(ms):7.1f}   max {max(ms):7.1f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="macbook-pro-m4-max-128gb")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    ranks = [_child(_RANK, args.profile) for _ in range(args.runs)]
    layouts = [_child(_LAYOUTS, "bytes") for _ in range(args.runs)]
    full = _child(_LAYOUTS, "full")
    print(f"profile {args.profile}; {args.runs} fresh processes each, empty ADVISOR_HOME; "
          f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")  # fmt: skip
    print(_row("first rank_models", [r["first"] for r in ranks]))
    print(_row("second rank_models", [r["second"] for r in ranks]))
    print(_row(f"quant_tensor_bytes, {full['pairs']} quants", [r["bytes"] for r in layouts]))
    print(_row(f"tensor_layout, {full['pairs']} quants (1 run)", [full["layout"]]))
    first = statistics.median(r["first"] for r in ranks) * 1000
    verdict = "within" if first < TARGET_MS else "OVER"
    numpy = "imports" if any(r["numpy"] for r in ranks) else "does not import"
    print(f"the first ranking is {verdict} the {TARGET_MS:.0f} ms target; ranking {numpy} numpy")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
