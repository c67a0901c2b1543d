"""How long ranking the whole catalog for one machine takes (target: under 100 ms).

    python benchmarks/rank_speed.py [--profile rtx-4090-desktop] [--repeat 7]

Loads the catalog and the profile once (not timed), then times rank_models over every model
and quant: the first ranking in the process (it also builds every file's GGUF tensor layout,
cached from then on) and the median of the repeats after it, with the load average next to
them. Uses the package's estimate() when it is built, else the tests' stand-in estimator (and
says which).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import advisor.estimate as estimate_pkg
from advisor.catalog import load_catalog
from advisor.estimate.rank import rank_models
from advisor.probe.profiles.load import load_profile

ROOT = Path(__file__).resolve().parent.parent


def _estimator():
    found = getattr(estimate_pkg, "estimate", None)
    if callable(found):
        return found, "advisor.estimate.estimate"
    sys.path.insert(0, str(ROOT / "tests" / "estimate"))
    from shim_estimator import shim_estimate

    return shim_estimate, "tests/estimate/shim_estimator.py (estimate() not built yet)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time ranking the whole catalog")
    parser.add_argument("--profile", default="rtx-4090-desktop")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    catalog = load_catalog(overlay=False)
    machine = load_profile(args.profile)
    estimator, which = _estimator()
    start = time.perf_counter()
    rank_models(machine, catalog, estimator=estimator)  # builds the tensor layouts it caches
    first = time.perf_counter() - start
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        ranking = rank_models(machine, catalog, estimator=estimator)
        times.append(time.perf_counter() - start)
    pairs = sum(len(m.quants) for m in catalog.models)
    load = os.getloadavg()[0]
    print(f"estimator: {which}")
    print(f"catalog: {len(catalog.models)} models, {pairs} model × quant pairs; "
          f"profile {args.profile}: {len(ranking.candidates)} ranked, "
          f"{len(ranking.excluded)} left out")  # fmt: skip
    print(f"first rank_models in this process: {1000 * first:.0f} ms (tensor layouts built)")
    print(f"rank_models: median {1000 * statistics.median(times):.1f} ms, "
          f"best {1000 * min(times):.1f} ms over {args.repeat} runs "
          f"(load average {load:.2f}; target < 100 ms)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
