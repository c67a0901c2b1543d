"""How long `advisor --json` takes as a fresh process: first run on a fresh user dir, and warm.

    python benchmarks/startup.py [--runs 7] [--profile NAME] [--max-load 1.5] [--stages]
                                 [--format json|text|markdown]

First run: every run gets an empty ADVISOR_HOME (no probe figures, no memory copy test result,
no catalog cache, no estimate or remedy cache), as a user's first `advisor --json`. Warm: one
ADVISOR_HOME, filled by a run before the timed ones. Each run is a fresh process, waits for the
1-minute load average to fall below --max-load (up to two minutes; the machine is shared, and
the load is printed with every figure), and the best and the median of --runs are printed.

CPU seconds (user + system, every thread of the run) are printed beside the wall time: on a
busy machine they move far less than the wall time does, but they count the copy test's
threads, which run side by side.

Reference (issue 16): llmfit's `llmfit --json recommend` took 0.28 s on the project's machine
(llmfit is not installed here; benchmarks/report_vs_llmfit.py measures it where it is). The
targets are advisor/llmfit <= 1.5 on the first run (0.42 s) and <= 0.8 warm (0.22 s).
`--stages` also prints where one run of each kind spends its time. `--format text` (or
markdown) times `advisor report --format text` instead, the rendered report (the targets are
`advisor --json`'s).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The stage-timing script, the bytecode-keeping environment, the advisor command line and the
# wait for a quiet machine are report_vs_llmfit's (this script's folder is first on sys.path
# when it runs).
from report_vs_llmfit import BREAKDOWN as STAGES  # noqa: E402
from report_vs_llmfit import ENV, wait_for_quiet  # noqa: E402
from report_vs_llmfit import advisor_command as command  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LLMFIT_S = 0.28  # issue 16: llmfit --json recommend on the project's machine
TARGETS = {"first": 1.5, "warm": 0.8}  # advisor / llmfit


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def report_command(argv: list[str], fmt: str) -> list[str]:
    """`argv` (advisor --json [--profile NAME]) as `advisor report --format FMT`, unless json."""
    if fmt == "json":
        return argv
    at = argv.index("--json")
    return [*argv[:at], "report", "--format", fmt, *argv[at + 1 :]]


def timed(argv: list[str], home: Path, cpu: list[float] | None = None) -> float:
    """Wall seconds of one run; its CPU seconds (user + system, all threads) go to `cpu`."""
    env = {**ENV, "ADVISOR_HOME": str(home)}
    before = _cpu_s()
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, cwd=ROOT, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr.decode()[-2000:]}")
    if "--json" in argv:
        json.loads(done.stdout)
    if cpu is not None:
        cpu.append(_cpu_s() - before)
    return elapsed


def stages(profile: str | None, home: Path, label: str) -> None:
    env = {**ENV, "ADVISOR_HOME": str(home)}
    done = subprocess.run([sys.executable, "-c", STAGES, profile or ""], capture_output=True,
                          text=True, check=True, cwd=ROOT, env=env)  # fmt: skip
    print(f"\nstages of one {label} run (in-process marks, after interpreter start-up):")
    for name, ms in json.loads(done.stdout.strip().splitlines()[-1]):
        print(f"  {name:<28} {ms:7.1f} ms")


def report(label: str, times: list[float], cpu: list[float], loads: list[float]) -> bool:
    best, median = min(times), statistics.median(times)
    ratio = best / LLMFIT_S
    met = ratio <= TARGETS[label]
    print(
        f"{label:>5}: wall best {best:.3f} s, median {median:.3f} s of {len(times)}; "
        f"best / llmfit {ratio:.2f} (target <= {TARGETS[label]}: {'met' if met else 'NOT met'}); "
        f"CPU (user+sys) best {min(cpu):.3f} s, median {statistics.median(cpu):.3f} s; "
        f"1-min load {min(loads):.2f}-{max(loads):.2f} on {os.cpu_count()} CPUs"
    )
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each kind")
    parser.add_argument("--profile", help="a reference profile instead of probing this machine")
    parser.add_argument("--max-load", type=float, default=1.5, help="wait for load below this")
    parser.add_argument("--stages", action="store_true", help="time the stages of one run")
    formats = ("json", "text", "markdown")
    parser.add_argument("--format", choices=formats, default="json", help="text, markdown: report")
    args = parser.parse_args()
    argv = report_command(command(args.profile), args.format)
    print(" ".join(argv), f"(reference: llmfit {LLMFIT_S} s, from issue 16)")
    with tempfile.TemporaryDirectory(prefix="advisor-startup-") as tmp:
        base = Path(tmp)
        timed(argv, base / "warm-up")  # bytecode written, pages in memory
        times: dict[str, list[float]] = {"first": [], "warm": []}
        cpu: dict[str, list[float]] = {"first": [], "warm": []}
        loads: dict[str, list[float]] = {"first": [], "warm": []}
        warm = base / "warm"
        for _ in range(3):  # the copy test runs again until 3 tests are fresh (probe.bandwidth)
            timed(argv, warm)
        for run in range(args.runs):
            for label in ("first", "warm") if run % 2 == 0 else ("warm", "first"):
                home = base / f"first-{run}" if label == "first" else warm
                loads[label].append(wait_for_quiet(args.max_load))
                times[label].append(timed(argv, home, cpu[label]))
        met = [report(label, times[label], cpu[label], loads[label]) for label in ("first", "warm")]
        if args.stages:
            stages(args.profile, base / "stages", "first")
            for _ in range(3):  # as for the warm runs: the copy test's 3 fresh tests taken
                timed(argv, base / "stages")
            stages(args.profile, base / "stages", "warm")
    return 0 if all(met) else 1


if __name__ == "__main__":
    raise SystemExit(main())
