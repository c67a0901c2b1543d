"""Does the memory copy test read the same when it starts early, beside a first run's loading?

    python benchmarks/copy_test.py [--runs 8] [--max-load 1.5]
    python benchmarks/copy_test.py --rounds 100 [--runs 10] [--save FILE]

`--rounds N`: instead, how few timed rounds give the figure of a long test, in fresh processes
of N rounds each, alone and beside the catalog and workloads loading in a forked process (as
timed copies in the early child would run), with shorter stopping rules simulated on the
recorded rounds (docs/startup.md has the figures and what was decided).

Ways of taking one copy test (`--ways 3,4,5` picks), each in a fresh process on a fresh user
folder, interleaved:
- `numpy, in line`: the test as it was before 2026-12-07 (numpy's copyto on each thread, run
  after the probe, before the catalog and workloads load);
- `ctypes, in line`: libc's memmove through ctypes, same place;
- `ctypes, early`: started in a forked child right after the probe (advisor.probe.bandwidth.early);
  the run loads the catalog and the workloads meanwhile and then asks for the figure;
  these three copy for 0.15 s, the budget before 2026-12-07's second study;
- `ctypes, early, 0.10 s`: as `ctypes, early` with 0.10 s of timed copying (today's budget);
- `ctypes, early, beside advise's imports`: as `ctypes, early`, but the timed copies are let go
  once the loading is done (EarlyCopyTest.begin), while the run imports what advise() imports
  inside its functions (~115-130 ms CPU, none of it machine-dependent), rather than after.
For each: the figure (GB/s, best round), and the process's wall and CPU seconds (user+sys, all
threads and the child) for probe + test + catalog + workloads + advise's imports. On a shared
machine the figures scatter with the load (printed); compare the best and the median of each
way, taken in the same minutes. First (with way 1), numpy's copyto and ctypes' memmove alternate
round by round on the same buffers (2 threads, 32 MiB each), which a busy machine disturbs alike.
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

from report_vs_llmfit import ENV, wait_for_quiet  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

TRIAL = r"""
import json, resource, sys, time
def cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime
start, cpu0 = time.perf_counter(), cpu()
way = sys.argv[1]
from advisor.probe.live.probe import probe_machine
machine = probe_machine(measure_bandwidth=False)
threads = machine.cpu.physical_cores
if way == "numpy, in line":
    import numpy as np
    from concurrent.futures import ThreadPoolExecutor
    from advisor.probe.bandwidth import copy_test as bw
    def numpy_test(threads, budget_s=0.15, clock=time.perf_counter):
        # the test as advisor.probe.bandwidth had it before 2026-12-07 (git show 366c1a2:...)
        t_start = clock()
        n = bw._thread_count(threads)
        size = max(bw.MIN_BUFFER_BYTES, bw.FOOTPRINT_BYTES // (2 * n))
        pairs = [(np.ones(size // 8), np.empty(size // 8)) for _ in range(n)]
        for src, dst in pairs:
            np.copyto(dst, src)
        copying, best, rounds = clock(), 0.0, 0
        with ThreadPoolExecutor(max_workers=n) as pool:
            while rounds < bw.MIN_ROUNDS or clock() - copying < budget_s:
                t0 = clock()
                list(pool.map(lambda p: np.copyto(p[1], p[0]), pairs))
                elapsed = clock() - t0
                rounds += 1
                best = max(best, 2 * size * n / elapsed / 1e9)
                if rounds >= 200 or clock() - t_start > bw.MAX_BUDGET_S - elapsed:
                    break
        return round(best, 1)
    gbs = numpy_test(threads)
    answer = None
elif way == "ctypes, in line":
    from advisor.probe.bandwidth.copy_test import measure_memory_bandwidth
    gbs = measure_memory_bandwidth(threads=threads, budget_s=0.15).gbs
    answer = None
else:
    from advisor.probe.bandwidth.early import start_copy_test
    answer = start_copy_test(threads=threads, budget_s=0.10 if "0.10 s" in way else 0.15)
from advisor.catalog import load_catalog
from advisor.workload import load_workloads
load_catalog(); load_workloads()
import importlib
if answer is not None and "beside" in way:
    answer.begin()  # the timed copies run while advise's imports do
    for name in ADVISE_IMPORTS:
        importlib.import_module(name)
if answer is not None:
    gbs = answer().gbs
for name in ADVISE_IMPORTS:  # (done already beside the copies: a no-op)
    importlib.import_module(name)
print(json.dumps([gbs, time.perf_counter() - start, cpu() - cpu0]))
"""

WAYS = (
    "numpy, in line",
    "ctypes, in line",
    "ctypes, early",
    "ctypes, early, 0.10 s",
    "ctypes, early, beside advise's imports",
)
# What a first advise() imports inside its functions: ~115-130 ms CPU (2026-12-07), none of it
# machine-dependent, so the one part of advise() that could run beside the timed copies.
ADVISE_IMPORTS = (
    "advisor.advice_cache",
    "advisor.estimate.cache",
    "advisor.estimate.assemble",
    "advisor.estimate.fit",
    "advisor.estimate.calibration.apply",
    "advisor.estimate.speed.predict",
    "advisor.estimate.speed.ceiling",
    "advisor.estimate.speed.floor",
    "advisor.catalog.tensors.builder",
    "advisor.verdict.search",
    "advisor.verdict.gather",
    "advisor.verdict.decide",
    "advisor.verdict.candidates",
    "advisor.verdict.cloud",
    "advisor.verdict.power_for",
    "advisor.remedies",
    "advisor.probe.profiles.build",
    "advisor.probe.profiles.plain",
    "advisor.probe.specs.upgrades",
    "advisor.probe.power.figures",
)


SAME_BUFFERS = r"""
import ctypes, json, time
from concurrent.futures import ThreadPoolExecutor
import numpy as np
n, size = 2, 32 * 1024**2
pairs = [(np.ones(size // 8), np.empty(size // 8)) for _ in range(n)]
for src, dst in pairs:
    np.copyto(dst, src)
ways = {"numpy copyto": lambda p: np.copyto(p[1], p[0]),
        "ctypes memmove": lambda p: ctypes.memmove(p[1].ctypes.data, p[0].ctypes.data, size)}
found = {name: [] for name in ways}
with ThreadPoolExecutor(n) as pool:
    for i in range(300):
        for name in ways if i % 2 else reversed(list(ways)):
            t0 = time.perf_counter()
            list(pool.map(ways[name], pairs))
            found[name].append(2 * size * n / (time.perf_counter() - t0) / 1e9)
print(json.dumps(found))
"""


def same_buffers() -> None:
    done = subprocess.run([sys.executable, "-c", SAME_BUFFERS], capture_output=True, text=True,
                          cwd=ROOT, env=ENV)  # fmt: skip
    if done.returncode != 0:
        print("numpy is not installed: no round-by-round comparison")
        return
    load = os.getloadavg()[0]
    print(f"same buffers, rounds alternated (300 each; 1-minute load {load:.2f}):")
    for name, figures in json.loads(done.stdout.strip().splitlines()[-1]).items():
        figures.sort()
        print(
            f"  {name:<15} GB/s best {figures[-1]:5.1f}  90th percentile "
            f"{figures[int(len(figures) * 0.9)]:5.1f}  median {statistics.median(figures):5.1f}"
        )


ROUNDS = r"""
import json, os, sys, time
from concurrent.futures import ThreadPoolExecutor
from advisor.probe.bandwidth import copy_test as bw
rounds, busy = int(sys.argv[1]), sys.argv[2] == "busy"
n = bw._thread_count(os.cpu_count())
size = max(bw.MIN_BUFFER_BYTES, bw.FOOTPRINT_BYTES // (2 * n))
pairs = [bw._buffers(size) for _ in range(n)]  # as a test allocates and faults them
if busy:  # the run's own loading beside the copies, as it would be in a forked child
    r, w = os.pipe()
    if os.fork() == 0:
        os.close(r)
        from advisor.catalog import load_catalog
        from advisor.workload import load_workloads
        os.write(w, b"1")
        load_catalog(); load_workloads()
        os._exit(0)
    os.close(w); os.read(r, 1)  # its imports done: the catalog and workloads load now
found = []
with ThreadPoolExecutor(max_workers=n) as pool:
    for _ in range(rounds):
        t0 = time.perf_counter()
        list(pool.map(bw._copy, pairs))
        found.append(2 * size * n / (time.perf_counter() - t0) / 1e9)
if busy:
    os.wait()
print(json.dumps(found))
"""
STUDY_K = (1, 2, 3, 5, 8, 10, 15, 20, 33, 50)


def rounds_trial(rounds: int, busy: bool, home: Path) -> list[float]:
    env = {**ENV, "ADVISOR_HOME": str(home)}
    argv = [sys.executable, "-c", ROUNDS, str(rounds), "busy" if busy else "quiet"]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


ROUND_BYTES = 2 * 2 * 32 * 1024**2  # read + write, 2 threads x 32 MiB: one round's traffic


def _stop_by_time(series: list[float], budget_s: float) -> tuple[float, int, float]:
    """The test's rule on a recorded series: MIN_ROUNDS rounds and `budget_s` of copying at
    least; (best GB/s, rounds, seconds of copying)."""
    spent, best = 0.0, 0.0
    for n, gbs in enumerate(series, 1):
        spent += ROUND_BYTES / (gbs * 1e9)
        best = max(best, gbs)
        if n >= 5 and spent >= budget_s:
            return best, n, spent
    return best, len(series), spent


def _stop_at_plateau(series: list[float], patience: int) -> tuple[float, int, float]:
    """Stop once MIN_ROUNDS are done and `patience` rounds in a row have not beaten the best
    by more than 1%, or at 0.15 s."""
    spent, best, since = 0.0, 0.0, 0
    for n, gbs in enumerate(series, 1):
        spent += ROUND_BYTES / (gbs * 1e9)
        since = 0 if gbs > best * 1.01 else since + 1
        best = max(best, gbs)
        if n >= 5 and (since >= patience or spent >= 0.15):
            return best, n, spent
    return best, len(series), spent


def _rules(runs: list[list[float]]) -> None:
    """Shorter tests, simulated on the recorded rounds, against today's rule (0.15 s)."""
    today = [_stop_by_time(r, 0.15) for r in runs]
    print("  rule (simulated on the rounds above)      figure / today's (median, worst) "
          "| rounds, ms of copying (median)")  # fmt: skip
    rules = [(f"{b:.2f} s of copying", lambda r, b=b: _stop_by_time(r, b))
             for b in (0.15, 0.10, 0.08, 0.05, 0.03)]  # fmt: skip
    rules += [(f"plateau: {p} rounds no better", lambda r, p=p: _stop_at_plateau(r, p))
              for p in (3, 5, 8)]  # fmt: skip
    for name, rule in rules:
        found = [rule(r) for r in runs]
        ratios = sorted(f[0] / t[0] for f, t in zip(found, today, strict=True))
        print(f"    {name:<30} {statistics.median(ratios):6.3f} {ratios[0]:6.3f}   | "
              f"{statistics.median(f[1] for f in found):4.0f} "
              f"{statistics.median(f[2] for f in found) * 1000:6.0f}")  # fmt: skip


def rounds_study(trials: int, rounds: int, max_load: float, save: str | None = None) -> None:
    """How few timed rounds give the figure a long test gives: in `trials` fresh processes,
    `rounds` rounds each (2 threads x 32 MiB on 2 CPUs); the best of the first k rounds against
    the best of all of them. Then the same with the catalog and workloads loading in a forked
    process for the first rounds, as an overlapped test would run."""
    rows: dict[str, list[list[float]]] = {"quiet": [], "busy": []}
    loads = []
    with tempfile.TemporaryDirectory(prefix="advisor-copy-rounds-") as tmp:
        for run in range(trials):
            for way in ("quiet", "busy") if run % 2 == 0 else ("busy", "quiet"):
                loads.append(wait_for_quiet(max_load))
                rows[way].append(rounds_trial(rounds, way == "busy", Path(tmp) / f"{run}{way}"))
    print(f"{os.cpu_count()} CPUs; 1-minute load {min(loads):.2f}-{max(loads):.2f}; "
          f"{trials} fresh processes of {rounds} rounds each way")  # fmt: skip
    for way, runs in rows.items():
        label = "alone" if way == "quiet" else "beside the catalog and workloads loading"
        longs = [max(r) for r in runs]
        print(f"\n{label}: best of all {rounds} rounds, GB/s: "
              + " ".join(f"{x:.1f}" for x in longs))  # fmt: skip
        print(f"  best of the first k rounds / best of all {rounds} (median, worst of "
              f"{len(runs)} processes):")  # fmt: skip
        for k in STUDY_K:
            ratios = sorted(max(r[:k]) / max(r) for r in runs)
            print(
                f"    k={k:<3} {statistics.median(ratios):.3f}  {ratios[0]:.3f}   "
                f"best of the processes' first-k figures {max(max(r[:k]) for r in runs):.1f}"
            )
        _rules(runs)
    if save:
        Path(save).write_text(json.dumps(rows))
    if rows["quiet"] and rows["busy"]:
        for k in (5, 10, 33):
            quiet = statistics.median(max(r[:k]) for r in rows["quiet"])
            busy = statistics.median(max(r[:k]) for r in rows["busy"])
            print(
                f"first {k} rounds, median of the processes: alone {quiet:.1f} GB/s, "
                f"beside the loading {busy:.1f} GB/s ({busy / quiet - 1:+.0%})"
            )


def trial(way: str, home: Path) -> tuple[float, float, float]:
    env = {**ENV, "ADVISOR_HOME": str(home)}
    code = f"ADVISE_IMPORTS = {ADVISE_IMPORTS!r}\n{TRIAL}"
    done = subprocess.run([sys.executable, "-c", code, way], capture_output=True, text=True,
                          cwd=ROOT, env=env, check=True)  # fmt: skip
    gbs, wall, cpu = json.loads(done.stdout.strip().splitlines()[-1])
    return gbs, wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=8, help="trials of each way")
    parser.add_argument("--max-load", type=float, default=1.5, help="wait for load below this")
    parser.add_argument("--rounds", type=int, metavar="N",
                        help="instead: how few of N timed rounds give the long test's figure, "
                        "alone and beside the loading (see rounds_study)")  # fmt: skip
    parser.add_argument("--save", metavar="FILE", help="with --rounds: the rounds as JSON")
    parser.add_argument("--ways", metavar="N,N", help="only these ways, by number from 1: "
                        + "; ".join(f"{i} {w}" for i, w in enumerate(WAYS, 1)))  # fmt: skip
    args = parser.parse_args()
    ways = [WAYS[int(n) - 1] for n in args.ways.split(",")] if args.ways else list(WAYS)
    if args.rounds:
        rounds_study(args.runs, args.rounds, args.max_load, args.save)
        return 0
    wait_for_quiet(args.max_load)
    if WAYS[0] in ways:
        same_buffers()
    rows: dict[str, list[tuple[float, float, float]]] = {way: [] for way in ways}
    loads = []
    with tempfile.TemporaryDirectory(prefix="advisor-copy-test-") as tmp:
        trial(ways[0], Path(tmp) / "warm-up")
        for run in range(args.runs):
            for way in ways if run % 2 == 0 else reversed(ways):
                loads.append(wait_for_quiet(args.max_load))
                rows[way].append(trial(way, Path(tmp) / f"{run}-{WAYS.index(way)}"))
    print(f"{os.cpu_count()} CPUs; 1-minute load {min(loads):.2f}-{max(loads):.2f} during the runs")
    for way, found in rows.items():
        gbs, wall, cpu = zip(*found, strict=True)
        print(
            f"{way:<38} GB/s best {max(gbs):5.1f} median {statistics.median(gbs):5.1f} | "
            f"wall best {min(wall):.3f} median {statistics.median(wall):.3f} s | "
            f"CPU best {min(cpu):.3f} median {statistics.median(cpu):.3f} s | "
            f"all GB/s {' '.join(f'{g:.1f}' for g in gbs)}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
