"""How long `advisor` takes to show its first frame, and to finish filling it in.

Each run starts a fresh Python process (as typing `advisor` does) that builds the app with
make_app and runs it headless at 120x40. The child reports, on its stdout, when the first
frame was on screen (Textual's Ready event) and when each background stage landed; the
parent measures from just before it started the process. The stages after first_paint
(machine with its bandwidth test, catalog, workloads, scan, ranking, advice) fill in
from thread workers. Usage:

    python benchmarks/tui_first_paint.py [--runs 5] [--profile rtx4090-desktop]

With no --profile it probes this machine, bandwidth test included, as bare `advisor` does.
Target (issue 8): first paint under 1 s on the reference machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

TARGET_S = 1.0
CHILD = "--child"


def child(profile: str | None) -> None:
    """Run the app headless until every background stage has landed; print the timings."""
    import asyncio

    perf_to_epoch = time.time() - time.perf_counter()
    from advisor.tui.app import make_app

    made = time.perf_counter()
    app = make_app(profile=profile)

    async def wait_until_loaded(pilot) -> None:
        await asyncio.wait_for(app.loaded.wait(), timeout=120)
        app.exit()

    app.run(headless=True, size=(120, 40), auto_pilot=wait_until_loaded)
    stamps = {"make_app": made, **app.timings}
    print(json.dumps({k: v + perf_to_epoch for k, v in stamps.items()}))


def measure(profile: str | None) -> dict[str, float]:
    """One cold start: seconds from process start to each stamp the child reported."""
    command = [sys.executable, __file__, CHILD]
    if profile:
        command += ["--profile", profile]
    env = {**os.environ, "TEXTUAL_ANIMATIONS": "none"}
    started = time.time()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        sys.exit(f"the app failed:\n{done.stderr}")
    stamps = json.loads(done.stdout.strip().splitlines()[-1])
    return {name: epoch - started for name, epoch in stamps.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", help="a reference profile instead of probing this machine")
    parser.add_argument(CHILD, action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.profile)
        return
    runs = [measure(args.profile) for _ in range(args.runs)]
    load = os.getloadavg()[0]
    subject = f"profile {args.profile}" if args.profile else "this machine (live probe)"
    print(f"advisor TUI first paint: {subject}, {args.runs} cold starts, 1-min load {load:.2f}")
    print(f"{'stage':<22}{'median s':>10}{'min s':>8}{'max s':>8}")
    medians = {name: statistics.median(r[name] for r in runs if name in r) for name in runs[0]}
    for name in sorted(medians, key=medians.get):
        values = [r[name] for r in runs if name in r]
        print(f"{name:<22}{medians[name]:>10.3f}{min(values):>8.3f}{max(values):>8.3f}")
    paint = statistics.median(r["first_paint"] for r in runs)
    verdict = "meets" if paint < TARGET_S else "MISSES"
    print(f"first paint {paint:.3f} s (median) {verdict} the {TARGET_S:.0f} s target")


if __name__ == "__main__":
    main()
