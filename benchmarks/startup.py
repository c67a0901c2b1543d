"""How long `advisor --json` takes as a fresh process: first run on a fresh user dir, and warm.

    python benchmarks/startup.py [--runs 7] [--profile NAME] [--max-load 1.5] [--stages]
                                 [--format json|text|markdown] [--llmfit PATH]

First run: every run gets an empty ADVISOR_HOME (no probe figures, no memory copy test result,
no catalog cache, no estimate or remedy cache), as a user's first `advisor --json`. Warm: one
ADVISOR_HOME, filled by a run before the timed ones. Each run is a fresh process, waits for the
1-minute load average to fall below --max-load (up to two minutes; the machine is shared, and
the load is printed with every figure), and the best and the median of --runs are printed.

CPU seconds (user + system, every thread of the run) are printed beside the wall time: on a
busy machine they move far less than the wall time does, but they count the copy test's
threads, which run side by side.

Reference (issue 16): llmfit's `llmfit --json recommend`, timed in the same runs, interleaved
with advisor's, when it is installed (--llmfit PATH, `llmfit` on PATH, or /work/llmfit-venv as
benchmarks/report_vs_llmfit.py says); else the issue's 0.28 s on the project's machine. The
targets are advisor/llmfit (best against best) <= 1.5 on the first run and <= 0.8 warm; the
last two lines of the output say whether each is met.
`--stages` also prints where one run of each kind spends its time, and a first run's time
outside main() (the interpreter's start-up and exit). `--format text` (or
markdown) times `advisor report --format text` instead, the rendered report (the targets are
`advisor --json`'s).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
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
from report_vs_llmfit import DEFAULT_LLMFIT, ENV, wait_for_quiet  # noqa: E402
from report_vs_llmfit import advisor_command as command  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LLMFIT_S = 0.28  # issue 16: llmfit --json recommend on the project's machine (when not timed)
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


# `advisor --json` as the console script runs it, marking when main() starts and when the exit
# handlers run: after main() has returned, or as a report's main() ends the process itself
# (advisor.cli._end_report); what follows is the exit (time.perf_counter is the system's
# monotonic clock, the same in the benchmark's process).
ENDS = r"""
import atexit, sys, time
started = time.perf_counter()
def mark():
    sys.stderr.write(f"\nENDS {started} {time.perf_counter()}\n")
    sys.stderr.flush()
atexit.register(mark)
from advisor.cli import main
raise SystemExit(main())
"""


def ends(argv: list[str], home: Path, runs: int = 3) -> None:
    """Where a first run's wall time goes outside main(): the interpreter's start-up (to the
    first line of the script) and its exit (from the exit handlers on), median of `runs`."""
    found = []
    for run in range(runs):
        env = {**ENV, "ADVISOR_HOME": str(home / f"ends-{run}")}
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", ENDS, *argv[1:]], capture_output=True,
                              text=True, cwd=ROOT, env=env, check=True)  # fmt: skip
        end = time.perf_counter()
        marks = [line for line in done.stderr.splitlines() if line.startswith("ENDS ")]
        began, returned = map(float, marks[-1].split()[1:])
        found.append((began - start, returned - began, end - returned))
    print(f"\nwhere one first run's wall time goes (median of {runs} fresh processes):")
    labels = ("interpreter start-up", "main()", "exit after main()")
    for i, label in enumerate(labels):
        print(f"  {label:<28} {statistics.median(f[i] for f in found) * 1000:7.1f} ms")


def find_llmfit(given: str | None) -> str | None:
    for candidate in (given, shutil.which("llmfit"), str(DEFAULT_LLMFIT)):
        if candidate and Path(candidate).exists():
            return candidate
    if given:
        sys.exit(f"llmfit not found at {given}")
    return None


def report(label: str, times: list[float], cpu: list[float], loads: list[float]) -> None:
    best, median = min(times), statistics.median(times)
    print(
        f"{label:>6}: wall best {best:.3f} s, median {median:.3f} s of {len(times)}; "
        f"CPU (user+sys) best {min(cpu):.3f} s, median {statistics.median(cpu):.3f} s; "
        f"1-min load {min(loads):.2f}-{max(loads):.2f} on {os.cpu_count()} CPUs"
    )


def target(label: str, best: float, llmfit_s: float, source: str) -> bool:
    ratio = best / llmfit_s
    met = ratio <= TARGETS[label]
    print(
        f"TARGET {label} run: advisor best {best:.3f} s / llmfit {llmfit_s:.3f} s ({source}) "
        f"= {ratio:.2f} (target <= {TARGETS[label]}: {'met' if met else 'NOT met'})"
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
    parser.add_argument(
        "--llmfit", help="the llmfit binary (default: on PATH, or /work/llmfit-venv)"
    )
    args = parser.parse_args()
    argv = report_command(command(args.profile), args.format)
    llmfit = find_llmfit(args.llmfit)
    llmfit_argv = [llmfit, "--json", "recommend"] if llmfit else None
    print(" ".join(argv))
    print(" ".join(llmfit_argv) if llmfit_argv else f"llmfit not found: issue 16's {LLMFIT_S} s")
    with tempfile.TemporaryDirectory(prefix="advisor-startup-") as tmp:
        base = Path(tmp)
        timed(argv, base / "warm-up")  # bytecode written, pages in memory
        kinds = ("first", "warm", "llmfit") if llmfit_argv else ("first", "warm")
        times: dict[str, list[float]] = {kind: [] for kind in kinds}
        cpu: dict[str, list[float]] = {kind: [] for kind in kinds}
        loads: dict[str, list[float]] = {kind: [] for kind in kinds}
        if llmfit_argv:
            timed(llmfit_argv, base / "warm-up")  # its caches filled, pages in memory
        warm = base / "warm"
        for _ in range(3):  # the copy test runs again until 3 tests are fresh (probe.bandwidth)
            timed(argv, warm)
        for run in range(args.runs):
            for label in kinds if run % 2 == 0 else reversed(kinds):
                home = base / f"first-{run}" if label == "first" else warm
                loads[label].append(wait_for_quiet(args.max_load))
                run_argv = llmfit_argv if label == "llmfit" and llmfit_argv else argv
                times[label].append(timed(run_argv, home, cpu[label]))
        for label in kinds:
            report(label, times[label], cpu[label], loads[label])
        llmfit_s = min(times["llmfit"]) if llmfit_argv else LLMFIT_S
        source = "timed in these runs" if llmfit_argv else "issue 16, not timed here"
        met = [target(label, min(times[label]), llmfit_s, source) for label in ("first", "warm")]
        if args.stages:
            ends(argv, base)
            stages(args.profile, base / "stages", "first")
            for _ in range(3):  # as for the warm runs: the copy test's 3 fresh tests taken
                timed(argv, base / "stages")
            stages(args.profile, base / "stages", "warm")
    return 0 if all(met) else 1


if __name__ == "__main__":
    raise SystemExit(main())
