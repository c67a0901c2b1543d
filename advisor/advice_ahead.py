"""What a first advise() needs that does not depend on the machine, done ahead while it waits.

A first report waits for the memory copy test before advise() can start (every CPU estimate
reads the figure): its child allocates the test's buffers while the run loads the catalog and
workloads, and the run then waits for the child, idle (docs/startup.md). advise() then imports
the estimator, the verdicts, the remedy search and their tables (~48 ms CPU on a first report,
2026-12-07, shared 2-core machine), hashes the catalog for its cache keys (~5 ms) and reads the
shipped table of the catalog files' tensor sums (~8 ms): none of it reads the machine.
`prepare` does that work in the wait instead, one step at a time, and stops as soon as the
child's buffers are ready, so the timed copies still start when they would have and still run
alone; whatever it did not reach advise() does as before. The same modules, the same values:
only the time they are made at moves.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from advisor.catalog.model import Catalog

# The modules a first advise() imports beyond what importing advisor.advise does, those that
# import others after what they import, so that each step is short (a few ms) and the wait ends
# soon after the child is ready. tests/test_advice_ahead.py fails when advise() imports one
# that is not here.
FIRST_IMPORTS = (
    "advisor.catalog.tensors.quant_bytes",
    "advisor.catalog.tensors.recipes",
    "advisor.catalog.tensors.layout",
    "advisor.estimate.kv",
    "advisor.estimate.speed.load",
    "advisor.estimate.calibration.values",
    "advisor.estimate.calibration.apply",
    "advisor.estimate.footprint",
    "advisor.estimate.fit_sums",
    "advisor.estimate.fit",
    "advisor.estimate.speed.predict",
    "advisor.estimate.assemble",
    "advisor.estimate.speed.model",
    "advisor.estimate.speed.devices",
    "advisor.estimate.speed.floor",
    "advisor.estimate.speed.ceiling",
    "advisor.estimate.rank",
    "advisor.verdict.bounds",
    "advisor.verdict.search",
    "advisor.verdict.lean",
    "advisor.verdict.gather",
    "advisor.verdict.candidates",
    "advisor.verdict.decide",
    "advisor.verdict.power_for",
    "advisor.verdict.reach",
    "advisor.probe.power.figures",
    "advisor.files.locks",
    "advisor.estimate.cache",
    "advisor.advice_cache",
    "advisor.probe.profiles.build",
    "advisor.probe.profiles.serialize",
    "advisor.probe.profiles.plain",
    "advisor.probe.specs.upgrades",
    "advisor.remedies",
)


def prepare(catalog: Catalog, ready: Callable[[], bool]) -> None:
    """Import what a first advise() will, hash `catalog` for its cache keys and read the
    shipped file sums, until `ready()` says the copy test's child is ready (asked before each
    step)."""
    from advisor.files.disk_cache import no_cycle_collection

    with no_cycle_collection():  # as in advise(): the modules' objects make no cycles to find
        for name in FIRST_IMPORTS:
            if ready():
                return
            importlib.import_module(name)
        if ready():
            return
        catalog.digest  # noqa: B018 - kept on the catalog (a cached property)
        if not ready():
            # The table of every catalog file's tensor sums (~8 ms CPU to parse, 2026-12-07),
            # which a first search reads at its first file: kept for the process
            from advisor.catalog.tensors.file_sums import read_table

            read_table()
