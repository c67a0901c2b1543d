"""What a first report's verdict searches cost, with and without the proven skips.

    python benchmarks/search_cost.py [--runs 7] [--profile NAME] [--max-load 1.5] [--remedies]
                                     [--prepared]

In fresh processes (nothing cached: no estimate, remedy or report cache), after the catalog,
the workloads and the machine are ready and advise()'s imports are done, times advise() on the
preset workloads, two ways in alternation:
- `skips`: as a report runs it (advisor.verdict.proven: files whose bounds prove they can
  change nothing the report prints are checked for fitting alone, not estimated);
- `full`: every file the search reaches is estimated (Proven.unneeded answering "estimate
  it", as tests/verdict/test_proven_skips.py compares).
It prints the CPU time (user+sys of the process: advise() is one thread) best and median, the
estimates made, the options checked per workload (equal both ways) and whether the verdicts and
top candidates are equal. The machine's RAM bandwidth is fixed (30 GB/s) so the runs agree;
--remedies adds the remedy search (off by default: its searches are the lean ones an audit
runs, advisor.advise.judge). --prepared first runs what a first report does while it waits for
the copy test's child (advisor.advice_ahead.prepare, to its end), as where the wait covers it.
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
import json, pickle, sys, time
from advisor.advise import advise
from advisor.verdict import proven, search
way, profile, remedies = sys.argv[1], sys.argv[2] or None, sys.argv[3] == "1"
"""
    + SETUP
    + r"""
if sys.argv[4] == "1":
    from advisor.advice_ahead import prepare
    prepare(catalog, lambda: False, machine, workloads)
if way == "full":
    proven.Proven.unneeded = lambda self, *args: None
made = []
original = search.OptionSearch.__init__
def keep(self, *args, **kwargs):
    original(self, *args, **kwargs)
    made.append(self)
search.OptionSearch.__init__ = keep
start = time.process_time()
advice = advise(machine, catalog, workloads, options)
used = time.process_time() - start
digest = pickle.dumps((advice.verdicts, advice.candidates))
print(json.dumps([used, made[0].estimates_made, [v.options_checked for v in advice.verdicts],
                  digest.hex()]))
"""
)


def trial(way: str, profile: str | None, remedies: bool, home: Path,
          prepared: bool = False) -> list:  # fmt: skip
    env = {**ENV, "ADVISOR_HOME": str(home)}
    flags = ["1" if remedies else "0", "1" if prepared else "0"]
    argv = [sys.executable, "-c", TRIAL, way, profile or "", *flags]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh processes of each way")
    parser.add_argument("--max-load", type=float, default=1.5, help="wait for load below this")
    parser.add_argument("--profile", help="a reference profile instead of probing this machine")
    parser.add_argument("--remedies", action="store_true", help="with the remedy search")
    parser.add_argument("--prepared", action="store_true",
                        help="after advice_ahead.prepare, as a first report's wait")  # fmt: skip
    args = parser.parse_args()
    rows: dict[str, list[list]] = {"skips": [], "full": []}
    loads = []
    with tempfile.TemporaryDirectory(prefix="advisor-search-") as tmp:
        trial("skips", args.profile, args.remedies, Path(tmp) / "warm-up", args.prepared)
        for run in range(args.runs):
            for way in rows if run % 2 == 0 else reversed(list(rows)):
                loads.append(wait_for_quiet(args.max_load))
                home = Path(tmp) / f"{run}{way}"
                rows[way].append(trial(way, args.profile, args.remedies, home, args.prepared))
    same = len({r[3] for found in rows.values() for r in found}) == 1
    print(f"{os.cpu_count()} CPUs; 1-minute load {min(loads):.2f}-{max(loads):.2f}; "
          f"{args.runs} fresh processes each way; {args.profile or 'this machine'}"
          f"{', with the remedy search' if args.remedies else ''}"
          f"{', after prepare()' if args.prepared else ''}")  # fmt: skip
    for way, found in rows.items():
        used = [r[0] * 1000 for r in found]
        print(f"  {way:<5} advise() CPU best {min(used):6.1f} ms, median "
              f"{statistics.median(used):6.1f} ms | estimates {found[0][1]:5d} | options "
              f"checked {found[0][2]}")  # fmt: skip
    print(f"  verdicts and top candidates equal both ways: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
