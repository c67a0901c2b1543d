"""The CPU an audit's judging takes, and the estimates its searches make, in one process.

    python benchmarks/audit_judging.py [--dir DIR] [--reports 10000] [--configs 300]
                                       [--runs 3]

Writes the benchmark's fleet (benchmarks/audit_fleet.py, as audit_scale.py does; `--dir`
keeps it, and a fleet folder that exists is reused), then runs `advisor audit` on it once in a
child process (one job, no verdict cache) and records every judgement it asks of
advisor.advise.judge: the machine, workloads, options and whether only local verdicts are
asked. Each run then replays those judgements in a fresh process, in the order the audit made
them, with the cycle collector off as the audit's judging runs, and prints the CPU time they
took (time.process_time: reading, workers and rendering left out), the estimates the searches
made, and the load average: the machine is shared, so compare runs taken in the same minutes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from audit_fleet import write_fleet  # noqa: E402

_RECORD = """
import pickle, sys
import advisor.advise as advise
calls = []
real = advise.judge
def recorded(machine, catalog, workloads, options, *, local_only=False, prices=None):
    calls.append((machine, tuple(workloads), options, local_only))
    return real(machine, catalog, workloads, options, local_only=local_only, prices=prices)
advise.judge = recorded
from advisor.cli import main
code = main(["audit", sys.argv[1], "--jobs", "1", "--no-cache", "--format", "json",
             "-o", sys.argv[3]])
with open(sys.argv[2], "wb") as f:
    pickle.dump(calls, f)
sys.exit(0 if code in (0, 8) else code)
"""

_REPLAY = """
import gc, os, pickle, sys, time
from advisor.advise import judge
from advisor.catalog import load_catalog
from advisor.verdict.cloud_prices import CloudPrices
from advisor.verdict.search import OptionSearch
with open(sys.argv[1], "rb") as f:
    calls = pickle.load(f)
searches = []
made = OptionSearch.__init__
def kept(self, *args, **kwargs):
    made(self, *args, **kwargs)
    searches.append(self)
OptionSearch.__init__ = kept
catalog = load_catalog()
prices = CloudPrices(catalog)
load = os.getloadavg()[0]
gc.disable()
start = time.process_time()
for machine, workloads, options, local_only in calls:
    judge(machine, catalog, workloads, options, local_only=local_only, prices=prices)
cpu = time.process_time() - start
local = sum(c[3] for c in calls)
print(f"{len(calls)} judgements ({local} local-only): CPU {cpu:.2f} s, "
      f"{sum(s.estimates_made for s in searches):,} estimates; load average {load:.2f} before")
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time an audit's judging in one process")
    parser.add_argument("--dir", type=Path, help="keep the fleet here (default: a temp dir)")
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--configs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory(prefix="audit-judging-") as scratch:
        root = args.dir or Path(scratch)
        folder = root / "configs"
        if not folder.exists():
            write_fleet(folder, args.reports, args.configs, args.seed)
        calls = Path(scratch) / "judgements.pickle"
        env["ADVISOR_HOME"] = str(Path(scratch) / "home")
        subprocess.run([sys.executable, "-c", _RECORD, str(folder), str(calls),
                        str(Path(scratch) / "audit.json")], env=env, check=True)  # fmt: skip
        for run in range(args.runs):
            print(f"run {run + 1}: ", end="", flush=True)
            subprocess.run([sys.executable, "-c", _REPLAY, str(calls)], env=env, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
