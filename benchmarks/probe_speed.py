"""Wall time of `advisor probe --json` as a subprocess, cold (no bandwidth cache) and warm,
and of probe_machine(measure_bandwidth=False) in-process. Target: under 1 s; in-process < 100 ms.

Run: .venv/bin/python benchmarks/probe_speed.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _run_probe(home: str) -> float:
    env = {**os.environ, "ADVISOR_HOME": home}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "advisor", "probe", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    elapsed = time.perf_counter() - start
    json.loads(done.stdout)  # a valid document, or this raises
    return elapsed


def _summary(label: str, times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    return (
        f"{label:<40} median {statistics.median(ms):7.1f} ms   min {ms[0]:7.1f}   "
        f"max {ms[-1]:7.1f}   (n={len(ms)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    cold, warm = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as home:
            cold.append(_run_probe(home))  # empty cache: runs the copy test
            warm.append(_run_probe(home))  # cached bandwidth
    print(_summary("advisor probe --json, cold (copy test)", cold))
    print(_summary("advisor probe --json, warm (cached)", warm))
    from advisor.probe.live.probe import probe_machine

    first_start = time.perf_counter()
    probe_machine(measure_bandwidth=False)
    first = time.perf_counter() - first_start
    again = []
    for _ in range(args.runs):
        start = time.perf_counter()
        probe_machine(measure_bandwidth=False)
        again.append(time.perf_counter() - start)
    print(
        f"{'probe_machine(measure_bandwidth=False)':<40} first {first * 1000:7.1f} ms "
        "(imports included)"
    )
    print(_summary("  ... again (imports done)", again))
    from advisor.probe.bandwidth.copy_test import measure_memory_bandwidth

    measured = measure_memory_bandwidth()
    print(
        f"copy test: {measured.gbs} GB/s, {measured.threads} threads, {measured.rounds} rounds, "
        f"{measured.seconds * 1000:.0f} ms"
    )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    worst = max(max(cold), max(warm))
    return 0 if worst < 1.0 else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    raise SystemExit(main())
