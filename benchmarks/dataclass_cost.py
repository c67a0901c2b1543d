"""What making advisor's dataclasses costs a run, with and without their methods' kept code.

    python benchmarks/dataclass_cost.py [--runs 5] [--max-load 1.5]

Each run is a fresh `advisor --json` process (this machine, as `benchmarks/startup.py` runs it:
PYTHONDONTWRITEBYTECODE dropped) that times dataclasses' `_create_fn` (writing a method's text
and compiling it through `exec`) and `_process_class` (a whole class) in-process, and the CPU
time of the run's own process (not the early probe's child, which takes the copy test). A first
run gets an empty ADVISOR_HOME; a warm one, a home that three runs filled (the machine's copy
tests cached). `kept`: advisor/dataclass_code.py reads the methods' code back from its file
beside the bytecode (written by a run before the timed ones); `compiled`: the same run with that
cache switched off before any class is made, so every text is compiled, as before it existed.
The two alternate; the 1-minute load during the runs is printed with the figures.
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

from report_vs_llmfit import ENV, wait_for_quiet  # noqa: E402 (this script's folder)

ROOT = Path(__file__).resolve().parent.parent

# One `advisor --json` run with dataclasses' two steps timed; argv[1] "compiled" switches the
# kept code off (advisor's __init__ has installed it; nothing else has made a class yet).
TIMED = r"""
import atexit, dataclasses, json, resource, sys, time
import advisor.dataclass_code
if sys.argv[1] == "compiled":
    advisor.dataclass_code._cache = None
totals = {"create_fn_ms": 0.0, "calls": 0, "process_class_ms": 0.0, "classes": 0}
def timing(original, key, count):
    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            totals[key] += (time.perf_counter() - start) * 1000
            totals[count] += 1
    return timed
dataclasses._create_fn = timing(dataclasses._create_fn, "create_fn_ms", "calls")
dataclasses._process_class = timing(dataclasses._process_class, "process_class_ms", "classes")
def report():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    totals["cpu_ms"] = (usage.ru_utime + usage.ru_stime) * 1000
    sys.stderr.write("\nDATACLASSES " + json.dumps(totals) + "\n")
atexit.register(report)
sys.argv = ["advisor", "--json"]
from advisor.cli import main
raise SystemExit(main())
"""


def one_run(mode: str, home: Path) -> dict[str, float]:
    env = {**ENV, "ADVISOR_HOME": str(home)}
    done = subprocess.run([sys.executable, "-c", TIMED, mode], capture_output=True, text=True,
                          cwd=ROOT, env=env, check=True)  # fmt: skip
    line = [x for x in done.stderr.splitlines() if x.startswith("DATACLASSES ")][-1]
    return json.loads(line.split(" ", 1)[1])


def fill(home: Path, runs: int) -> None:
    for _ in range(runs):
        subprocess.run([sys.executable, "-m", "advisor", "--json"], capture_output=True,
                       cwd=ROOT, env={**ENV, "ADVISOR_HOME": str(home)}, check=True)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each kind and mode")
    parser.add_argument("--max-load", type=float, default=1.5, help="wait for load below this")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        fill(base / "warm-up", 1)  # the kept code's file written for this code and Python
        warm = base / "warm"
        fill(warm, 3)  # the first 3 runs each take a copy test
        found: dict[tuple[str, str], list[dict[str, float]]] = {}
        loads: list[float] = []
        for run in range(args.runs):
            modes = ("kept", "compiled") if run % 2 == 0 else ("compiled", "kept")
            for mode in modes:
                loads.append(wait_for_quiet(args.max_load))
                first = one_run(mode, base / f"first-{mode}-{run}")
                found.setdefault(("first", mode), []).append(first)
                loads.append(wait_for_quiet(args.max_load))
                found.setdefault(("warm", mode), []).append(one_run(mode, warm))
    print(f"{args.runs} runs each, alternating; 1-min load {min(loads):.2f}-{max(loads):.2f} "
          f"on {os.cpu_count()} CPUs; medians (best)")  # fmt: skip
    for (kind, mode), runs in found.items():
        figures = []
        for key in ("create_fn_ms", "process_class_ms", "cpu_ms"):
            values = [r[key] for r in runs]
            figures.append(f"{key[:-3]} {statistics.median(values):6.1f} ({min(values):6.1f}) ms")
        print(f"{kind:>5} {mode:<8} {int(runs[0]['classes']):>3} classes, "
              f"{int(runs[0]['calls']):>3} texts: " + ", ".join(figures))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
