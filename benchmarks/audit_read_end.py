"""How long one core stands idle where an audit's reading ends and its judging begins.

    python benchmarks/audit_read_end.py [--dir DIR] [--rounds 4]

Runs `advisor audit DIR/configs --format json -o FILE` in this process (an empty user cache)
`--rounds` times, noting when each reading worker ends its last run of files
(advisor.audit.read.read_run), when read_reports returns and when the judging pool is given
its first requests, and prints per round: the two workers' last ends and the gap between them
(one core idle while the other reads its last run), and the time from the first worker's end
to the judging pool (the reading-to-judging stretch with a core idle). Wall seconds from the
process start; the load average is printed beside each round (the machine is shared). Compare
two trees in the same minutes by running this with PYTHONPATH set to each in turn. The fleet
is benchmarks/audit_scale.py's (`--dir DIR` of that script, case configs).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

_CHILD = r"""
import os, sys, time
T0 = time.perf_counter()
import advisor.audit.audit as audit
import advisor.audit.evaluate as evaluate
import advisor.audit.read as read
import advisor.cli as cli

def mark(tag):
    sys.stderr.write(f"@{tag} {os.getpid()} {time.perf_counter() - T0:.4f}\n")
    sys.stderr.flush()

read_run = read.read_run
def timed_run(paths):
    out = read_run(paths)
    mark("worker")
    return out
read.read_run = timed_run
read_reports = audit.read_reports
def timed_read(*a, **k):
    out = read_reports(*a, **k)
    mark("read")
    return out
audit.read_reports = timed_read
in_pool = evaluate.Evaluator._in_pool
def timed_pool(self, todo):
    evaluate.Evaluator._in_pool = in_pool
    mark("pool")
    return in_pool(self, todo)
evaluate.Evaluator._in_pool = timed_pool
sys.argv = ["advisor", "audit", sys.argv[1], "--format", "json", "-o", sys.argv[2]]
cli.main()
"""


def _round(folder: str) -> str:
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, ADVISOR_HOME=home)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        out = os.path.join(home, "audit.json")
        run = subprocess.run([sys.executable, "-c", _CHILD, folder, out], env=env, cwd=home,
                             capture_output=True, text=True, check=True)  # fmt: skip
    ends: dict[str, float] = {}
    read = pool = 0.0
    for line in run.stderr.splitlines():
        if not line.startswith("@"):
            continue
        tag, pid, at = line[1:].split()
        if tag == "worker":
            ends[pid] = float(at)
        elif tag == "read":
            read = float(at)
        elif tag == "pool" and not pool:
            pool = float(at)
    first, last = min(ends.values()), max(ends.values())
    return (
        f"workers end {first:.3f} / {last:.3f} s (gap {1000 * (last - first):.0f} ms), "
        f"read_reports returns {read:.3f} s, judging pool {pool:.3f} s: "
        f"first worker's end to the pool {1000 * (pool - first):.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", default="/work/fleet20", help="audit_scale.py's --dir")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    folder = os.path.join(args.dir, "configs")
    for _ in range(args.rounds):
        load = os.getloadavg()[0]
        print(f"load {load:.2f}  {_round(folder)}", flush=True)
        time.sleep(0.2)


if __name__ == "__main__":
    main()
