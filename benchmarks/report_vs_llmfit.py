"""`advisor --json` against `llmfit --json recommend`, wall clock, on this machine.

    python benchmarks/report_vs_llmfit.py [--runs 10] [--llmfit PATH] [--max-load 1.5]
        [--profile NAME] [--json FILE] [--breakdown]

Both commands run as fresh processes, interleaved (advisor, llmfit, advisor, llmfit, ...,
alternating which goes first), after one warm-up run of each that fills their caches (the
catalog parse cache, the probe's bandwidth figure, advisor's estimate cache and Python's
compiled bytecode: PYTHONDONTWRITEBYTECODE is dropped from the environment, as a user's
installation has bytecode compiled). Each run waits for the 1-minute load
average to fall below --max-load first, because the machine is shared. Prints every time, the
medians, and the ratio advisor / llmfit (below 1 means advisor is faster), with the load.

llmfit is the PyPI package `llmfit` (a compiled Rust binary); install it into a throwaway
virtualenv, e.g. `python -m venv /work/llmfit-venv && /work/llmfit-venv/bin/pip install
llmfit`, not into the project's environment. --profile makes advisor describe a reference
machine instead of probing this one (llmfit always probes).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LLMFIT = Path("/work/llmfit-venv/bin/llmfit")


def find_llmfit(given: str | None) -> str:
    for candidate in (given, shutil.which("llmfit"), str(DEFAULT_LLMFIT)):
        if candidate and Path(candidate).exists():
            return candidate
    sys.exit(
        "llmfit not found: pip install llmfit into a separate virtualenv and pass --llmfit PATH"
    )


def advisor_command(profile: str | None) -> list[str]:
    script = Path(sys.executable).with_name("advisor")
    base = [str(script)] if script.exists() else [sys.executable, "-m", "advisor"]
    return base + ["--json"] + (["--profile", profile] if profile else [])


def wait_for_quiet(max_load: float, timeout_s: float = 120.0) -> float:
    """The 1-minute load once it is below max_load (or after timeout_s, whatever it is)."""
    deadline = time.monotonic() + timeout_s
    load = os.getloadavg()[0]
    while load > max_load and time.monotonic() < deadline:
        time.sleep(2.0)
        load = os.getloadavg()[0]
    return load


# A user's Python keeps compiled bytecode (pip writes it at install time); a sandbox that sets
# PYTHONDONTWRITEBYTECODE would make every run compile advisor's sources again.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, cwd=ROOT, env=ENV)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr.decode()[-2000:]}")
    json.loads(done.stdout)  # both must print one JSON document
    return elapsed


BREAKDOWN = r"""
import json, sys, time
marks = [("start", time.perf_counter())]
def mark(name): marks.append((name, time.perf_counter()))
import advisor.cli
advisor.cli._without_collector()  # as a report's process runs (advisor.cli.main)
from advisor.probe.live import early  # this computer probed from the start, as advisor.cli does
if not sys.argv[1]:
    early.start_for_this_run()
advisor.cli.build_parser(only=""); mark("cli and parser")
from advisor.config import load_config; config = load_config(); mark("config")
from advisor.probe.resolve import resolve_machine_soon  # as advisor/commands/report.py does
machine_soon = resolve_machine_soon(profile=sys.argv[1] or None, early=early.take_started())
mark("machine (probe or profile)")
from advisor.advise import AdviceOptions, advise; mark("imports of advise")
from advisor.advice_ahead import prepare
from advisor.catalog import load_catalog; catalog = load_catalog(); mark("catalog")
from advisor.workload import load_workloads; workloads = load_workloads(); mark("workloads")
# as report.build does
machine = machine_soon(meanwhile=lambda ready, m: prepare(catalog, ready, m, workloads))
mark("probed machine, copy test")
advice = advise(machine, catalog, workloads, AdviceOptions(config=config)); mark("advise")
from advisor.report.document import build_document
text = json.dumps(build_document(advice), indent=2); mark("document and JSON")
print(json.dumps([[n, (t - marks[i][1]) * 1000] for i, (n, t) in enumerate(marks[1:])]))
"""


def breakdown(profile: str | None) -> None:
    """Where one warm `advisor --json` spends its time, stage by stage, in a fresh process."""
    done = subprocess.run([sys.executable, "-c", BREAKDOWN, profile or ""], capture_output=True,
                          text=True, check=True, cwd=ROOT, env=ENV)  # fmt: skip
    print("\nstages of one warm run (fresh process, after interpreter start-up):")
    for name, ms in json.loads(done.stdout.strip().splitlines()[-1]):
        print(f"  {name:<28} {ms:7.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs of each (default 10)")
    parser.add_argument("--llmfit", help="path to the llmfit binary")
    parser.add_argument("--max-load", type=float, default=1.5, help="wait for load below this")
    parser.add_argument("--profile", help="run advisor on this reference profile")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--breakdown", action="store_true", help="also time advisor's stages")
    args = parser.parse_args()

    commands = {"advisor": advisor_command(args.profile), "llmfit": [find_llmfit(args.llmfit),
                "--json", "recommend"]}  # fmt: skip
    for name, command in commands.items():
        print(f"{name}: {' '.join(command)}")
        timed(command)  # warm-up: caches filled, pages in memory
    times: dict[str, list[float]] = {name: [] for name in commands}
    loads: list[float] = []
    for run in range(args.runs):
        order = list(commands) if run % 2 == 0 else list(reversed(commands))
        for name in order:
            loads.append(wait_for_quiet(args.max_load))
            times[name].append(timed(commands[name]))
    print(f"\n{'run':>4} {'advisor s':>10} {'llmfit s':>10}")
    for run in range(args.runs):
        print(f"{run + 1:>4} {times['advisor'][run]:>10.3f} {times['llmfit'][run]:>10.3f}")
    med = {name: statistics.median(values) for name, values in times.items()}
    best = {name: min(values) for name, values in times.items()}
    ratio = med["advisor"] / med["llmfit"]
    print(
        f"\nmedian: advisor {med['advisor']:.3f} s, llmfit {med['llmfit']:.3f} s, "
        f"ratio advisor/llmfit {ratio:.2f}"
    )
    print(f"best:   advisor {best['advisor']:.3f} s, llmfit {best['llmfit']:.3f} s, "
          f"ratio {best['advisor'] / best['llmfit']:.2f}")  # fmt: skip
    print(f"1-minute load average during the runs: {min(loads):.2f}-{max(loads):.2f} "
          f"({os.cpu_count()} CPUs)")  # fmt: skip
    if args.breakdown:
        wait_for_quiet(args.max_load)
        breakdown(args.profile)
    if args.json:
        Path(args.json).write_text(
            json.dumps({"times_s": times, "median_s": med, "ratio": ratio, "loads": loads}),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
