"""Would a forked child taking half of a first report's workloads pay on a 2-core machine?

    python benchmarks/advise_split.py [--runs 5] [--max-load 1.5] [--profile NAME] [--cut 2]

In fresh processes (nothing cached: no estimate, remedy or report cache), after the catalog,
the workloads and the machine are ready and advise()'s imports are done, times:
- `in line`: advise() on all the workloads, as a report runs it;
- `split`: a forked child runs advise() on the last workloads and sends its verdicts back
  pickled through a pipe while this process runs the first ones; the wall time counts the fork,
  the child's pickling and this process's unpickling and wait.
The split is the best case for the idea: the two halves' verdicts are checked equal to the
in-line ones, but no remedy search runs (it needs every verdict) and nothing is merged back
(the top candidates read every file the verdicts ranked, and the estimate cache keeps every
estimate), which a real split would have to add. The split point is --cut: this process runs
the first N workloads (default 2), the child the rest (printed). The machine's RAM bandwidth is
fixed (30 GB/s) so the runs agree.
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

from fixed_machine import SETUP  # noqa: E402
from report_vs_llmfit import ENV, wait_for_quiet  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

TRIAL = (
    r"""
import json, os, pickle, sys, time
from advisor.advise import advise
way, cut, profile = sys.argv[1], int(sys.argv[2]), sys.argv[3] or None
remedies = False
"""
    + SETUP
    + r"""
def cpu():
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system
start, cpu0 = time.perf_counter(), cpu()
if way == "in line":
    verdicts = advise(machine, catalog, workloads, options).verdicts
else:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            data = pickle.dumps(advise(machine, catalog, workloads[cut:], options).verdicts)
            with os.fdopen(w, "wb") as out:
                out.write(data)
        finally:
            os._exit(0)
    os.close(w)
    mine = advise(machine, catalog, workloads[:cut], options).verdicts
    with os.fdopen(r, "rb") as answer:
        theirs = pickle.loads(answer.read())
    os.waitpid(pid, 0)
    verdicts = mine + theirs
wall, used = time.perf_counter() - start, cpu() - cpu0
same = verdicts == advise(machine, catalog, workloads, options).verdicts
print(json.dumps([wall, used, same, len(workloads)]))
"""
)


def trial(way: str, cut: int, profile: str | None, home: Path) -> tuple[float, float, bool, int]:
    env = {**ENV, "ADVISOR_HOME": str(home)}
    argv = [sys.executable, "-c", TRIAL, way, str(cut), profile or ""]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    wall, used, same, count = json.loads(done.stdout.strip().splitlines()[-1])
    return wall, used, same, count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes of each way")
    parser.add_argument("--max-load", type=float, default=1.5, help="wait for load below this")
    parser.add_argument("--profile", help="a reference profile instead of probing this machine")
    parser.add_argument("--cut", type=int, default=2, help="workloads this process keeps")
    args = parser.parse_args()
    rows: dict[str, list[tuple[float, float, bool, int]]] = {"in line": [], "split": []}
    loads = []
    with tempfile.TemporaryDirectory(prefix="advisor-split-") as tmp:
        trial("in line", args.cut, args.profile, Path(tmp) / "warm-up")
        for run in range(args.runs):
            for way in rows if run % 2 == 0 else reversed(list(rows)):
                loads.append(wait_for_quiet(args.max_load))
                rows[way].append(trial(way, args.cut, args.profile, Path(tmp) / f"{run}{way}"))
    count = rows["in line"][0][3]
    print(f"{os.cpu_count()} CPUs; 1-minute load {min(loads):.2f}-{max(loads):.2f}; "
          f"{args.runs} fresh processes each way; {count} workloads, this process keeps "
          f"the first {args.cut}")  # fmt: skip
    for way, found in rows.items():
        wall, used, same, _ = zip(*found, strict=True)
        print(f"  {way:<8} advise() wall best {min(wall) * 1000:6.1f} ms, median "
              f"{statistics.median(wall) * 1000:6.1f} ms | CPU (user+sys, both processes) "
              f"median {statistics.median(used) * 1000:6.1f} ms | verdicts equal to in line: "
              f"{all(same)}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
